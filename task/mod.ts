/**
 * `@wt/task`: the runtime wrapper that compiled wt workflows call.
 *
 * `task(fn)` wraps a task function — one object of named arguments in, a value (or a
 * promise) out; usually a task registered with `@wt/registry` — into an immutable
 * {@linkcode Task}. Configuring methods return new tasks: `partial` binds arguments,
 * `validate` checks them against the task's schema, `skipif` returns the {@linkcode SKIP}
 * sentinel instead of calling when a condition holds, `setTaskInstanceId` names the
 * instance, `handleErrors` wraps failures in {@linkcode TaskInstanceError}, `withTracing`
 * records OpenTelemetry spans and `mockIo` replaces io tasks by their canned data. `call`
 * runs once; `map` and `mapvalues` fan out over lists, concurrently for async functions,
 * with results in input order.
 *
 * @example
 * ```ts
 * import { anyDependencySkipped, SKIP, task } from "@wt/task";
 *
 * const add = task(({ a, b }: { a: number; b: number }) => a + b)
 *   .setTaskInstanceId("add")
 *   .skipif([anyDependencySkipped])
 *   .handleErrors();
 *
 * console.assert((await add.partial({ a: 1 }).call({ b: 2 })) === 3);
 * const sums = await add.partial({ a: 10 }).map("b", [1, SKIP, 3]);
 * console.assert(sums[0] === 11 && sums[1] === SKIP && sums[2] === 13);
 * const keyed = await add.mapvalues(["a", "b"], [["x", [1, 2]], [7, [3, 4]]]);
 * console.assert(JSON.stringify(keyed) === '[["x",3],[7,7]]');
 * ```
 *
 * @module
 */
export {
  DEFAULT_CONCURRENCY,
  isTask,
  type MapOptions,
  type SkipCondition,
  type SkipifOptions,
  Task,
  task,
  type TaskContext,
  type TaskFn,
  type TaskOptions,
} from "./task.ts";
export { flattenValues, isSkip, SKIP, type Skip } from "./skip.ts";
export {
  allAreNone,
  anyDependencySkipped,
  anyIsEmpty,
  isEmpty,
  never,
  type SkipConditionInput,
} from "./conditions.ts";
export {
  type ElementLocation,
  MapArgumentError,
  MockIoError,
  TaskInstanceError,
  type TaskInstanceErrorOptions,
  TaskValidationError,
  type TaskValidationErrorOptions,
} from "./errors.ts";
export {
  isIoTask,
  registeredInfo,
  type RegisteredTaskInfo,
  REGISTRY_BRAND,
} from "./registered.ts";
export type { TracingOptions } from "./_tracing.ts";
/** OpenTelemetry types referenced by {@linkcode TracingOptions}. */
export type { Context, Tracer } from "@opentelemetry/api";
/** Contract types referenced by this package's API. */
export type {
  SkipSentinel,
  TaskProtocol,
  ValidationErrorItem,
} from "@wt/contracts";
