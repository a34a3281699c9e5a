/**
 * Declare tasks for wt workflows. A task takes one object of named parameters described by
 * a valibot object schema; `register()` derives the JSON Schema that forms and the
 * compiler use and brands the task (with a global symbol) so the registry CLI
 * (`@wt/registry/cli`) can discover it.
 *
 * @example
 * ```ts
 * import * as v from "valibot";
 * import { register, taskInfo } from "@wt/registry";
 *
 * export const double = register({
 *   description: "Double an integer.",
 *   tags: ["math"],
 *   params: v.object({ n: v.pipe(v.number(), v.integer(), v.title("Number")) }),
 * }, ({ n }) => 2 * n);
 *
 * console.assert(double({ n: 21 }) === 42);
 * const schema = taskInfo(double)!.json_schema as { properties: { n: { type: string } } };
 * console.assert(schema.properties.n.type === "integer");
 * ```
 *
 * @module
 */
export * from "./register.ts";
export * from "./hidden.ts";
export * from "./errors.ts";
export * from "./title.ts";
/** Types from valibot and `@wt/contracts` that this package's API is declared with. */
export type {
  BaseIssue,
  BaseMetadata,
  BaseSchema,
  GenericSchema,
  InferInput,
  InferOutput,
  MetadataAction,
} from "valibot";
export type { RegistryMetadata, RegistryMetadataInput } from "@wt/contracts";
