/**
 * Shapes of the task catalogue that the registry CLI prints and the compiler reads.
 *
 * @module
 */
import * as v from "valibot";

/**
 * Version of the {@linkcode RegistryOutput} format written by this package.
 *
 * @example
 * ```ts
 * import * as v from "valibot";
 * import { REGISTRY_OUTPUT_VERSION, RegistryOutput } from "@wt/contracts";
 *
 * console.assert(v.is(RegistryOutput, { version: REGISTRY_OUTPUT_VERSION, entries: {} }));
 * ```
 */
export const REGISTRY_OUTPUT_VERSION = "1.0.0" as const;

/**
 * Descriptive metadata of a registered task.
 *
 * @example Parse metadata, filling defaults
 * ```ts
 * import * as v from "valibot";
 * import { RegistryMetadata } from "@wt/contracts";
 *
 * const meta = v.parse(RegistryMetadata, { title: "Add" });
 * console.assert(meta.deprecated === false && meta.tags.length === 0);
 * ```
 */
export const RegistryMetadata: v.GenericSchema<
  RegistryMetadataInput,
  RegistryMetadata
> = v.object({
  title: v.optional(v.string()),
  description: v.optional(v.string()),
  tags: v.optional(v.array(v.string()), () => []),
  deprecated: v.optional(v.boolean(), false),
  deprecation_message: v.optional(v.string()),
});
/** Descriptive metadata of a registered task (defaults filled in). */
export interface RegistryMetadata {
  /** Human title; defaults from the export name when absent. */
  title?: string | undefined;
  /** What the task does. */
  description?: string | undefined;
  /** Free-form tags; `io` marks tasks replaced by canned data in mock-io runs. */
  tags: string[];
  /** Whether the task is deprecated. */
  deprecated: boolean;
  /** What to use instead, for deprecated tasks. */
  deprecation_message?: string | undefined;
}
/** Input accepted by {@linkcode RegistryMetadata}: defaults may be omitted. */
export type RegistryMetadataInput =
  & Omit<RegistryMetadata, "tags" | "deprecated">
  & { tags?: string[] | undefined; deprecated?: boolean | undefined };

/**
 * One task in a {@linkcode RegistryOutput}.
 *
 * `json_schema` is the JSON Schema (an object schema) of the parameters a form can set;
 * `parameters` lists every argument name the task accepts, including arguments hidden from
 * forms. When `parameters` is absent, the schema's properties are the task's arguments.
 * `required_parameters` lists the arguments the task cannot be called without (no
 * default), hidden ones included; when absent, the schema's `required` is used.
 *
 * @example
 * ```ts
 * import * as v from "valibot";
 * import { RegistryEntry } from "@wt/contracts";
 *
 * const entry = v.parse(RegistryEntry, {
 *   metadata: { title: "Double" },
 *   json_schema: { type: "object", properties: { n: { type: "integer" } }, required: ["n"] },
 *   public_module_path: "@wt-examples/custom-tasks",
 *   function_name: "double",
 * });
 * console.assert(entry.function_name === "double");
 * ```
 */
export const RegistryEntry: v.GenericSchema<RegistryEntryInput, RegistryEntry> =
  v
    .object({
      metadata: RegistryMetadata,
      json_schema: v.pipe(
        v.custom<Record<string, unknown>>(
          (x) => typeof x === "object" && x !== null && !Array.isArray(x),
          "json_schema must be a JSON object",
        ),
        v.record(v.string(), v.unknown()),
      ),
      parameters: v.optional(v.array(v.string())),
      required_parameters: v.optional(v.array(v.string())),
      public_module_path: v.pipe(v.string(), v.minLength(1)),
      function_name: v.pipe(v.string(), v.minLength(1)),
    });
/** One task of the catalogue. */
export interface RegistryEntry {
  /** Descriptive metadata. */
  metadata: RegistryMetadata;
  /** JSON Schema (object schema) of the parameters a form can set. */
  json_schema: Record<string, unknown>;
  /** Every argument name the task accepts, including those hidden from forms. */
  parameters?: string[] | undefined;
  /**
   * The arguments the task cannot be called without (those without a default), including
   * those hidden from forms. When absent, the JSON Schema's `required`.
   */
  required_parameters?: string[] | undefined;
  /** The import specifier to import the task from. */
  public_module_path: string;
  /** The export name of the task. */
  function_name: string;
}
/** Input accepted by {@linkcode RegistryEntry}. */
export type RegistryEntryInput = Omit<RegistryEntry, "metadata"> & {
  metadata: RegistryMetadataInput;
};

