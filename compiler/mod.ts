/**
 * `@wt/compiler`: turns a declarative `spec.yaml` into a compiled Deno workflow. This module
 * exports the library API (spec parsing, validation, the task catalogue, diagnostics).
 *
 * @example
 * ```ts
 * import { parseSpec } from "@wt/compiler";
 *
 * const { spec, diagnostics } = parseSpec("id: w\nworkflow:\n  - id: a\n    task: add\n", "spec.yaml");
 * console.assert(spec?.id === "w" && diagnostics.length === 0);
 * ```
 *
 * @module
 */
export * from "./spec_model.ts";
export * from "./diagnostics.ts";
export * from "./parse.ts";
export * from "./catalogue.ts";
export * from "./expressions.ts";
export * from "./ids.ts";
export * from "./validate.ts";
