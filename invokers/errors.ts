/**
 * The typed error every invoker throws.
 *
 * @module
 */

/**
 * What went wrong, so that callers can act on it:
 * - `busy`: `run()` was called while the invoker's previous run is still in flight;
 *   wait for it (or cancel it) first, or use another invoker instance.
 * - `not-started`: the run does not exist (nothing was launched under that id).
 * - `invalid`: the arguments or environment handed to `run()` failed validation.
 * - `launch`: the workflow process or job could not be started.
 * - `api`: a cloud API call failed (the message carries the service's status message).
 * - `timeout`: an operation did not finish in the time it was given.
 * - `result`: `result.json` is missing, unreadable or not a `ResponseModel`.
 * - `detached`: the caller stopped following a run (`CloudBatchRunHandle.detach`); the run
 *   itself goes on.
 *
 * @example
 * ```ts
 * import { InvokerError, type InvokerErrorCode } from "@wt/invokers";
 *
 * function worthRetrying(code: InvokerErrorCode): boolean {
 *   return code === "api" || code === "timeout";
 * }
 * const err = new InvokerError("busy", "the invoker is running r1: wait for it first");
 * console.assert(!worthRetrying(err.code));
 * ```
 */
export type InvokerErrorCode =
  | "busy"
  | "not-started"
  | "invalid"
  | "launch"
  | "api"
  | "timeout"
  | "result"
  | "detached";

/**
 * An error raised by an invoker. `code` tells callers what kind of failure it is; the
 * message says what failed, where, and what to do about it.
 *
 * @example Tell a busy invoker from other failures
 * ```ts
 * import { InvokerError } from "@wt/invokers";
 *
 * const err = new InvokerError("busy", "invoker is busy with run r1");
 * console.assert(err instanceof Error && err.code === "busy");
 * console.assert(err.name === "InvokerError");
 * ```
 */
export class InvokerError extends Error {
  /** The kind of failure. */
  readonly code: InvokerErrorCode;

  /**
   * Create an invoker error.
   *
   * @param code The kind of failure.
   * @param message What failed, where, and the fix.
   * @param options Standard error options (`cause`).
   */
  constructor(code: InvokerErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "InvokerError";
    this.code = code;
  }
}
