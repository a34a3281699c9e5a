/**
 * The method surface of `@wt/task` that generated workflow code uses. The compiler knows
 * these names from here and never imports the runtime itself.
 *
 * @module
 */

/**
 * A skip condition: receives the task's argument values flattened to the requested depth
 * and returns `true` when the task must be skipped.
 */
export type SkipCondition = (
  input: { values: unknown[] },
) => boolean | Promise<boolean>;

/**
 * The value a skipped task returns instead of its result (`SKIP` in `@wt/task`). It
 * serialises to `null` (`toJSON()`), so a skipped result in `result.json` reads as `null`.
 */
export interface SkipSentinel {
  /** Always `true`: marks the value as the skip sentinel. */
  readonly skipped: true;
  /** JSON form of a skipped result: `null`. */
  toJSON(): null;
}

/** Options of {@linkcode TaskProtocol.map} and {@linkcode TaskProtocol.mapvalues}. */
export interface MapOptions {
  /**
   * Most calls in flight at once (a positive integer or `Infinity`; 1 means in order, one
   * at a time). The default is the runtime's (`@wt/task` uses 16).
   */
  concurrency?: number;
}

/** Options of {@linkcode TaskProtocol.skipif}. */
export interface SkipifOptions {
  /** How many levels of nested arrays and `[key, value]` pairs to flatten before testing (default 1). */
  unpackDepth?: number;
}

/**
 * An immutable, configurable task as the generated code sees it. Every configuring method
 * returns a new task; `call`, `map` and `mapvalues` run it.
 *
 * @example A value that satisfies the protocol (type-level only)
 * ```ts
 * import type { TaskProtocol } from "@wt/contracts";
 *
 * function run(t: TaskProtocol<number>): Promise<unknown> {
 *   return t.setTaskInstanceId("total").handleErrors().partial({ a: 1 }).call({ b: 2 });
 * }
 * console.assert(typeof run === "function");
 * ```
 */
export interface TaskProtocol<R = unknown> {
  /** The task instance id set by {@linkcode TaskProtocol.setTaskInstanceId}, if any. */
  readonly taskInstanceId: string | undefined;
  /** Bind named arguments; bindings accumulate, call-time values override them. */
  partial(kwargs: Record<string, unknown>): TaskProtocol<R>;
  /** Run once with the bound arguments plus `kwargs`. */
  call(kwargs?: Record<string, unknown>): Promise<R | unknown>;
  /**
   * One call per element of `argvalues`, results in input order. When `argvalues` itself
   * is the skip sentinel and the task's skip conditions hold, resolves to the sentinel.
   */
  map(
    argnames: string | readonly string[],
    argvalues: unknown,
    options?: MapOptions,
  ): Promise<unknown[] | SkipSentinel>;
  /**
   * One call per `[key, value]` pair, keeping the keys: `[[key, f(value)], …]`. When
   * `argvalues` itself is the skip sentinel and the task's skip conditions hold, resolves
   * to the sentinel.
   */
  mapvalues(
    argnames: string | readonly string[],
    argvalues: unknown,
    options?: MapOptions,
  ): Promise<Array<[unknown, unknown]> | SkipSentinel>;
  /** Check the merged arguments against the task's parameter schema before each call. */
  validate(): TaskProtocol<R>;
  /** Return the skip sentinel instead of calling when any condition holds. */
  skipif(
    conditions: readonly SkipCondition[],
    options?: SkipifOptions,
  ): TaskProtocol<R>;
  /** Name this task instance (used in errors and traces). */
  setTaskInstanceId(id: string): TaskProtocol<R>;
  /** Wrap every error thrown by a call in a `TaskInstanceError` naming the instance. */
  handleErrors(): TaskProtocol<R>;
  /** Record an OpenTelemetry span per instance and per call (no-op when tracing is off). */
  withTracing(): TaskProtocol<R>;
}
