/**
 * Library skip conditions. Each is an ordinary function of `{ values }` (a
 * {@linkcode SkipCondition}), usable in `task(fn).skipif([...])` and in a spec's `skipif`.
 *
 * @example
 * ```ts
 * import { anyDependencySkipped, anyIsEmpty, SKIP, task } from "@wt/task";
 *
 * const count = task(({ xs }: { xs: unknown[] }) => xs.length)
 *   .skipif([anyDependencySkipped, anyIsEmpty], { unpackDepth: 0 });
 * console.assert((await count.call({ xs: [] })) === SKIP);
 * console.assert((await count.call({ xs: [1] })) === 1);
 * ```
 *
 * @module
 */
import { isEmptyValue, type SkipCondition } from "@wt/contracts";
import { isSkip } from "./skip.ts";

export type { SkipCondition };

/** The input of a skip condition: the task's argument values, flattened. */
export interface SkipConditionInput {
  /** The argument values flattened to the task's unpack depth. */
  values: unknown[];
}

/**
 * Holds when any value is the skip sentinel: a task that depends on a skipped task is
 * skipped too.
 *
 * @param input The flattened argument values.
 * @returns `true` when one of them is `SKIP`.
 *
 * @example
 * ```ts
 * import { anyDependencySkipped, SKIP } from "@wt/task";
 *
 * console.assert(anyDependencySkipped({ values: [1, SKIP] }));
 * console.assert(!anyDependencySkipped({ values: [1, null] }));
 * ```
 */
export function anyDependencySkipped(input: SkipConditionInput): boolean {
  for (const v of input.values) if (isSkip(v)) return true;
  return false;
}

/**
 * Whether one value is empty: `null`/`undefined`, `""`, an empty array, an empty `Map` or
 * `Set`, an object with a numeric `length` or `size` of 0 (array-likes and tabular data
 * frames), or a plain object without own keys. Numbers, booleans and the skip sentinel are
 * never empty. The rule is `isEmptyValue` of `@wt/contracts`, which the built-in
 * `any_is_empty` condition of `@wt/registry/conditions` uses too.
 *
 * @param value Any value.
 * @returns `true` when the value is empty.
 *
 * @example
 * ```ts
 * import { isEmpty } from "@wt/task";
 *
 * console.assert(isEmpty([]) && isEmpty({}) && isEmpty("") && isEmpty(null));
 * console.assert(!isEmpty(0) && !isEmpty(false) && !isEmpty([0]));
 * ```
 */
export function isEmpty(value: unknown): boolean {
  return isEmptyValue(value);
}

/**
 * Holds when any value is empty in the sense of {@linkcode isEmpty}: `null`, `""`, `[]`,
 * `{}`, an empty `Map`/`Set` or a zero-length table.
 *
 * @param input The flattened argument values.
 * @returns `true` when one of them is empty.
 *
 * @example
 * ```ts
 * import { anyIsEmpty } from "@wt/task";
 *
 * console.assert(anyIsEmpty({ values: [[1], []] }));
 * console.assert(!anyIsEmpty({ values: [[1], 0] }));
 * ```
 */
export function anyIsEmpty(input: SkipConditionInput): boolean {
  for (const v of input.values) if (isEmpty(v)) return true;
  return false;
}

/**
 * Holds when there is at least one value and every value is `null` or `undefined`.
 *
 * @param input The flattened argument values.
 * @returns `true` when all values are missing.
 *
 * @example
 * ```ts
 * import { allAreNone } from "@wt/task";
 *
 * console.assert(allAreNone({ values: [null, undefined] }));
 * console.assert(!allAreNone({ values: [null, 0] }) && !allAreNone({ values: [] }));
 * ```
 */
export function allAreNone(input: SkipConditionInput): boolean {
  if (input.values.length === 0) return false;
  for (const v of input.values) if (v !== null && v !== undefined) return false;
  return true;
}

/**
 * Never holds. A spec uses it to switch off the default skip conditions of a task.
 *
 * @param _input The flattened argument values (ignored).
 * @returns `false`.
 *
 * @example
 * ```ts
 * import { never, SKIP } from "@wt/task";
 *
 * console.assert(never({ values: [SKIP] }) === false);
 * ```
 */
export function never(_input?: SkipConditionInput): boolean {
  return false;
}
