/**
 * Skip conditions registered as tasks, so that a spec can name them in `skipif`
 * (`any_dependency_skipped`, `any_is_empty`, `never`). Each delegates to the condition of the
 * same meaning in `@wt/task`.
 *
 * @example
 * ```ts
 * import { any_is_empty } from "./mod.ts";
 *
 * console.assert(any_is_empty({ values: [1, []] }));
 * ```
 *
 * @module
 */
import * as v from "valibot";
import { register, type RegisteredTask } from "@wt/registry";
import { anyDependencySkipped, anyIsEmpty, never as neverSkip } from "@wt/task";

/** Parameters of a skip condition: the task's argument values, flattened. */
export interface ConditionParams {
  /** The argument values. */
  values: unknown[];
}

const params = v.object({ values: v.array(v.unknown()) });

/**
 * Holds when any argument value is the skip sentinel.
 *
 * @example
 * ```ts
 * import { any_dependency_skipped } from "./mod.ts";
 *
 * console.assert(!any_dependency_skipped({ values: [1] }));
 * ```
 */
export const any_dependency_skipped: RegisteredTask<
  ConditionParams,
  ConditionParams,
  boolean
> = register({
  description: "Skip when any argument value comes from a skipped task.",
  tags: ["condition"],
  params,
}, (input) => anyDependencySkipped(input));

/**
 * Holds when any argument value is empty (an empty list, string or object, or null).
 *
 * @example
 * ```ts
 * import { any_is_empty } from "./mod.ts";
 *
 * console.assert(!any_is_empty({ values: [1] }));
 * ```
 */
export const any_is_empty: RegisteredTask<
  ConditionParams,
  ConditionParams,
  boolean
> = register({
  description: "Skip when any argument value is empty.",
  tags: ["condition"],
  params,
}, (input) => anyIsEmpty(input));

/**
 * Never holds: a task instance that must run even when a dependency was skipped.
 *
 * @example
 * ```ts
 * import { never } from "./mod.ts";
 *
 * console.assert(!never({ values: [] }));
 * ```
 */
export const never: RegisteredTask<ConditionParams, ConditionParams, boolean> =
  register({
    description: "Never skip.",
    tags: ["condition"],
    params,
  }, (input) => neverSkip(input));
