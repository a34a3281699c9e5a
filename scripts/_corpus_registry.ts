/**
 * Derive a task registry from a corpus case: the tasks its spec names, with form
 * parameters taken from what the reference `params.json` shows for their instances.
 *
 * The derivation works per TASK, not per instance: a task's form parameters are the union
 * of the properties the reference shows for any of its instances (in a merged order), its
 * `required` is the union of what the reference marks required, its `$defs` those the
 * shown properties reach, and its description the one the reference shows. Arguments the
 * spec binds that no reference schema shows become hidden parameters (`parameters` only).
 * Removing bound arguments per instance, recomputing `required`, pruning `$defs`, nesting
 * groups, `ui:order` and overrides are left to the compiler.
 *
 * @module
 */
import {
  qualifiedName,
  REGISTRY_OUTPUT_VERSION,
  type RegistryEntry,
  type RegistryOutput,
} from "@wt/contracts";
import { flattenInstances, type Spec, type TaskInstance } from "@wt/compiler";

/** A JSON object. */
export type JsonObject = Record<string, unknown>;

/** A registry derived from a case, and how the case's task names map into it. */
export interface DerivedRegistry {
  /** The registry. */
  registry: RegistryOutput;
  /** Task name as written in the spec → qualified name of its entry. */
  keyOf: Map<string, string>;
  /** The registry entry of a task instance. */
  entryFor: (instance: TaskInstance) => RegistryEntry;
}

/** Module path given to tasks the spec only names bare. */
export const CORPUS_MODULE = "corpus";

/** Whether a value is a JSON object (not null, not an array). */
export function isObject(x: unknown): x is JsonObject {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}

function splitName(name: string): { module: string | undefined; fn: string } {
  const dot = name.lastIndexOf(".");
  return dot < 0
    ? { module: undefined, fn: name }
    : { module: name.slice(0, dot), fn: name.slice(dot + 1) };
}

/**
 * Merge several orderings of (subsets of) the same names into one order that respects
 * every given sequence where they agree; ties and conflicts fall back to first appearance.
 *
 * @param sequences Orderings, e.g. the property names of each instance.
 * @returns Every name once.
 */
export function mergeOrders(
  sequences: readonly (readonly string[])[],
): string[] {
  const first = new Map<string, number>();
  const after = new Map<string, Set<string>>();
  const indegree = new Map<string, number>();
  for (const seq of sequences) {
    for (const name of seq) {
      if (!first.has(name)) {
        first.set(name, first.size);
        after.set(name, new Set());
        indegree.set(name, 0);
      }
    }
    for (let i = 1; i < seq.length; i++) {
      const a = seq[i - 1] as string, b = seq[i] as string;
      const succ = after.get(a) as Set<string>;
      if (a !== b && !succ.has(b)) {
        succ.add(b);
        indegree.set(b, (indegree.get(b) as number) + 1);
      }
    }
  }
  const out: string[] = [];
  const done = new Set<string>();
  const byFirst = [...first.keys()];
  while (out.length < byFirst.length) {
    const next = byFirst.find((n) => !done.has(n) && indegree.get(n) === 0) ??
      byFirst.find((n) => !done.has(n)) as string; // cycle: first appearance wins
    done.add(next);
    out.push(next);
    for (const succ of after.get(next) as Set<string>) {
      indegree.set(succ, (indegree.get(succ) as number) - 1);
    }
  }
  return out;
}

function refsIn(node: unknown, into: Set<string>): void {
  if (Array.isArray(node)) node.forEach((n) => refsIn(n, into));
  else if (isObject(node)) {
    const ref = node["$ref"];
    if (typeof ref === "string" && ref.startsWith("#/$defs/")) {
      into.add(ref.slice(8));
    }
    Object.values(node).forEach((n) => refsIn(n, into));
  }
}

/** Every definition of `defs` that `roots` refer to, directly or through other defs. */
function closure(roots: unknown, defs: JsonObject): JsonObject {
  const seen = new Set<string>();
  const first = new Set<string>();
  refsIn(roots, first);
  const stack = [...first];
  while (stack.length > 0) {
    const name = stack.pop() as string;
    if (seen.has(name)) continue;
    seen.add(name);
    const more = new Set<string>();
    if (Object.hasOwn(defs, name)) refsIn(defs[name], more);
    stack.push(...more);
  }
  const out: JsonObject = {};
  for (const name of seen) {
    if (Object.hasOwn(defs, name)) out[name] = defs[name];
  }
  return out;
}

