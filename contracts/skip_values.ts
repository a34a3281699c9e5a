/**
 * Pure predicates over the values a skip condition sees, shared by `@wt/task` (its condition
 * functions) and `@wt/registry/conditions` (the same conditions registered as tasks), which
 * must not depend on each other.
 *
 * @module
 */
import type { SkipSentinel } from "./task_protocol.ts";

/**
 * The global-registry symbol that brands the skip sentinel: `Symbol.for("wt.task.skip")`.
 * Every copy of `@wt/task` (and any other realm) marks its sentinel with it.
 *
 * @example
 * ```ts
 * import { SKIP_BRAND } from "@wt/contracts";
 *
 * console.assert(SKIP_BRAND === Symbol.for("wt.task.skip"));
 * ```
 */
export const SKIP_BRAND: symbol = Symbol.for("wt.task.skip");

/**
 * Whether a value is the skip sentinel: an object carrying the {@linkcode SKIP_BRAND} brand
 * with the value `true` (what `isSkip` of `@wt/task` recognises).
 *
 * @param value Any value.
 * @returns `true` for the skip sentinel.
 *
 * @example
 * ```ts
 * import { isSkipSentinel, SKIP_BRAND } from "@wt/contracts";
 *
 * console.assert(isSkipSentinel({ [SKIP_BRAND]: true }));
 * console.assert(!isSkipSentinel({ skipped: true }) && !isSkipSentinel(null));
 * ```
 */
export function isSkipSentinel(value: unknown): value is SkipSentinel {
  return typeof value === "object" && value !== null &&
    (value as { [key: symbol]: unknown })[SKIP_BRAND] === true;
}

/**
 * Whether one value is empty: `null`/`undefined`, `""`, an empty array, an empty `Map` or
 * `Set`, an object with a numeric `length` or `size` of 0 (array-likes and tabular data
 * frames), or a plain object without own keys. Numbers, booleans and the skip sentinel are
 * never empty.
 *
 * @param value Any value.
 * @returns `true` when the value is empty.
 *
 * @example
 * ```ts
 * import { isEmptyValue } from "@wt/contracts";
 *
 * console.assert(isEmptyValue([]) && isEmptyValue({}) && isEmptyValue("") && isEmptyValue(null));
 * console.assert(!isEmptyValue(0) && !isEmptyValue(false) && !isEmptyValue([0]));
 * ```
 */
export function isEmptyValue(value: unknown): boolean {
  if (value === null || value === undefined) return true;
  if (typeof value === "string") return value.length === 0;
  if (typeof value !== "object") return false;
  if (Array.isArray(value)) return value.length === 0;
  if (isSkipSentinel(value)) return false;
  if (value instanceof Map || value instanceof Set) return value.size === 0;
  const o = value as { length?: unknown; size?: unknown };
  if (typeof o.length === "number") return o.length === 0;
  if (typeof o.size === "number") return o.size === 0;
  const proto = Object.getPrototypeOf(value);
  if (proto === Object.prototype || proto === null) {
    for (const _ in value) return false;
    return Object.getOwnPropertySymbols(value).length === 0;
  }
  return false;
}
