/**
 * The task catalogue: the tasks a spec can name, built from a `RegistryOutput`, and the
 * resolution of task names as written in a spec.
 *
 * @module
 */
import {
  entryParameters,
  qualifiedName,
  type RegistryEntry,
  type RegistryOutput,
} from "@wt/contracts";
import { nearest } from "./_suggest.ts";

/** A task name that resolved to one catalogue entry. */
export interface ResolvedTask {
  /** Discriminator. */
  kind: "found";
  /** The fully-qualified name `<public_module_path>.<function_name>`. */
  qualified: string;
  /** The entry. */
  entry: RegistryEntry;
}

/** A task name that matches no catalogue entry. */
export interface UnknownTask {
  /** Discriminator. */
  kind: "unknown";
  /** Nearest known names (bare or qualified, like the name as written), best first. */
  suggestions: string[];
}

/** A bare task name exported by several modules. */
export interface AmbiguousTask {
  /** Discriminator. */
  kind: "ambiguous";
  /** The fully-qualified names of every match. */
  candidates: string[];
}

/** Result of {@linkcode Catalogue.resolve}. */
export type TaskResolution = ResolvedTask | UnknownTask | AmbiguousTask;

/**
 * The tasks available to a spec. Bare names resolve by `function_name` (a name exported by
 * several modules is ambiguous); qualified names are `<public_module_path>.<function_name>`.
 *
 * @example
 * ```ts
 * import { Catalogue } from "./catalogue.ts";
 *
 * const entry = (mod: string, fn: string) => ({
 *   metadata: { tags: [], deprecated: false },
 *   json_schema: { type: "object", properties: {} },
 *   public_module_path: mod,
 *   function_name: fn,
 * });
 * const cat = new Catalogue({
 *   version: "1.0.0",
 *   entries: { "@a/m.add": entry("@a/m", "add"), "@a/n.add": entry("@a/n", "add") },
 * });
 * console.assert(cat.resolve("add").kind === "ambiguous");
 * console.assert(cat.resolve("@a/n.add").kind === "found");
 * console.assert(cat.resolve("ad").kind === "unknown");
 * ```
 */
export class Catalogue {
  /** Every entry by fully-qualified name. */
  readonly entries: ReadonlyMap<string, RegistryEntry>;
  readonly #byFunction = new Map<string, string[]>();
  readonly #cache = new Map<string, TaskResolution>();

  /**
   * Index the entries of a registry output by qualified and by function name.
   *
   * @param registry A registry output (e.g. parsed from `--registry FILE` or discovery).
   */
  constructor(registry: RegistryOutput) {
    const entries = new Map<string, RegistryEntry>();
    for (const [key, entry] of Object.entries(registry.entries)) {
      const q = qualifiedName(entry);
      entries.set(q, entry);
      if (key !== q) entries.set(key, entry);
      const list = this.#byFunction.get(entry.function_name) ?? [];
      if (!list.includes(q)) list.push(q);
      this.#byFunction.set(entry.function_name, list);
    }
    this.entries = entries;
  }

  /**
   * Resolve a task name as written in a spec.
   *
   * @param name A bare export name (`add`) or a qualified name (`@acme/geo.buffer`).
   * @returns The entry, or why it did not resolve (with suggestions or candidates).
   *
   * @example
   * ```ts
   * import { Catalogue } from "./catalogue.ts";
   *
   * const cat = new Catalogue({ version: "1.0.0", entries: {} });
   * console.assert(cat.resolve("add").kind === "unknown");
   * ```
   */
  resolve(name: string): TaskResolution {
    const cached = this.#cache.get(name);
    if (cached) return cached;
    const r = this.#resolve(name);
    this.#cache.set(name, r);
    return r;
  }

