/**
 * Marking task parameters as hidden from forms.
 *
 * @module
 */
import * as v from "valibot";

/**
 * The metadata key that {@linkcode hidden} sets on a parameter schema.
 *
 * @example
 * ```ts
 * import * as v from "valibot";
 * import { HIDDEN_KEY, hidden } from "@wt/registry";
 *
 * const rows = v.pipe(v.array(v.string()), hidden());
 * console.assert((v.getMetadata(rows) as Record<string, unknown>)[HIDDEN_KEY] === true);
 * ```
 */
export const HIDDEN_KEY = "wt.hidden" as const;

/** The metadata that {@linkcode hidden} attaches. */
export type HiddenMetadata = { readonly "wt.hidden": true };

/**
 * A valibot pipe action that hides a task parameter from forms: the parameter stays an
 * argument of the task (listed in the registry entry's `parameters`, so another task's
 * output can be passed to it) but is left out of its `json_schema`. Use it for values that
 * only another task can supply.
 *
 * @typeParam TInput The input type of the schema it is piped into.
 * @returns A metadata action for `v.pipe(schema, hidden())`.
 *
 * @example
 * ```ts
 * import * as v from "valibot";
 * import { hidden, register, taskInfo } from "@wt/registry";
 *
 * const label = register({
 *   params: v.object({ rows: v.pipe(v.array(v.string()), hidden()), prefix: v.string() }),
 * }, ({ rows, prefix }) => rows.map((r) => prefix + r));
 * const info = taskInfo(label)!;
 * console.assert(info.parameters.join() === "rows,prefix");
 * console.assert(!("rows" in (info.json_schema.properties as object)));
 * ```
 */
export function hidden<TInput>(): v.MetadataAction<TInput, HiddenMetadata> {
  return v.metadata<TInput, HiddenMetadata>({ [HIDDEN_KEY]: true });
}

type Node = {
  type?: unknown;
  kind?: unknown;
  pipe?: unknown;
  wrapped?: unknown;
  metadata?: unknown;
};

/**
 * Whether a parameter schema is marked with {@linkcode hidden} (directly, or inside
 * `optional`/`nullable`/… wrappers).
 *
 * @param schema A valibot schema.
 * @returns `true` when the schema or a wrapped schema carries the hidden marker.
 *
 * @example
 * ```ts
 * import * as v from "valibot";
 * import { hidden, isHidden } from "@wt/registry";
 *
 * console.assert(isHidden(v.optional(v.pipe(v.number(), hidden()))));
 * console.assert(!isHidden(v.number()));
 * ```
 */
export function isHidden(schema: unknown): boolean {
  let node = schema as Node | undefined;
  for (let depth = 0; node && typeof node === "object" && depth < 32; depth++) {
    if (Array.isArray(node.pipe)) {
      for (const item of node.pipe as Node[]) {
        if (
          item?.kind === "metadata" && item.type === "metadata" &&
          typeof item.metadata === "object" && item.metadata !== null &&
          (item.metadata as Record<string, unknown>)[HIDDEN_KEY] === true
        ) return true;
        if (item !== node && item?.kind === "schema" && isHidden(item)) {
          return true;
        }
      }
    }
    node = node.wrapped as Node | undefined;
  }
  return false;
}
