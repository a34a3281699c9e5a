/**
 * Parameter schemas of a workflow: `params.json` (one flat property per task instance that
 * still has user-settable arguments) and `rjsf.json` (the same, with task groups nested
 * under their titles and the spec's `rjsf-overrides` applied).
 *
 * @module
 */
import { type RegistryEntry, TASK_GROUP_MARKER } from "@wt/contracts";
import type { Spec, TaskInstance } from "./spec_model.ts";
import { instanceSchema } from "./_schema_instance.ts";
import { buildUiSchema } from "./_schema_ui.ts";
import {
  applyDottedOverrides,
  isJsonObject,
  type JsonObject,
  type OverrideProblem,
} from "./_schema_json.ts";

export { type OverrideProblem, SchemaOverrideError } from "./_schema_json.ts";

/** Options of {@linkcode generateSchemas}. */
export interface GenerateSchemasOptions {
  /**
   * Receives each `rjsf-overrides` problem instead of a thrown
   * {@linkcode SchemaOverrideError}: an override through a non-object (skipped), or one that
   * creates keys the generated form does not have.
   */
  onOverrideProblem?: ((problem: OverrideProblem) => void) | undefined;
}

/** The two generated form schemas. */
export interface GeneratedSchemas {
  /** `params.json`: flat, one property per task instance; no overrides. */
  params: Record<string, unknown>;
  /** `rjsf.json`: task groups nested under their titles; `rjsf-overrides` applied. */
  rjsf: Record<string, unknown>;
}

interface FormParts {
  properties: JsonObject;
  defs: JsonObject;
}

function assemble(parts: FormParts): JsonObject {
  return {
    properties: parts.properties,
    $defs: parts.defs,
    uiSchema: buildUiSchema(parts.properties),
    additionalProperties: false,
  };
}

/**
 * Generate `params.json` and `rjsf.json` for a parsed spec.
 *
 * Per task instance: the task's JSON Schema without the arguments the spec binds (`partial`
 * keys, `map`/`mapvalues` argnames), `required` recomputed, title = the instance name (`""`
 * when null or absent), description = the task's description unless the schema has one, and
 * `$defs` moved to the top level keeping only those the remaining properties reach
 * (transitively). Instances with nothing left to set are omitted, and so are groups left
 * empty. `uiSchema` carries `ui:order` wherever an object has two or more children, plus
 * the top-level `ui:order`. In `rjsf.json`, each task group becomes an object property
 * under its title marked with {@linkcode TASK_GROUP_MARKER}; groups with the same title are
 * merged; then `rjsf-overrides` are applied by dotted key path (`properties`, `$defs`,
 * `uiSchema`). `params.json` gets no overrides.
 *
 * @param spec The parsed spec.
 * @param entryFor Resolves a task instance to the registry entry of its task.
 * @param options Where to report override problems instead of throwing.
 * @returns Both schemas, as fresh JSON objects.
 * @throws {SchemaOverrideError} When an override path runs through a non-object value
 *   (without `options.onOverrideProblem`).
 *
 * @example
 * ```ts
 * import { generateSchemas } from "./schemas.ts";
 * import type { Spec } from "./spec_model.ts";
 *
 * const pos = { line: 1, col: 1 };
 * const spec: Spec = {
 *   id: "w", requirements: [], file: "spec.yaml", task_instance_defaults: {},
 *   rjsf_overrides: { properties: {}, $defs: {}, uiSchema: {} },
 *   workflow: [{ type: "task", id: "total", name: "Add", task: "add", partial: { b: 1 }, pos }],
 * };
 * const { params } = generateSchemas(spec, () => ({
 *   metadata: { tags: [], deprecated: false },
 *   json_schema: {
 *     type: "object",
 *     properties: { a: { type: "number" }, b: { type: "number" } },
 *     required: ["a", "b"],
 *   },
 *   public_module_path: "m",
 *   function_name: "add",
 * }));
 * const total = (params.properties as Record<string, { required: string[] }>).total;
 * console.assert(total?.required.join() === "a");
 * ```
 */
export function generateSchemas(
  spec: Spec,
  entryFor: (instance: TaskInstance) => RegistryEntry,
  options: GenerateSchemasOptions = {},
): GeneratedSchemas {
  const flat: FormParts = { properties: {}, defs: {} };
  const nested: FormParts = { properties: {}, defs: {} };

  const take = (instance: TaskInstance): JsonObject | undefined => {
    const got = instanceSchema(instance, entryFor(instance));
    if (got === undefined) return undefined;
    flat.properties[instance.id] = got.schema;
    Object.assign(flat.defs, got.defs);
    Object.assign(nested.defs, structuredClone(got.defs));
    return structuredClone(got.schema);
  };

  for (const item of spec.workflow) {
    if (item.type === "task") {
      const schema = take(item);
      if (schema !== undefined) nested.properties[item.id] = schema;
      continue;
    }
    const members: JsonObject = {};
    for (const instance of item.tasks) {
      const schema = take(instance);
      if (schema !== undefined) members[instance.id] = schema;
    }
    if (Object.keys(members).length === 0) continue;
    const existing = nested.properties[item.title];
    if (isJsonObject(existing) && existing[TASK_GROUP_MARKER] === true) {
      Object.assign(existing["properties"] as JsonObject, members);
      continue;
    }
    const group: JsonObject = { type: "object" };
    if (item.description !== undefined) group["description"] = item.description;
    group[TASK_GROUP_MARKER] = true;
    group["properties"] = members;
    nested.properties[item.title] = group;
  }

  const params = assemble(flat);
  const rjsf = assemble(nested);
  const overrides = spec.rjsf_overrides;
  const report = options.onOverrideProblem;
  applyDottedOverrides(
    "properties",
    overrides.properties,
    rjsf["properties"] as JsonObject,
    report,
  );
  applyDottedOverrides(
    "$defs",
    overrides.$defs,
    rjsf["$defs"] as JsonObject,
    report,
  );
  applyDottedOverrides(
    "uiSchema",
    overrides.uiSchema,
    rjsf["uiSchema"] as JsonObject,
    report,
  );
  return { params, rjsf };
}
