/**
 * Map the runner's validation items (paths into flat workflow parameters) onto the form's
 * layout (task-group members nested under their group titles), as RJSF `extraErrors`.
 * Pure functions: used by the browser client and tested under Deno.
 *
 * @module
 */
import type { ValidationErrorItem } from "@wt/contracts";

/**
 * The key that marks a task group in `rjsf.json` (the same value as `TASK_GROUP_MARKER` of
 * `@wt/contracts`; repeated here so the browser bundle does not pull in the contracts'
 * validators).
 */
export const GROUP_MARKER = "ecoscope:task_group";

/** A JSON object. */
export type JsonObject = Record<string, unknown>;

/** An RJSF error schema: `__errors` at each node, children by property name or index. */
export interface ErrorTree {
  /** Messages for this node. */
  __errors?: string[];
  /** Children. */
  [key: string]: ErrorTree | string[] | undefined;
}

/** Whether a value is a JSON object (not null, not an array). */
export function isObject(x: unknown): x is JsonObject {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}

/**
 * Which task group (by title) each grouped task instance belongs to.
 *
 * @param rjsf The workflow's `rjsf.json`.
 * @returns Task instance id → group title.
 */
export function groupOwners(rjsf: JsonObject): Map<string, string> {
  const owners = new Map<string, string>();
  const props = isObject(rjsf["properties"]) ? rjsf["properties"] : {};
  for (const [title, group] of Object.entries(props)) {
    if (!isObject(group) || group[GROUP_MARKER] !== true) continue;
    const members = isObject(group["properties"]) ? group["properties"] : {};
    for (const id of Object.keys(members)) owners.set(id, title);
  }
  return owners;
}

/**
 * The form-data path of a parameter path: a grouped task instance gets its group title in
 * front.
 *
 * @param path Path inside the workflow parameters (first segment: task instance id).
 * @param owners From {@linkcode groupOwners}.
 * @returns Path inside the form data.
 */
export function formPath(
  path: readonly (string | number)[],
  owners: Map<string, string>,
): (string | number)[] {
  const first = path[0];
  if (typeof first === "string") {
    const title = owners.get(first);
    if (title !== undefined) return [title, ...path];
  }
  return [...path];
}

/**
 * Turn server validation items into an RJSF error schema, each message at the field it
 * concerns (group nesting included); items without a path land at the form's root.
 *
 * @param items Validation items from a 422 answer (`error.details`).
 * @param rjsf The workflow's `rjsf.json`.
 * @param prefix Leading path segments to drop first (e.g. `["params"]` for `POST /runs`).
 * @returns The error schema for RJSF's `extraErrors`.
 */
export function itemsToErrorSchema(
  items: readonly Pick<ValidationErrorItem, "message" | "path">[],
  rjsf: JsonObject,
  prefix: readonly string[] = [],
): ErrorTree {
  const owners = groupOwners(rjsf);
  const root: ErrorTree = {};
  for (const item of items) {
    let path: (string | number)[] = [...item.path];
    if (prefix.length && prefix.every((p, i) => path[i] === p)) {
      path = path.slice(prefix.length);
    }
    let node = root;
    for (const seg of formPath(path, owners)) {
      const key = String(seg);
      const next = node[key];
      if (isObject(next)) {
        node = next as ErrorTree;
      } else {
        const child: ErrorTree = {};
        node[key] = child;
        node = child;
      }
    }
    (node.__errors ??= []).push(item.message);
  }
  return root;
}