/**
 * The registry CLI's output: every discovered task keyed by its fully-qualified name
 * `<public_module_path>.<function_name>`.
 *
 * @example
 * ```ts
 * import * as v from "valibot";
 * import { RegistryOutput } from "@wt/contracts";
 *
 * const out = v.parse(RegistryOutput, { version: "1.0.0", entries: {} });
 * console.assert(Object.keys(out.entries).length === 0);
 * ```
 */
export const RegistryOutput: v.GenericSchema<
  RegistryOutputInput,
  RegistryOutput
> = v
  .object({
    version: v.literal(REGISTRY_OUTPUT_VERSION),
    entries: v.record(v.string(), RegistryEntry),
  });
/** The registry CLI's output. */
export interface RegistryOutput {
  /** Format version, {@linkcode REGISTRY_OUTPUT_VERSION}. */
  version: typeof REGISTRY_OUTPUT_VERSION;
  /** Tasks keyed by `<public_module_path>.<function_name>`. */
  entries: Record<string, RegistryEntry>;
}
/** Input accepted by {@linkcode RegistryOutput}. */
export interface RegistryOutputInput {
  /** Format version. */
  version: typeof REGISTRY_OUTPUT_VERSION;
  /** Tasks keyed by fully-qualified name. */
  entries: Record<string, RegistryEntryInput>;
}

/**
 * The fully-qualified name of a task: `<public_module_path>.<function_name>`.
 *
 * @param entry The entry (or its two naming fields).
 * @returns The key under which the entry is listed in a {@linkcode RegistryOutput}.
 *
 * @example
 * ```ts
 * import { qualifiedName } from "@wt/contracts";
 *
 * const name = qualifiedName({ public_module_path: "@acme/geo", function_name: "buffer" });
 * console.assert(name === "@acme/geo.buffer");
 * ```
 */
export function qualifiedName(
  entry: Pick<RegistryEntry, "public_module_path" | "function_name">,
): string {
  return `${entry.public_module_path}.${entry.function_name}`;
}

/**
 * Every argument name a registry entry accepts: `parameters` when given, otherwise the
 * properties of its JSON Schema.
 *
 * @param entry A registry entry.
 * @returns The argument names, in declaration order.
 *
 * @example
 * ```ts
 * import { entryParameters } from "@wt/contracts";
 *
 * const names = entryParameters({
 *   metadata: { tags: [], deprecated: false },
 *   json_schema: { type: "object", properties: { a: {}, b: {} } },
 *   public_module_path: "m",
 *   function_name: "f",
 * });
 * console.assert(names.join() === "a,b");
 * ```
 */
export function entryParameters(entry: RegistryEntry): string[] {
  if (entry.parameters) return [...entry.parameters];
  const props = entry.json_schema["properties"];
  return props && typeof props === "object" ? Object.keys(props) : [];
}

/**
 * The arguments a registry entry cannot be called without: `required_parameters` when
 * given (hidden arguments included), otherwise the `required` list of its JSON Schema.
 *
 * @param entry A registry entry.
 * @returns The required argument names.
 *
 * @example
 * ```ts
 * import { entryRequiredParameters } from "@wt/contracts";
 *
 * const entry = {
 *   metadata: { tags: [], deprecated: false },
 *   json_schema: { type: "object", properties: { n: {} }, required: ["n"] },
 *   public_module_path: "m",
 *   function_name: "f",
 * };
 * console.assert(entryRequiredParameters(entry).join() === "n");
 * const hidden = { ...entry, parameters: ["n", "frame"], required_parameters: ["n", "frame"] };
 * console.assert(entryRequiredParameters(hidden).join() === "n,frame");
 * ```
 */
export function entryRequiredParameters(entry: RegistryEntry): string[] {
  if (entry.required_parameters) return [...entry.required_parameters];
  const required = entry.json_schema["required"];
  return Array.isArray(required)
    ? required.filter((x): x is string => typeof x === "string")
    : [];
}