interface Accumulator {
  module: string;
  fn: string;
  orders: string[][];
  props: JsonObject;
  required: string[][];
  extraKeys: JsonObject;
  description: string | undefined;
  bound: Set<string>;
}

/**
 * Derive the registry of a corpus case.
 *
 * @param spec The case's parsed spec.
 * @param params The case's reference `params.json`.
 * @returns The registry, the name → key map and an `entryFor` resolver.
 * @throws {Error} When a task name is ambiguous in the derived registry.
 */
export function deriveRegistry(
  spec: Spec,
  params: JsonObject,
): DerivedRegistry {
  const instances = flattenInstances(spec);
  const names = new Set<string>();
  for (const inst of instances) {
    names.add(inst.task);
    for (const c of inst.skipif?.conditions ?? []) names.add(c);
  }
  for (const c of spec.task_instance_defaults.skipif?.conditions ?? []) {
    names.add(c);
  }

  // Bare names take the module of the qualified uses of the same function, if exactly one.
  const modulesOf = new Map<string, Set<string>>();
  for (const name of names) {
    const { module, fn } = splitName(name);
    if (module !== undefined) {
      const set = modulesOf.get(fn) ?? new Set<string>();
      set.add(module);
      modulesOf.set(fn, set);
    }
  }
  const keyOf = new Map<string, string>();
  const acc = new Map<string, Accumulator>();
  for (const name of names) {
    const split = splitName(name);
    const mods = modulesOf.get(split.fn);
    const module = split.module ??
      (mods?.size === 1 ? [...mods][0] as string : CORPUS_MODULE);
    const key = qualifiedName({
      public_module_path: module,
      function_name: split.fn,
    });
    keyOf.set(name, key);
    if (!acc.has(key)) {
      acc.set(key, {
        module,
        fn: split.fn,
        orders: [],
        props: {},
        required: [],
        extraKeys: {},
        description: undefined,
        bound: new Set(),
      });
    }
  }

  const refProps = isObject(params["properties"]) ? params["properties"] : {};
  const refDefs = isObject(params["$defs"]) ? params["$defs"] : {};
  for (const inst of instances) {
    const a = acc.get(keyOf.get(inst.task) as string) as Accumulator;
    for (const name of Object.keys(inst.partial)) a.bound.add(name);
    for (const name of inst.map?.argnames ?? []) a.bound.add(name);
    for (const name of inst.mapvalues?.argnames ?? []) a.bound.add(name);
    const shown = refProps[inst.id];
    if (!isObject(shown)) continue;
    const props = isObject(shown["properties"]) ? shown["properties"] : {};
    a.orders.push(Object.keys(props));
    for (const [name, sub] of Object.entries(props)) {
      if (!Object.hasOwn(a.props, name)) a.props[name] = sub;
    }
    if (Array.isArray(shown["required"])) {
      a.required.push(shown["required"] as string[]);
    }
    for (const [k, v] of Object.entries(shown)) {
      if (["properties", "required", "title", "description"].includes(k)) {
        continue;
      }
      if (!Object.hasOwn(a.extraKeys, k)) a.extraKeys[k] = v;
    }
    if (
      typeof shown["description"] === "string" && a.description === undefined
    ) {
      a.description = shown["description"];
    }
  }

  const entries: Record<string, RegistryEntry> = {};
  for (const [key, a] of acc) {
    const order = mergeOrders(a.orders);
    const properties: JsonObject = {};
    for (const name of order) properties[name] = a.props[name];
    const jsonSchema: JsonObject = {
      additionalProperties: false,
      type: "object",
      ...a.extraKeys,
      properties,
      required: mergeOrders(a.required),
    };
    const defs = closure(properties, refDefs);
    if (Object.keys(defs).length > 0) jsonSchema["$defs"] = defs;
    const hidden = [...a.bound].filter((n) => !Object.hasOwn(properties, n));
    const metadata: RegistryEntry["metadata"] = {
      title: a.fn,
      tags: [],
      deprecated: false,
    };
    if (a.description !== undefined) metadata.description = a.description;
    entries[key] = {
      metadata,
      json_schema: jsonSchema,
      parameters: [...order, ...hidden],
      public_module_path: a.module,
      function_name: a.fn,
    };
  }
  const registry: RegistryOutput = {
    version: REGISTRY_OUTPUT_VERSION,
    entries,
  };
  return {
    registry,
    keyOf,
    entryFor: (instance) => {
      const key = keyOf.get(instance.task);
      const entry = key === undefined ? undefined : entries[key];
      if (entry === undefined) {
        throw new Error(`no derived entry for task \`${instance.task}\``);
      }
      return entry;
    },
  };
}
