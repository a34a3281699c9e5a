/**
 * `@wt/compiler`: turns a declarative `spec.yaml` into a compiled Deno workflow. This module
 * exports the library API (spec parsing, validation, the task catalogue, diagnostics, form
 * schemas) and, when run as the main module (`deno run jsr:@wt/compiler …`), the
 * `wt-compiler` CLI.
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
import { runCli } from "./cli.ts";

export * from "./spec_model.ts";
export * from "./diagnostics.ts";
export * from "./parse.ts";
export * from "./catalogue.ts";
export * from "./expressions.ts";
export * from "./ids.ts";
export * from "./validate.ts";
export * from "./load_catalogue.ts";
export {
  type GeneratedSchemas,
  generateSchemas,
  type GenerateSchemasOptions,
  type OverrideProblem,
  SchemaOverrideError,
} from "./schemas.ts";
export * from "./discovery.ts";
export * from "./compile.ts";
export * from "./codegen.ts";
export * from "./fingerprint.ts";
export * from "./graph.ts";
export * from "./scaffold.ts";
export { runCli } from "./cli.ts";
/** Contract types that the compiler API refers to. */
export type {
  RegistryEntry,
  RegistryMetadata,
  RegistryOutput,
} from "@wt/contracts";

if (import.meta.main) {
  Deno.exit(await runCli(Deno.args));
}
