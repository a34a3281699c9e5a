/**
 * The form schema of one task instance: the task's parameter schema without the arguments
 * the spec binds.
 *
 * @module
 */
import type { RegistryEntry } from "@wt/contracts";
import type { TaskInstance } from "./spec_model.ts";
import { reachableDefs } from "./_schema_defs.ts";
import { cloneJson, isJsonObject, type JsonObject } from "./_schema_json.ts";

/** What one task instance contributes to the form. */
export interface InstanceSchema {
  /** The instance's object schema (no `$defs`; title and description set). */
  schema: JsonObject;
  /** The definitions its remaining properties reach. */
  defs: JsonObject;
}

/**
 * Argument names a task instance binds in the spec: `partial` keys and the `map` /
 * `mapvalues` argnames.
 *
 * @param instance A task instance.
 * @returns The bound argument names.
 */
export function boundArguments(instance: TaskInstance): Set<string> {
  return new Set([
    ...Object.keys(instance.partial),
    ...(instance.map?.argnames ?? []),
    ...(instance.mapvalues?.argnames ?? []),
  ]);
}

/**
 * The form schema of a task instance, or `undefined` when nothing is left to set.
 *
 * @param instance The task instance.
 * @param entry The registry entry of its task.
 * @returns The schema and the definitions it needs, or `undefined`.
 */
export function instanceSchema(
  instance: TaskInstance,
  entry: RegistryEntry,
): InstanceSchema | undefined {
  const schema = cloneJson(entry.json_schema);
  const description = entry.metadata.description;
  if (description !== undefined && !Object.hasOwn(schema, "description")) {
    schema["description"] = description;
  }
  const bound = boundArguments(instance);
  const allProps = isJsonObject(schema["properties"])
    ? schema["properties"]
    : {};
  const props: JsonObject = {};
  for (const [name, sub] of Object.entries(allProps)) {
    if (!bound.has(name)) props[name] = sub;
  }
  if (Object.keys(props).length === 0) return undefined;
  schema["properties"] = props;
  const required = Array.isArray(schema["required"]) ? schema["required"] : [];
  schema["required"] = required.filter((name) =>
    typeof name === "string" && Object.hasOwn(props, name)
  );
  schema["title"] = instance.name ?? "";
  const allDefs = isJsonObject(schema["$defs"]) ? schema["$defs"] : {};
  delete schema["$defs"];
  return { schema, defs: reachableDefs(props, allDefs) };
}
