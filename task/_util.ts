/**
 * Small private helpers of the task runtime.
 *
 * @module
 */
import { isSkipSentinel } from "@wt/contracts";

/**
 * Whether a value is a promise or another thenable.
 *
 * @param x Any value.
 * @returns `true` when `x.then` is a function.
 */
export function isThenable(x: unknown): x is PromiseLike<unknown> {
  return x !== null &&
    (typeof x === "object" || typeof x === "function") &&
    typeof (x as { then?: unknown }).then === "function";
}

/**
 * A short description of a value's type for error messages.
 *
 * @param x Any value.
 * @returns `null`, `an array of length N`, `the SKIP sentinel` or the `typeof` name.
 */
export function typeName(x: unknown): string {
  if (x === null) return "null";
  if (Array.isArray(x)) return `an array of length ${x.length}`;
  if (isSkipSentinel(x)) return "the SKIP sentinel";
  return typeof x;
}

/**
 * How error messages name a task: by its instance id when it has one, else by its name.
 *
 * @param taskInstanceId The task instance id, if any.
 * @param name The task's name.
 * @returns `task instance "<id>"` or `task "<name>"`.
 */
export function describeTask(
  taskInstanceId: string | undefined,
  name: string,
): string {
  return taskInstanceId === undefined
    ? `task "${name}"`
    : `task instance "${taskInstanceId}"`;
}
