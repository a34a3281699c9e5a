/**
 * Errors raised by task registration and task discovery.
 *
 * @module
 */

/**
 * A task was registered wrongly: its parameter schema is not a valibot object schema, a
 * visible parameter uses a feature JSON Schema cannot express, a metadata field has the
 * wrong type, or two modules export tasks under the same name. Raised at import time (or
 * by discovery for duplicates), so a broken task library fails before any workflow runs.
 *
 * @example
 * ```ts
 * import * as v from "valibot";
 * import { register, RegistrationError } from "@wt/registry";
 *
 * try {
 *   // params must be an object schema; the cast gets past the type checker
 *   register({ params: v.string() as never }, () => 1);
 * } catch (e) {
 *   console.assert(e instanceof RegistrationError);
 * }
 * ```
 */
export class RegistrationError extends Error {
  /** The task (export name or title) concerned, when known. */
  readonly task: string | undefined;
  /** The parameter concerned, when the problem is in one parameter. */
  readonly parameter: string | undefined;

  /**
   * Create a registration error.
   *
   * @param message What is wrong and how to fix it.
   * @param options The task and parameter concerned, and an underlying cause.
   */
  constructor(
    message: string,
    options: { task?: string; parameter?: string; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? {} : { cause: options.cause });
    this.name = "RegistrationError";
    this.task = options.task;
    this.parameter = options.parameter;
  }
}

/**
 * A module given to discovery could not be imported (it does not exist or threw while
 * loading). The message names the module specifier; `cause` keeps the original error.
 *
 * @example
 * ```ts
 * import { ModuleImportError } from "@wt/registry";
 *
 * const e = new ModuleImportError("./tasks.ts", new Error("boom"));
 * console.assert(e.message.includes("./tasks.ts") && e.message.includes("boom"));
 * ```
 */
export class ModuleImportError extends Error {
  /** The module specifier as given. */
  readonly specifier: string;

  /**
   * Create an import error for a module specifier.
   *
   * @param specifier The module specifier as given.
   * @param cause The error raised by the import.
   */
  constructor(specifier: string, cause: unknown) {
    const reason = cause instanceof Error
      ? `${cause.name}: ${cause.message}`
      : String(cause);
    super(`could not import task module '${specifier}': ${reason}`, { cause });
    this.name = "ModuleImportError";
    this.specifier = specifier;
  }
}
