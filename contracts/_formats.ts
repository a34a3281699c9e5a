// Loads ajv-formats, whose CommonJS default export is typed as a module namespace here.
import type { Ajv2020 } from "ajv/dist/2020.js";
import * as formats from "ajv-formats";

type Plugin = (ajv: Ajv2020) => Ajv2020;

/** ajv-formats' plugin function, whichever way the CommonJS module was wrapped. */
export const formatsPlugin: Plugin =
  ((formats as unknown as { default: unknown }).default ??
    formats) as Plugin;
