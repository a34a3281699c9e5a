/**
 * The skip sentinel and the flattening of argument values that skip conditions see.
 *
 * @module
 */
import { isSkipSentinel, SKIP_BRAND, type SkipSentinel } from "@wt/contracts";

/**
 * The value a skipped task returns: {@linkcode SkipSentinel} from `@wt/contracts`.
 * `toJSON()` returns `null` and `toString()` returns `"SKIP"`.
 */
export type Skip = SkipSentinel;

type SkipHolder = { [key: symbol]: Skip | undefined };

function makeSkip(): Skip {
  const skip = {
    skipped: true as const,
    toJSON(): null {
      return null;
    },
    toString(): string {
      return "SKIP";
    },
    [SKIP_BRAND]: true,
    [Symbol.for("nodejs.util.inspect.custom")](): string {
      return "SKIP";
    },
  };
  return Object.freeze(skip);
}

const holder = globalThis as unknown as SkipHolder;

/**
 * The skip sentinel: what a task returns instead of its result when one of its `skipif`
 * conditions holds.
 *
 * It is a frozen object kept in the global scope under `Symbol.for("wt.task.skip")`, so
 * every copy of `@wt/task` loaded in one process shares the same value; {@linkcode isSkip}
 * also recognises a sentinel from another realm by its brand. `JSON.stringify(SKIP)` is
 * `"null"`: a skipped result is written as `null` in `result.json`.
 *
 * @example
 * ```ts
 * import { isSkip, SKIP } from "@wt/task";
 *
 * console.assert(isSkip(SKIP));
 * console.assert(JSON.stringify({ result: SKIP }) === '{"result":null}');
 * console.assert(String(SKIP) === "SKIP");
 * ```
 */
export const SKIP: Skip = holder[SKIP_BRAND] ??= makeSkip();

/**
 * Whether a value is the skip sentinel (the same object as {@linkcode SKIP}, or an object
 * carrying the `Symbol.for("wt.task.skip")` brand).
 *
 * @param value Any value.
 * @returns `true` for the skip sentinel.
 *
 * @example
 * ```ts
 * import { isSkip, SKIP } from "@wt/task";
 *
 * console.assert(isSkip(SKIP) && !isSkip(null) && !isSkip({ skipped: true }));
 * ```
 */
export function isSkip(value: unknown): value is Skip {
  return value === SKIP || isSkipSentinel(value);
}

/**
 * Flatten argument values to a depth, the way skip conditions see them.
 *
 * Level 0 is `values` itself (the task's argument values, in argument order). Each further
 * level replaces every array by its elements; every other value (objects, strings, `null`,
 * the sentinel) is kept as it is. A `[key, value]` pair is an array too, so over a keyed
 * list (`[[k1, v1], [k2, v2]]`) depth 1 exposes the pairs and depth 2 their keys and
 * values. Objects are never expanded.
 *
 * @param values The argument values.
 * @param depth How many levels of arrays to expand (a non-negative integer).
 * @returns A new array of the flattened values.
 * @throws {RangeError} When `depth` is not a non-negative integer.
 *
 * @example
 * ```ts
 * import { flattenValues } from "@wt/task";
 *
 * const args = [1, [2, [3, [4]]]];
 * console.assert(flattenValues(args, 0).length === 2);
 * console.assert(JSON.stringify(flattenValues(args, 1)) === "[1,2,[3,[4]]]");
 * console.assert(JSON.stringify(flattenValues(args, 2)) === "[1,2,3,[4]]");
 * ```
 */
export function flattenValues(
  values: readonly unknown[],
  depth: number,
): unknown[] {
  if (!Number.isInteger(depth) || depth < 0) {
    throw new RangeError(
      `unpack depth must be a non-negative integer, got ${String(depth)}`,
    );
  }
  return flattenOwned(values.slice(), depth);
}

/**
 * {@linkcode flattenValues} for an array the caller owns (returned as is when nothing
 * needs expanding) and a depth already checked.
 *
 * @param values The argument values (not copied).
 * @param depth A non-negative integer.
 * @returns The flattened values.
 */
export function flattenOwned(values: unknown[], depth: number): unknown[] {
  let level = values;
  for (let d = 0; d < depth; d++) {
    let nested = false;
    for (let i = 0; i < level.length; i++) {
      if (Array.isArray(level[i])) {
        nested = true;
        break;
      }
    }
    if (!nested) break;
    const next: unknown[] = [];
    for (let i = 0; i < level.length; i++) {
      const x = level[i];
      if (Array.isArray(x)) {
        for (let j = 0; j < x.length; j++) next.push(x[j]);
      } else next.push(x);
    }
    level = next;
  }
  return level;
}
