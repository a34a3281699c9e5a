/**
 * Error classes of the task runtime.
 *
 * @module
 */
import {
  formatValidationErrors,
  type ValidationErrorItem,
} from "@wt/contracts";
import { describeTask } from "./_util.ts";

/** Where in a `map`/`mapvalues` a failure happened. */
export interface ElementLocation {
  /** Index of the element in `argvalues`. */
  index: number;
  /** The element's key, for `mapvalues`. */
  key?: unknown;
}

function describeElement(at: ElementLocation | undefined): string {
  if (!at) return "";
  return at.key === undefined
    ? ` (map element ${at.index})`
    : ` (mapvalues element ${at.index}, key ${JSON.stringify(at.key)})`;
}

/** Options of {@linkcode TaskInstanceError}. */
export interface TaskInstanceErrorOptions {
  /** The error thrown by the task (or by its argument checks). */
  cause?: unknown;
  /** Replaces the default message (`task instance "<id>" failed: <cause message>`). */
  message?: string;
  /** Name of the task function, used when no instance id is set. */
  taskName?: string;
  /** The element of a `map`/`mapvalues` that failed. */
  element?: ElementLocation;
}

/**
 * A call of a task instance failed. Thrown by tasks configured with `.handleErrors()`; the
 * message names the task instance (and the map element), `cause` keeps the original error.
 *
 * @example
 * ```ts
 * import { TaskInstanceError } from "@wt/task";
 *
 * const err = new TaskInstanceError("total", { cause: new Error("boom") });
 * console.assert(err.message === 'task instance "total" failed: boom');
 * console.assert((err.cause as Error).message === "boom");
 * ```
 */
export class TaskInstanceError extends Error {
  /** The task instance id (`undefined` when none was set). */
  readonly taskInstanceId: string | undefined;
  /** Name of the task function. */
  readonly taskName: string;
  /** The `map`/`mapvalues` element that failed, if any. */
  readonly element: ElementLocation | undefined;

  /**
   * Create the error for a failed call of a task instance.
   *
   * @param taskInstanceId The task instance id, if any.
   * @param options The cause, the task name and the failing element.
   */
  constructor(
    taskInstanceId: string | undefined,
    options: TaskInstanceErrorOptions,
  ) {
    const { cause } = options;
    const name = options.taskName ?? "anonymous";
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(
      options.message ??
        `${describeTask(taskInstanceId, name)} failed${
          describeElement(options.element)
        }: ${reason}`,
      "cause" in options ? { cause } : undefined,
    );
    this.name = "TaskInstanceError";
    this.taskInstanceId = taskInstanceId;
    this.taskName = name;
    this.element = options.element;
  }
}

/** Options of {@linkcode TaskValidationError}. */
export interface TaskValidationErrorOptions {
  /** Name of the task function, used when no instance id is set. */
  taskName?: string;
  /** The element of a `map`/`mapvalues` that failed. */
  element?: ElementLocation;
  /** What failed validation: the call's arguments (default) or the task's result. */
  target?: "arguments" | "result";
}

/**
 * The arguments of a task call do not match the task's parameter schema (from
 * `.validate()`), or its result does not match the registered `returns` schema. `issues`
 * lists every problem with its path; the message names the task instance and each path
 * with its reason. It is a {@linkcode TaskInstanceError}, so `.handleErrors()` passes it
 * through unchanged.
 *
 * @example
 * ```ts
 * import { TaskValidationError } from "@wt/task";
 *
 * const err = new TaskValidationError("total", [
 *   { message: "must be integer", path: ["a"], schema_path: [], validator: "type", input: "x" },
 * ]);
 * console.assert(err.message.includes('task instance "total"'));
 * console.assert(err.message.includes('a: must be integer (got "x")'));
 * ```
 */
export class TaskValidationError extends TaskInstanceError {
  /** Every problem found. */
  readonly issues: ValidationErrorItem[];
  /** What failed validation: the call's arguments or the task's result. */
  readonly target: "arguments" | "result";

  /**
   * Create the error for arguments (or a result) that failed validation.
   *
   * @param taskInstanceId The task instance id, if any.
   * @param issues The problems found.
   * @param options The task name, the failing element and what was validated.
   */
  constructor(
    taskInstanceId: string | undefined,
    issues: ValidationErrorItem[],
    options: TaskValidationErrorOptions = {},
  ) {
    const name = options.taskName ?? "anonymous";
    const target = options.target ?? "arguments";
    const { target: _, ...rest } = options;
    super(taskInstanceId, {
      ...rest,
      message: `invalid ${target} ${target === "result" ? "of" : "for"} ${
        describeTask(taskInstanceId, name)
      }${describeElement(options.element)}:\n${
        formatValidationErrors(issues, `(${target})`)
      }`,
    });
    this.name = "TaskValidationError";
    this.issues = issues;
    this.target = target;
  }
}

/**
 * The `argnames`/`argvalues` given to `map` or `mapvalues` do not fit together: an element
 * that is not a tuple of the right length, a `mapvalues` element that is not a
 * `[key, value]` pair, or bad argument names. `index` is the offending element.
 *
 * @example
 * ```ts
 * import { MapArgumentError, task } from "@wt/task";
 *
 * const add = task(({ a, b }: { a: number; b: number }) => a + b);
 * try {
 *   await add.map(["a", "b"], [[1, 2], [3]]);
 * } catch (e) {
 *   console.assert(e instanceof MapArgumentError && e.index === 1);
 * }
 * ```
 */
export class MapArgumentError extends TypeError {
  /** Index of the offending element of `argvalues` (`undefined` for bad argnames). */
  readonly index: number | undefined;

  /**
   * Create the error for `map`/`mapvalues` arguments that do not fit together.
   *
   * @param message What is wrong.
   * @param index Index of the offending element, if any.
   */
  constructor(message: string, index?: number) {
    super(message);
    this.name = "MapArgumentError";
    this.index = index;
  }
}

/**
 * A task tagged `io` was called in mock-io mode but its registration has no `mock`.
 *
 * @example
 * ```ts
 * import { MockIoError } from "@wt/task";
 *
 * const err = new MockIoError("get_events");
 * console.assert(err.message.includes("get_events"));
 * ```
 */
export class MockIoError extends Error {
  /** Name of the io task without a mock. */
  readonly taskName: string;

  /**
   * Create the error for an io task without a mock.
   *
   * @param taskName Name of the io task without a mock.
   */
  constructor(taskName: string) {
    super(
      `task "${taskName}" is tagged "io" but has no mock: give its registration a ` +
        "`mock` (canned example data) or run without mock io",
    );
    this.name = "MockIoError";
    this.taskName = taskName;
  }
}
