/**
 * `$defs` reachability: which definitions a schema refers to, directly or through other
 * definitions.
 *
 * @module
 */
import { isJsonObject, type JsonObject } from "./_schema_json.ts";

const DEFS_PREFIX = "#/$defs/";

/** The definition name a local `$ref` points at, or `undefined` for other references. */
function defName(ref: unknown): string | undefined {
  if (typeof ref !== "string" || !ref.startsWith(DEFS_PREFIX)) return undefined;
  const token = ref.slice(DEFS_PREFIX.length);
  if (token.includes("/")) return undefined;
  return decodeURIComponent(token).replaceAll("~1", "/").replaceAll("~0", "~");
}

function collectRefs(node: unknown, into: Set<string>): void {
  if (Array.isArray(node)) {
    for (const item of node) collectRefs(item, into);
  } else if (isJsonObject(node)) {
    const name = defName(node["$ref"]);
    if (name !== undefined) into.add(name);
    for (const [key, value] of Object.entries(node)) {
      if (key !== "$ref") collectRefs(value, into);
    }
  }
}

/**
 * The definitions reachable from `roots`: those referred to by a `#/$defs/<name>` `$ref`
 * anywhere in `roots`, and transitively those the reachable definitions refer to.
 *
 * @param roots The schema parts to start from (e.g. the properties that remain).
 * @param defs The available definitions.
 * @returns The reachable definitions that exist in `defs`, in the order of `defs`.
 */
export function reachableDefs(roots: unknown, defs: JsonObject): JsonObject {
  const seen = new Set<string>();
  const queue: string[] = [];
  const visit = (node: unknown) => {
    const found = new Set<string>();
    collectRefs(node, found);
    for (const name of found) {
      if (!seen.has(name)) {
        seen.add(name);
        queue.push(name);
      }
    }
  };
  visit(roots);
  while (queue.length > 0) {
    const name = queue.shift() as string;
    if (Object.hasOwn(defs, name)) visit(defs[name]);
  }
  const out: JsonObject = {};
  for (const [name, def] of Object.entries(defs)) {
    if (seen.has(name)) out[name] = def;
  }
  return out;
}