  #resolve(name: string): TaskResolution {
    const direct = this.entries.get(name);
    if (direct) {
      return { kind: "found", qualified: qualifiedName(direct), entry: direct };
    }
    const bare = this.#byFunction.get(name);
    if (bare && bare.length > 0) {
      if (bare.length > 1) return { kind: "ambiguous", candidates: [...bare] };
      const q = bare[0]!;
      return { kind: "found", qualified: q, entry: this.entries.get(q)! };
    }
    const qualified = name.includes(".");
    const pool = qualified ? this.entries.keys() : this.#byFunction.keys();
    let suggestions = nearest(name, pool);
    if (qualified && suggestions.length === 0) {
      // A qualified name with a wrong module: suggest the modules exporting that function.
      const fn = name.slice(name.lastIndexOf(".") + 1);
      suggestions = this.#byFunction.get(fn)?.slice(0, 3) ?? [];
    }
    return { kind: "unknown", suggestions };
  }

  /**
   * The entry a task name resolves to, for phases that run after validation (schemas,
   * code generation).
   *
   * @param name A task name as written in the spec.
   * @returns The entry.
   * @throws {Error} When the name is unknown or ambiguous (validate the spec first).
   *
   * @example
   * ```ts
   * import { Catalogue } from "./catalogue.ts";
   *
   * const cat = new Catalogue({ version: "1.0.0", entries: { "m.f": {
   *   metadata: { tags: [], deprecated: false }, json_schema: {},
   *   public_module_path: "m", function_name: "f",
   * } } });
   * console.assert(cat.entryFor("f").function_name === "f");
   * ```
   */
  entryFor(name: string): RegistryEntry {
    const r = this.resolve(name);
    if (r.kind !== "found") throw new Error(describeResolution(name, r));
    return r.entry;
  }

  /**
   * The bare function names of every task in the catalogue.
   *
   * @returns The names, sorted.
   *
   * @example
   * ```ts
   * import { Catalogue } from "./catalogue.ts";
   *
   * console.assert(new Catalogue({ version: "1.0.0", entries: {} }).functionNames().length === 0);
   * ```
   */
  functionNames(): string[] {
    return [...this.#byFunction.keys()].sort();
  }

  /**
   * Every argument name a task accepts (form parameters and hidden ones).
   *
   * @param entry A catalogue entry.
   * @returns The argument names.
   *
   * @example
   * ```ts
   * import { Catalogue } from "./catalogue.ts";
   *
   * const names = Catalogue.parametersOf({
   *   metadata: { tags: [], deprecated: false },
   *   json_schema: { type: "object", properties: { a: {} } },
   *   parameters: ["a", "df"],
   *   public_module_path: "m",
   *   function_name: "f",
   * });
   * console.assert(names.join() === "a,df");
   * ```
   */
  static parametersOf(entry: RegistryEntry): string[] {
    return entryParameters(entry);
  }
}

/**
 * Render a failed resolution as the end of a diagnostic message.
 *
 * @param name The task name as written.
 * @param r The resolution (unknown or ambiguous).
 * @returns A sentence naming the problem and the fix.
 *
 * @example
 * ```ts
 * import { describeResolution } from "./catalogue.ts";
 *
 * const msg = describeResolution("add", { kind: "ambiguous", candidates: ["@a/m.add", "@a/n.add"] });
 * console.assert(msg.includes("@a/m.add"));
 * ```
 */
export function describeResolution(name: string, r: TaskResolution): string {
  if (r.kind === "ambiguous") {
    return `task name \`${name}\` is ambiguous: it is exported by ${r.candidates.length} modules (${
      r.candidates.map((c) => `\`${c}\``).join(", ")
    }); write the qualified name, e.g. \`${r.candidates[0]}\``;
  }
  if (r.kind === "unknown") {
    const hint = r.suggestions.length
      ? `; did you mean ${r.suggestions.map((s) => `\`${s}\``).join(" or ")}?`
      : "; check the spelling and the `requirements` that provide it";
    return `unknown task \`${name}\`${hint}`;
  }
  return `task \`${name}\` is \`${r.qualified}\``;
}
