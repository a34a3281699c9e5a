/**
 * The built-in skip conditions, registered as tasks so that any spec can name them in
 * `skipif` (and in `task-instance-defaults`) without a requirement: the compiler always
 * discovers this module, and generated workflows import the ones they use from
 * `@wt/registry/conditions`.
 *
 * | task | holds when |
 * |---|---|
 * | `any_dependency_skipped` | any value is the skip sentinel (a dependency was skipped) |
 * | `any_is_empty` | any value is empty (`null`, `""`, `[]`, `{}`, an empty `Map`/`Set` or table) |
 * | `all_are_none` | there is at least one value and every value is `null`/`undefined` |
 * | `never` | never (switches the spec's default conditions off for one instance) |
 *
 * They mean exactly what `anyDependencySkipped`, `anyIsEmpty`, `allAreNone` and `never` of
 * `@wt/task` mean; the sentinel and emptiness tests are `isSkipSentinel` and `isEmptyValue`
 * of `@wt/contracts`, shared by both packages.
 *
 * @example
 * ```ts
 * import { any_dependency_skipped, any_is_empty, never } from "@wt/registry/conditions";
 *
 * const skipped = { [Symbol.for("wt.task.skip")]: true };
 * console.assert(any_dependency_skipped({ values: [1, skipped] }));
 * console.assert(any_is_empty({ values: [[1], []] }));
 * console.assert(!never({ values: [skipped] }));
 * ```
 *
 * @module
 */
import * as v from "valibot";
import { isEmptyValue, isSkipSentinel } from "@wt/contracts";
import { register, type RegisteredTask } from "./register.ts";

/** The parameters of a skip condition: the task's argument values, flattened. */
export interface ConditionParams {
  /** The argument values, flattened to the task instance's unpack depth. */
  values: unknown[];
}

/** A skip condition registered as a task: `({ values }) => boolean`. */
export type ConditionTask = RegisteredTask<
  ConditionParams,
  ConditionParams,
  boolean
>;

const params = v.object({ values: v.array(v.unknown()) });

const TAGS = ["condition"];

/**
 * Holds when any value is the skip sentinel: a task instance that depends on a skipped one
 * is skipped too (the usual `task-instance-defaults` condition).
 *
 * @param input The flattened argument values.
 * @returns `true` when one of them is the skip sentinel.
 *
 * @example
 * ```ts
 * import { any_dependency_skipped } from "@wt/registry/conditions";
 *
 * console.assert(any_dependency_skipped({ values: [{ [Symbol.for("wt.task.skip")]: true }] }));
 * console.assert(!any_dependency_skipped({ values: [1, null] }));
 * ```
 */
export const any_dependency_skipped: ConditionTask = register({
  title: "Any Dependency Skipped",
  description:
    "Skip when any argument value comes from a skipped task instance.",
  tags: TAGS,
  params,
}, ({ values }) => values.some(isSkipSentinel));

/**
 * Holds when any value is empty: `null`/`undefined`, `""`, an empty array, `Map` or `Set`,
 * an object with a `length` or `size` of 0, or a plain object without keys.
 *
 * @param input The flattened argument values.
 * @returns `true` when one of them is empty.
 *
 * @example
 * ```ts
 * import { any_is_empty } from "@wt/registry/conditions";
 *
 * console.assert(any_is_empty({ values: [[1], {}] }));
 * console.assert(!any_is_empty({ values: [[1], 0, false] }));
 * ```
 */
export const any_is_empty: ConditionTask = register({
  title: "Any Is Empty",
  description:
    "Skip when any argument value is empty: null, an empty string, list, map or table, or an object without keys.",
  tags: TAGS,
  params,
}, ({ values }) => values.some(isEmptyValue));

/**
 * Holds when there is at least one value and every value is `null` or `undefined`.
 *
 * @param input The flattened argument values.
 * @returns `true` when all values are missing.
 *
 * @example
 * ```ts
 * import { all_are_none } from "@wt/registry/conditions";
 *
 * console.assert(all_are_none({ values: [null, undefined] }));
 * console.assert(!all_are_none({ values: [null, 0] }) && !all_are_none({ values: [] }));
 * ```
 */
export const all_are_none: ConditionTask = register(
  {
    title: "All Are None",
    description:
      "Skip when every argument value is missing (null); never for a task without arguments.",
    tags: TAGS,
    params,
  },
  ({ values }) =>
    values.length > 0 && values.every((x) => x === null || x === undefined),
);

/**
 * Never holds: an instance that names it runs even when the spec's default conditions
 * (e.g. `any_dependency_skipped`) would skip it.
 *
 * @param input The flattened argument values (ignored).
 * @returns `false`.
 *
 * @example
 * ```ts
 * import { never } from "@wt/registry/conditions";
 *
 * console.assert(never({ values: [] }) === false);
 * ```
 */
export const never: ConditionTask = register({
  title: "Never",
  description:
    "Never skip: runs the task instance even when a default condition would skip it.",
  tags: TAGS,
  params,
}, () => false);
