/**
 * `uiSchema` layout of the generated forms: `ui:order` wherever a form object has two or
 * more children.
 *
 * @module
 */
import { TASK_GROUP_MARKER } from "@wt/contracts";
import { isJsonObject, type JsonObject } from "./_schema_json.ts";

function childKeys(schema: JsonObject): string[] {
  return isJsonObject(schema["properties"])
    ? Object.keys(schema["properties"])
    : [];
}

/**
 * The `uiSchema` entry of one top-level form property (a task instance or a task group),
 * or `undefined` when it needs none: `ui:order` when it has two or more children and, for
 * a group, a nested entry with `ui:order` for each member task with two or more arguments.
 *
 * @param schema The property's schema.
 * @returns The `uiSchema` entry, or `undefined`.
 */
export function uiEntry(schema: JsonObject): JsonObject | undefined {
  const entry: JsonObject = {};
  const keys = childKeys(schema);
  if (keys.length > 1) entry["ui:order"] = keys;
  if (schema[TASK_GROUP_MARKER] === true) {
    const members = schema["properties"] as JsonObject;
    for (const id of keys) {
      const member = members[id];
      if (!isJsonObject(member)) continue;
      const order = childKeys(member);
      if (order.length > 1) entry[id] = { "ui:order": order };
    }
  }
  return Object.keys(entry).length > 0 ? entry : undefined;
}

/**
 * The `uiSchema` of a form: one entry per top-level property that needs one (see
 * {@linkcode uiEntry}), then the top-level `ui:order` listing every property.
 *
 * @param properties The form's top-level properties, in display order.
 * @returns The `uiSchema`.
 */
export function buildUiSchema(properties: JsonObject): JsonObject {
  const ui: JsonObject = {};
  for (const [key, schema] of Object.entries(properties)) {
    if (!isJsonObject(schema)) continue;
    const entry = uiEntry(schema);
    if (entry !== undefined) ui[key] = entry;
  }
  ui["ui:order"] = Object.keys(properties);
  return ui;
}
