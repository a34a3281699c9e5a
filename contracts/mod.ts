/**
 * The shapes that cross package and process boundaries in wt: the task registry's output,
 * the workflow CLI's arguments and environment, `result.json`, run records, JSON Schema
 * validation items and the conversion between form data and workflow parameters. No I/O.
 *
 * @example
 * ```ts
 * import * as v from "valibot";
 * import { RegistryOutput, validate } from "@wt/contracts";
 *
 * const out = v.parse(RegistryOutput, { version: "1.0.0", entries: {} });
 * console.assert(Object.keys(out.entries).length === 0);
 * console.assert(validate(1, { type: "string" }).length === 1);
 * ```
 *
 * @module
 */
export * from "./registry.ts";
export * from "./response.ts";
export * from "./runs.ts";
export * from "./workflow_cli.ts";
export * from "./task_protocol.ts";
export * from "./skip_values.ts";
export * from "./validation.ts";
export * from "./formdata.ts";
/** Valibot schema types that the exported schemas of this package are declared with. */
export type {
  ArrayPathItem,
  BaseIssue,
  BaseSchema,
  Config,
  ErrorMessage,
  GenericSchema,
  IssuePathItem,
  MapPathItem,
  ObjectPathItem,
  SetPathItem,
  UnknownPathItem,
} from "valibot";
