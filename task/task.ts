/**
 * `task(fn)`: the immutable runtime wrapper that generated workflow code calls.
 *
 * @module
 */
import type {
  MapOptions,
  SkipCondition,
  SkipifOptions,
  TaskProtocol,
} from "@wt/contracts";
import {
  MapArgumentError,
  MockIoError,
  TaskInstanceError,
  TaskValidationError,
} from "./errors.ts";
import {
  flattenOwned,
  flattenValues,
  isSkip,
  SKIP,
  type Skip,
} from "./skip.ts";
import {
  isIoTask,
  registeredInfo,
  type RegisteredTaskInfo,
} from "./registered.ts";
import {
  type ArgsValidator,
  makeResultValidator,
  makeValidator,
} from "./_validation.ts";
import { runAll } from "./_pool.ts";
import { describeTask, isThenable, typeName } from "./_util.ts";
import type { ChildSpan, TracingOptions } from "./_tracing.ts";

export type { MapOptions, SkipCondition, SkipifOptions };

/**
 * Default of {@linkcode MapOptions.concurrency}: at most 16 calls of one `map`/`mapvalues`
 * in flight at once. Synchronous task functions always run one after the other.
 *
 * @example
 * ```ts
 * import { DEFAULT_CONCURRENCY, task } from "@wt/task";
 *
 * const inc = task(async ({ n }: { n: number }) => n + 1);
 * const out = await inc.map("n", [1, 2, 3], { concurrency: DEFAULT_CONCURRENCY / 8 });
 * console.assert(out.join() === "2,3,4");
 * ```
 */
export const DEFAULT_CONCURRENCY: number = 16;

/** What a task function receives besides its named arguments. */
export interface TaskContext {
  /** Aborted when another call of the same `map`/`mapvalues` failed. */
  readonly signal: AbortSignal;
  /** The task instance id, if one was set. */
  readonly taskInstanceId: string | undefined;
}

/**
 * A task function: takes ONE object of named arguments (and a {@linkcode TaskContext}),
 * returns a value or a promise.
 */
export type TaskFn<P extends object = Record<string, unknown>, R = unknown> = (
  kwargs: P,
  context: TaskContext,
) => R;

/** Options of {@linkcode task}. */
export interface TaskOptions {
  /**
   * Name used in errors and spans (default: the registry's name, else `fn.name`, else the
   * registered title, else `"anonymous"`).
   */
  name?: string;
  /** A valibot object schema of the parameters, for `.validate()` of a plain function. */
  params?: unknown;
  /** A JSON Schema of the parameters, for `.validate()` of a plain function. */
  jsonSchema?: Record<string, unknown>;
  /** Start in mock-io mode (see {@linkcode Task.mockIo}). */
  mockIo?: boolean;
}

type AnyFn = (kwargs: Record<string, unknown>, context: TaskContext) => unknown;

/** One run of the task: merged arguments in, result (or promise) out. */
type Exec = (
  args: Record<string, unknown>,
  ctx: TaskContext,
  index: number,
  keys: readonly (readonly unknown[])[] | undefined,
) => unknown;

interface State {
  readonly fn: AnyFn;
  readonly name: string;
  readonly info: RegisteredTaskInfo | undefined;
  readonly params: unknown;
  readonly jsonSchema: Record<string, unknown> | undefined;
  readonly bound: Readonly<Record<string, unknown>>;
  readonly id: string | undefined;
  readonly validate: boolean;
  readonly conditions: readonly SkipCondition[] | undefined;
  readonly unpackDepth: number;
  readonly handleErrors: boolean;
  readonly tracing: TracingOptions | undefined;
  readonly mockIo: boolean;
}

const NEVER_ABORTED: AbortSignal = new AbortController().signal;
const EMPTY: Readonly<Record<string, unknown>> = Object.freeze({});

let tracingModule: Promise<typeof import("./_tracing.ts")> | undefined;
function loadTracing(): Promise<typeof import("./_tracing.ts")> {
  return tracingModule ??= import("./_tracing.ts");
}

function checkKwargs(kwargs: unknown, where: string): Record<string, unknown> {
  if (
    typeof kwargs !== "object" || kwargs === null || Array.isArray(kwargs) ||
    isSkip(kwargs)
  ) {
    throw new TypeError(
      `${where} expects an object of named arguments, got ${typeName(kwargs)}`,
    );
  }
  return kwargs as Record<string, unknown>;
}

/** How messages about a run of `s` name the task (built only when a message is). */
function describe(s: State): string {
  return describeTask(s.id, s.name);
}

function argnamesError(
  method: "map" | "mapvalues",
  s: State,
  problem: string,
): MapArgumentError {
  return new MapArgumentError(
    `${method}(argnames) of ${describe(s)} ${problem}`,
  );
}

function normalizeArgnames(
  argnames: unknown,
  method: "map" | "mapvalues",
  s: State,
): readonly string[] {
  const names = typeof argnames === "string" ? [argnames] : argnames;
  if (!Array.isArray(names) || names.length === 0) {
    throw argnamesError(
      method,
      s,
      "must be an argument name or a non-empty list of names, got " +
        typeName(argnames),
    );
  }
  const seen = new Set<string>();
  for (const n of names) {
    if (typeof n !== "string" || n === "") {
      throw argnamesError(
        method,
        s,
        `must contain non-empty strings, got ${
          JSON.stringify(n) ?? typeName(n)
        }`,
      );
    }
    if (seen.has(n)) throw argnamesError(method, s, `names "${n}" twice`);
    seen.add(n);
  }
  return names as string[];
}

function checkConcurrency(options: MapOptions | undefined): number {
  const n = options?.concurrency ?? DEFAULT_CONCURRENCY;
  if (!(n === Infinity || (Number.isInteger(n) && n >= 1))) {
    throw new RangeError(
      `concurrency must be a positive integer or Infinity, got ${String(n)}`,
    );
  }
  return n;
}

function checkTuple(
  names: readonly string[],
  value: unknown,
  index: number,
  label: string,
  s: State,
): void {
  if (!Array.isArray(value)) {
    throw new MapArgumentError(
      `${label} ${index} of ${
        describe(s)
      }: expected an array of ${names.length} values for [${
        names.join(", ")
      }], got ${typeName(value)}`,
      index,
    );
  }
  if (value.length !== names.length) {
    throw new MapArgumentError(
      `${label} ${index} of ${
        describe(s)
      }: expected ${names.length} values for [${
        names.join(", ")
      }], got ${value.length}`,
      index,
    );
  }
}

function assignNames(
  target: Record<string, unknown>,
  names: readonly string[],
  value: unknown,
): Record<string, unknown> {
  if (names.length === 1) target[names[0] as string] = value;
  else {
    const tuple = value as readonly unknown[];
    for (let j = 0; j < names.length; j++) {
      target[names[j] as string] = tuple[j];
    }
  }
  return target;
}

function conditionName(c: SkipCondition): string {
  return registeredInfo(c)?.name ?? (c.name || "anonymous");
}

function checkCondition(c: SkipCondition, r: unknown): boolean {
  if (typeof r !== "boolean") {
    throw new TypeError(
      `skip condition "${conditionName(c)}" returned ${
        typeName(r)
      }, expected a boolean`,
    );
  }
  return r;
}

function evalConditions(
  conditions: readonly SkipCondition[],
  input: { values: unknown[] },
  from: number,
): boolean | Promise<boolean> {
  for (let i = from; i < conditions.length; i++) {
    const c = conditions[i] as SkipCondition;
    const r: unknown = c(input);
    if (r === true) return true;
    if (r === false) continue;
    if (isThenable(r)) {
      return Promise.resolve(r).then((b) =>
        checkCondition(c, b) ? true : evalConditions(conditions, input, i + 1)
      );
    }
    checkCondition(c, r);
  }
  return false;
}

/** The argument validator of a task's schemas, or `undefined` when it has none. */
function validatorOf(s: State): ArgsValidator | undefined {
  return makeValidator({
    params: s.params,
    jsonSchema: s.jsonSchema,
    parameters: s.info?.parameters,
  });
}

function buildExec(s: State): Exec {
  const fn = s.fn;
  const ioMock = s.mockIo && isIoTask(s.info);
  let run: Exec;
  if (ioMock) {
    const info = s.info as RegisteredTaskInfo;
    if (!("mock" in info)) {
      run = () => {
        throw new MockIoError(s.name);
      };
    } else if (typeof info.mock === "function") {
      const mock = info.mock as AnyFn;
      run = (args, ctx) => mock(args, ctx);
    } else {
      const value = info.mock;
      run = () => value;
    }
  } else {
    run = (args, ctx) => fn(args, ctx);
  }

  if (s.validate) {
    const validator = validatorOf(s) as ArgsValidator;
    const invalid = (
      issues: TaskValidationError["issues"],
      index: number,
      keys: readonly (readonly unknown[])[] | undefined,
      target: "arguments" | "result" = "arguments",
    ) =>
      new TaskValidationError(s.id, issues, {
        taskName: s.name,
        target,
        ...elementAt(index, keys),
      });
    const checkResult = makeResultValidator(s.info?.returns);
    if (checkResult && !ioMock) {
      const call = run;
      run = (args, ctx, index, keys) => {
        const finish = (r: unknown): unknown => {
          const res = checkResult(r);
          const done = (c: Awaited<typeof res>): unknown => {
            if (!c.ok) throw invalid(c.issues, index, keys, "result");
            return c.value;
          };
          return isThenable(res) ? res.then(done) : done(res);
        };
        const r = call(args, ctx, index, keys);
        return isThenable(r) ? Promise.resolve(r).then(finish) : finish(r);
      };
    }
    const inner = run;
    run = (args, ctx, index, keys) => {
      const res = validator(args);
      if (isThenable(res)) {
        return res.then((r) => {
          if (!r.ok) throw invalid(r.issues, index, keys);
          return inner(r.value, ctx, index, keys);
        });
      }
      if (!res.ok) throw invalid(res.issues, index, keys);
      return inner(res.value, ctx, index, keys);
    };
  }

  if (s.conditions && s.conditions.length > 0) {
    const conditions = s.conditions;
    const depth = s.unpackDepth;
    const inner = run;
    run = (args, ctx, index, keys) => {
      const skip = evalConditions(
        conditions,
        { values: flattenOwned(Object.values(args), depth) },
        0,
      );
      if (skip === true) return SKIP;
      if (skip === false) return inner(args, ctx, index, keys);
      return skip.then((b) => b ? SKIP : inner(args, ctx, index, keys));
    };
  }

  if (s.handleErrors) {
    const inner = run;
    const wrap = (
      e: unknown,
      index: number,
      keys: readonly (readonly unknown[])[] | undefined,
    ): unknown =>
      e instanceof TaskValidationError && e.taskInstanceId === s.id &&
        e.taskName === s.name
        ? e
        : new TaskInstanceError(s.id, {
          cause: e,
          taskName: s.name,
          ...elementAt(index, keys),
        });
    run = (args, ctx, index, keys) => {
      let r: unknown;
      try {
        r = inner(args, ctx, index, keys);
      } catch (e) {
        throw wrap(e, index, keys);
      }
      if (!isThenable(r)) return r;
      return Promise.resolve(r).then(undefined, (e) => {
        throw wrap(e, index, keys);
      });
    };
  }
  return run;
}

function elementAt(
  index: number,
  keys: readonly (readonly unknown[])[] | undefined,
): { element?: { index: number; key?: unknown } } {
  if (index < 0) return {};
  return keys
    ? { element: { index, key: keys[index]?.[0] } }
    : { element: { index } };
}

const TASK_BRAND: symbol = Symbol.for("wt.task.instance");
// Set in Task's static block: the only way to construct a task.
let createTask: <T>(state: State) => Task<T>;

/**
 * An immutable, configured task. Every configuring method (`partial`, `validate`, `skipif`,
 * `setTaskInstanceId`, `handleErrors`, `withTracing`, `mockIo`) returns a new task and
 * leaves this one unchanged; `call`, `map` and `mapvalues` run it. Create one with
 * {@linkcode task}.
 *
 * @typeParam R The task function's result type.
 *
 * @example
 * ```ts
 * import { task } from "@wt/task";
 *
 * const add = task(({ a, b }: { a: number; b: number }) => a + b);
 * const inc = add.partial({ a: 1 });
 * console.assert((await inc.call({ b: 2 })) === 3);
 * console.assert(JSON.stringify(await inc.map("b", [1, 2, 3])) === "[2,3,4]");
 * ```
 */
export class Task<R = unknown> implements TaskProtocol<R> {
  readonly #s: State;
  #exec: Exec | undefined;

  static {
    createTask = <T>(state: State) => new Task<T>(state);
  }

  /**
   * Use {@linkcode task} instead.
   *
   * @param state The configuration (internal).
   */
  private constructor(state: unknown) {
    this.#s = state as State;
    Object.defineProperty(this, TASK_BRAND, { value: true });
    Object.freeze(this);
  }

  #with(change: Partial<State>): Task<R> {
    return createTask<R>({ ...this.#s, ...change });
  }

  #run(): Exec {
    return this.#exec ??= buildExec(this.#s);
  }

  /** The task instance id set by {@linkcode Task.setTaskInstanceId}, if any. */
  get taskInstanceId(): string | undefined {
    return this.#s.id;
  }

  /** The task's name (registry name, function name or the `name` option). */
  get name(): string {
    return this.#s.name;
  }

  /** The arguments bound so far with {@linkcode Task.partial} (a frozen copy). */
  get boundArguments(): Readonly<Record<string, unknown>> {
    return this.#s.bound;
  }

  /** The registry brand of the wrapped function, when it is a registered task. */
  get registered(): RegisteredTaskInfo | undefined {
    return this.#s.info;
  }

  /**
   * Bind named arguments. Bindings accumulate over chained calls (later ones win) and
   * call-time arguments override them.
   *
   * @param kwargs Arguments to bind.
   * @returns A new task with the arguments bound.
   * @throws {TypeError} When `kwargs` is not an object.
   *
   * @example
   * ```ts
   * import { task } from "@wt/task";
   *
   * const f = task(({ a, b, c }: { a: number; b: number; c: number }) => [a, b, c]);
   * const g = f.partial({ a: 1, b: 2 }).partial({ b: 20 });
   * console.assert(JSON.stringify(await g.call({ c: 3 })) === "[1,20,3]");
   * console.assert(JSON.stringify(await g.call({ a: 0, c: 3 })) === "[0,20,3]");
   * ```
   */
  partial(kwargs: Record<string, unknown>): Task<R> {
    const k = checkKwargs(kwargs, "partial()");
    return this.#with({ bound: Object.freeze({ ...this.#s.bound, ...k }) });
  }

  /**
   * Run the task once with the bound arguments plus `kwargs` (which override them).
   *
   * @param kwargs Call-time arguments.
   * @returns The result, or {@linkcode SKIP} when a skip condition holds.
   *
   * @example
   * ```ts
   * import { task } from "@wt/task";
   *
   * const greet = task(async ({ name }: { name: string }) => `hello ${name}`);
   * console.assert((await greet.call({ name: "wt" })) === "hello wt");
   * ```
   */
  call(kwargs?: Record<string, unknown>): Promise<R | Skip> {
    try {
      const s = this.#s;
      const args = kwargs === undefined
        ? { ...s.bound }
        : { ...s.bound, ...checkKwargs(kwargs, "call()") };
      const exec = this.#run();
      const ctx: TaskContext = {
        signal: NEVER_ABORTED,
        taskInstanceId: s.id,
      };
      if (s.tracing) {
        return this.#traced(
          "call",
          1,
          (child) =>
            child(
              `${this.#spanName()}.call`,
              {},
              () => exec(args, ctx, -1, undefined),
            ) as R | Skip,
        );
      }
      return Promise.resolve(exec(args, ctx, -1, undefined) as R | Skip);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /**
   * Call the task once per element of `argvalues`, results in input order.
   *
   * With one argument name (a string or a one-element list) each element is passed as that
   * argument. With several names each element must be an array of exactly that many values,
   * spread over the names in order. Bound arguments are passed to every call.
   *
   * Asynchronous calls run concurrently, at most `options.concurrency` at a time (default
   * {@linkcode DEFAULT_CONCURRENCY}); synchronous ones run one after the other. The first
   * failure rejects the map, aborts `context.signal` of the calls still running and starts
   * no further call. An element whose skip conditions hold gives {@linkcode SKIP} without a
   * call. When `argvalues` itself is `SKIP` (an upstream task was skipped) and the skip
   * conditions hold with every mapped argument set to `SKIP`, the map resolves to `SKIP`.
   *
   * @param argnames The argument name, or names, each element is bound to.
   * @param argvalues The elements (an array).
   * @param options Concurrency limit.
   * @returns The results, in input order.
   * @throws {TypeError} When `argvalues` is not an array.
   * @throws {MapArgumentError} When an element does not fit `argnames`.
   *
   * @example
   * ```ts
   * import { task } from "@wt/task";
   *
   * const add = task(({ a, b }: { a: number; b: number }) => a + b);
   * console.assert(JSON.stringify(await add.partial({ a: 1 }).map("b", [1, 2])) === "[2,3]");
   * console.assert(JSON.stringify(await add.map(["a", "b"], [[1, 2], [3, 4]])) === "[3,7]");
   * ```
   */
  map(
    argnames: string | readonly string[],
    argvalues: readonly unknown[],
    options?: MapOptions,
  ): Promise<Array<R | Skip>>;
  /**
   * {@linkcode Task.map} over a value not known to be an array: resolves to {@linkcode SKIP}
   * when it is `SKIP` and the skip conditions hold.
   *
   * @param argnames The argument name, or names, each element is bound to.
   * @param argvalues The elements (an array) or `SKIP`.
   * @param options Concurrency limit.
   * @returns The results in input order, or `SKIP`.
   *
   * @example
   * ```ts
   * import { anyDependencySkipped, SKIP, task } from "@wt/task";
   *
   * const double = task(({ n }: { n: number }) => 2 * n).skipif([anyDependencySkipped]);
   * const upstream: unknown = SKIP;
   * console.assert((await double.map("n", upstream)) === SKIP);
   * ```
   */
  map(
    argnames: string | readonly string[],
    argvalues: unknown,
    options?: MapOptions,
  ): Promise<Array<R | Skip> | Skip>;
  map(
    argnames: string | readonly string[],
    argvalues: unknown,
    options?: MapOptions,
  ): Promise<Array<R | Skip> | Skip> {
    try {
      const names = normalizeArgnames(argnames, "map", this.#s);
      const limit = checkConcurrency(options);
      if (isSkip(argvalues)) return this.#skipWhole(names, "map");
      const values = this.#checkArray(argvalues, "map");
      if (names.length > 1) {
        for (let i = 0; i < values.length; i++) {
          checkTuple(names, values[i], i, "map element", this.#s);
        }
      }
      return this.#runMany("map", values, names, undefined, limit) as Promise<
        Array<R | Skip>
      >;
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /**
   * Call the task once per `[key, value]` pair of `argvalues`, passing the value and
   * keeping the key: the result is `[[key, result], …]` in input order. Keys may be any
   * value (strings, numbers, `null`, arrays, objects) and are passed through untouched.
   * With several argument names each value must be an array spread over them, as in
   * {@linkcode Task.map}. Concurrency, failure and skipping work as in `map`.
   *
   * @param argnames The argument name, or names, each value is bound to.
   * @param argvalues The `[key, value]` pairs (an array).
   * @param options Concurrency limit.
   * @returns The `[key, result]` pairs, in input order.
   * @throws {TypeError} When `argvalues` is not an array.
   * @throws {MapArgumentError} When an element is not a `[key, value]` pair.
   *
   * @example
   * ```ts
   * import { task } from "@wt/task";
   *
   * const len = task(({ s }: { s: string }) => s.length);
   * const out = await len.mapvalues("s", [["a", "xy"], [2, "xyz"]]);
   * console.assert(JSON.stringify(out) === '[["a",2],[2,3]]');
   * ```
   */
  mapvalues<K>(
    argnames: string | readonly string[],
    argvalues: readonly (readonly [K, unknown])[],
    options?: MapOptions,
  ): Promise<Array<[K, R | Skip]>>;
  /**
   * {@linkcode Task.mapvalues} over a value not known to be a list of pairs: resolves to
   * {@linkcode SKIP} when it is `SKIP` and the skip conditions hold.
   *
   * @param argnames The argument name, or names, each value is bound to.
   * @param argvalues The `[key, value]` pairs (an array) or `SKIP`.
   * @param options Concurrency limit.
   * @returns The `[key, result]` pairs in input order, or `SKIP`.
   *
   * @example
   * ```ts
   * import { anyDependencySkipped, SKIP, task } from "@wt/task";
   *
   * const double = task(({ n }: { n: number }) => 2 * n).skipif([anyDependencySkipped]);
   * const upstream: unknown = SKIP;
   * console.assert((await double.mapvalues("n", upstream)) === SKIP);
   * ```
   */
  mapvalues(
    argnames: string | readonly string[],
    argvalues: unknown,
    options?: MapOptions,
  ): Promise<Array<[unknown, R | Skip]> | Skip>;
  mapvalues(
    argnames: string | readonly string[],
    argvalues: unknown,
    options?: MapOptions,
  ): Promise<Array<[unknown, R | Skip]> | Skip> {
    try {
      const names = normalizeArgnames(argnames, "mapvalues", this.#s);
      const limit = checkConcurrency(options);
      if (isSkip(argvalues)) return this.#skipWhole(names, "mapvalues");
      const pairs = this.#checkArray(argvalues, "mapvalues");
      const values: unknown[] = new Array(pairs.length);
      for (let i = 0; i < pairs.length; i++) {
        const p = pairs[i];
        if (!Array.isArray(p) || p.length !== 2) {
          throw new MapArgumentError(
            `mapvalues element ${i} of ${
              describe(this.#s)
            }: expected a [key, value] pair, got ${typeName(p)}`,
            i,
          );
        }
        if (names.length > 1) {
          checkTuple(names, p[1], i, "mapvalues value", this.#s);
        }
        values[i] = p[1];
      }
      const keyed = pairs as readonly (readonly unknown[])[];
      const run = this.#runMany("mapvalues", values, names, keyed, limit);
      return run.then((results) =>
        results.map((r, i) => [(keyed[i] as readonly unknown[])[0], r])
      ) as Promise<Array<[unknown, R | Skip]>>;
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /**
   * Check the merged arguments of every call against the task's parameter schema before
   * calling: the registered task's valibot `params` schema when there is one (its parsed
   * output, with defaults filled in, is what the function receives), otherwise its JSON
   * Schema (`json_schema`, or the `jsonSchema` option) through `validate` from
   * `@wt/contracts`. Unknown argument names are reported too. A failure rejects with a
   * {@linkcode TaskValidationError} naming the task instance, each parameter path and the
   * reason. Skip conditions are checked first, so a skipped call is never validated. When
   * the registered task declares a valibot `returns` schema, the result is checked too
   * (and its parsed output returned); a mismatch is a `TaskValidationError` with
   * `target: "result"`. Mocked io results are not checked.
   *
   * @returns A new task that validates.
   * @throws {TypeError} When the task has no schema (a plain function without the
   *   `params` or `jsonSchema` option).
   *
   * @example
   * ```ts
   * import * as v from "valibot";
   * import { task, TaskValidationError } from "@wt/task";
   *
   * const half = task(({ n }: { n: number }) => n / 2, {
   *   params: v.object({ n: v.pipe(v.number(), v.integer()) }),
   * }).setTaskInstanceId("half").validate();
   * try {
   *   await half.call({ n: 1.5 });
   * } catch (e) {
   *   console.assert(e instanceof TaskValidationError && e.issues[0]?.path[0] === "n");
   * }
   * ```
   */
  validate(): Task<R> {
    const s = this.#s;
    if (!validatorOf(s)) {
      throw new TypeError(
        `task "${s.name}" has no parameter schema to validate against: register it ` +
          "with @wt/registry, or pass { params } (valibot) or { jsonSchema } to task()",
      );
    }
    return this.#with({ validate: true });
  }

  /**
   * Skip the task when a condition holds: before each call the argument values (merged
   * arguments, in order) are flattened to `unpackDepth` levels with
   * {@linkcode flattenValues} — depth 0 passes the values themselves, depth 1 also the
   * elements of array values (so the pairs of a keyed list), depth 2 one level deeper (the
   * keys and values of those pairs) — and each condition is called with `{ values }` in
   * order. When one returns `true` the call is not made and its result is
   * {@linkcode SKIP}. Conditions may be async, must return a boolean, and may be
   * registered tasks taking a `values` parameter. Repeated `skipif` calls replace the
   * conditions.
   *
   * @param conditions The skip conditions.
   * @param options `unpackDepth` (default 1).
   * @returns A new task with the conditions.
   * @throws {TypeError} When a condition is not a function.
   * @throws {RangeError} When `unpackDepth` is not a non-negative integer.
   *
   * @example
   * ```ts
   * import { anyDependencySkipped, SKIP, task } from "@wt/task";
   *
   * const sum = task(({ xs }: { xs: number[] }) => xs.reduce((a, b) => a + b, 0))
   *   .skipif([anyDependencySkipped]);
   * console.assert((await sum.call({ xs: [1, SKIP] })) === SKIP); // depth 1 sees SKIP
   * console.assert((await sum.call({ xs: [1, 2] })) === 3);
   * ```
   */
  skipif(
    conditions: readonly SkipCondition[],
    options: SkipifOptions = {},
  ): Task<R> {
    if (!Array.isArray(conditions)) {
      throw new TypeError(
        `skipif(conditions) expects an array of functions, got ${
          typeName(conditions)
        }`,
      );
    }
    conditions.forEach((c, i) => {
      if (typeof c !== "function") {
        throw new TypeError(
          `skipif condition ${i} is ${typeName(c)}, expected a function`,
        );
      }
    });
    const depth = options.unpackDepth ?? 1;
    flattenValues([], depth); // checks the depth
    return this.#with({
      conditions: Object.freeze([...conditions]),
      unpackDepth: depth,
    });
  }

  /**
   * Name this task instance; the id appears in error messages and spans.
   *
   * @param id The task instance id (non-empty).
   * @returns A new task with the id.
   * @throws {TypeError} When `id` is not a non-empty string.
   *
   * @example
   * ```ts
   * import { task } from "@wt/task";
   *
   * const t = task(() => 1).setTaskInstanceId("one");
   * console.assert(t.taskInstanceId === "one");
   * ```
   */
  setTaskInstanceId(id: string): Task<R> {
    if (typeof id !== "string" || id === "") {
      throw new TypeError(
        `task instance id must be a non-empty string, got ${typeName(id)}`,
      );
    }
    return this.#with({ id });
  }

  /**
   * Wrap every error a call throws (or rejects with) in a {@linkcode TaskInstanceError}
   * whose message names the task instance id (and the map element) and whose `cause` is
   * the original error. This instance's own {@linkcode TaskValidationError}s (already a
   * `TaskInstanceError` naming it) pass through unchanged.
   *
   * @returns A new task that wraps errors.
   *
   * @example
   * ```ts
   * import { task, TaskInstanceError } from "@wt/task";
   *
   * const boom = task((): number => {
   *   throw new Error("boom");
   * }).setTaskInstanceId("b").handleErrors();
   * try {
   *   await boom.call();
   * } catch (e) {
   *   console.assert(e instanceof TaskInstanceError && e.message === 'task instance "b" failed: boom');
   * }
   * ```
   */
  handleErrors(): Task<R> {
    return this.#with({ handleErrors: true });
  }

  /**
   * Record OpenTelemetry spans: one per run of this instance (`call`, `map` or
   * `mapvalues`) with attributes `method` and `ncalls`, and one child span per call. With no
   * OpenTelemetry SDK registered (and no `tracer` option) the spans are no-ops. The
   * OpenTelemetry API is loaded on the first traced run, never otherwise.
   *
   * @param options A tracer and a parent context (see `@wt/task/tracing`).
   * @returns A new task that records spans.
   *
   * @example
   * ```ts
   * import { task } from "@wt/task";
   *
   * const t = task(({ n }: { n: number }) => n + 1).setTaskInstanceId("inc").withTracing();
   * console.assert((await t.call({ n: 1 })) === 2);
   * ```
   */
  withTracing(options: TracingOptions = {}): Task<R> {
    return this.#with({ tracing: { ...options } });
  }

  /**
   * Mock-io mode: when the wrapped function is a registered task tagged `io`, calls return
   * its registered `mock` instead of running it — the value itself, or, when `mock` is a
   * function, its result for the call's arguments. An `io` task without a `mock` fails with
   * {@linkcode MockIoError}. Other tasks are unaffected. Skip conditions and validation
   * still apply. Generated mock-io workflows wrap every task with `task(fn, { mockIo: true })`
   * or call this method.
   *
   * @returns A new task in mock-io mode.
   *
   * @example
   * ```ts
   * import { task } from "@wt/task";
   *
   * const fetchEvents = Object.assign(async (_: { since: string }) => [] as string[], {
   *   [Symbol.for("wt.registry.task")]: { metadata: { tags: ["io"] }, mock: ["e1", "e2"] },
   * });
   * const events = await task(fetchEvents).mockIo().call({ since: "2024-01-01" });
   * console.assert(JSON.stringify(events) === '["e1","e2"]');
   * ```
   */
  mockIo(): Task<R> {
    return this.#with({ mockIo: true });
  }

  #spanName(): string {
    return this.#s.id ?? this.#s.name;
  }

  #checkArray(argvalues: unknown, method: string): readonly unknown[] {
    if (!Array.isArray(argvalues)) {
      throw new TypeError(
        `${method}(argvalues) of ${describe(this.#s)} expects an array, got ${
          typeName(argvalues)
        }`,
      );
    }
    return argvalues;
  }

  #skipWhole(names: readonly string[], method: string): Promise<Skip> {
    const s = this.#s;
    const fail = () =>
      new TypeError(
        `${method}(argvalues) of ${
          describe(this.#s)
        } got the SKIP sentinel (an upstream ` +
          "task was skipped) and no skip condition holds: add anyDependencySkipped to " +
          "its skipif conditions, or pass an array",
      );
    if (!s.conditions || s.conditions.length === 0) {
      return Promise.reject(fail());
    }
    const args: Record<string, unknown> = { ...s.bound };
    for (const n of names) args[n] = SKIP;
    const skip = evalConditions(
      s.conditions,
      { values: flattenOwned(Object.values(args), s.unpackDepth) },
      0,
    );
    return Promise.resolve(skip).then((b) => {
      if (b) return SKIP;
      throw fail();
    });
  }

  #runMany(
    method: "map" | "mapvalues",
    values: readonly unknown[],
    names: readonly string[],
    keys: readonly (readonly unknown[])[] | undefined,
    limit: number,
  ): Promise<unknown[]> {
    const s = this.#s;
    const exec = this.#run();
    const bound = s.bound;
    const controller = new AbortController();
    const ctx: TaskContext = {
      signal: controller.signal,
      taskInstanceId: s.id,
    };
    const single = names.length === 1 ? names[0] as string : undefined;
    const one = (i: number): unknown => {
      const args: Record<string, unknown> = { ...bound };
      if (single !== undefined) args[single] = values[i];
      else assignNames(args, names, values[i]);
      return exec(args, ctx, i, keys);
    };
    if (!s.tracing) {
      try {
        const r = runAll(values.length, one, limit, controller);
        return Array.isArray(r) ? Promise.resolve(r) : r;
      } catch (e) {
        return Promise.reject(e);
      }
    }
    const spanName = this.#spanName();
    return this.#traced(method, values.length, (child: ChildSpan) =>
      runAll(
        values.length,
        (i) =>
          child(
            `${spanName}[${i}]`,
            keys
              ? { "wt.index": i, "wt.key": JSON.stringify(keys[i]?.[0]) ?? "" }
              : { "wt.index": i },
            () => one(i),
          ),
        limit,
        controller,
      ));
  }

  async #traced<T>(
    method: string,
    ncalls: number,
    body: (child: ChildSpan) => T | Promise<T>,
  ): Promise<T> {
    const s = this.#s;
    const tracing = await loadTracing();
    const attributes: Record<string, string | number> = {
      method,
      ncalls,
      "wt.task": s.name,
    };
    if (s.id !== undefined) attributes["wt.task_instance_id"] = s.id;
    return tracing.withInstanceSpan(
      s.tracing ?? {},
      this.#spanName(),
      attributes,
      body,
    );
  }
}

/**
 * Wrap a task function. `fn` takes ONE object of named arguments (binding is by name) and
 * may be sync or async; it may be a registered task from `@wt/registry`, whose brand
 * (`Symbol.for("wt.registry.task")`) supplies the name, the parameter schemas for
 * `.validate()`, the `io` tag and the `mock` for `.mockIo()`.
 *
 * @param fn The task function.
 * @param options Name, schemas for plain functions, mock-io mode.
 * @returns An immutable {@linkcode Task}.
 * @throws {TypeError} When `fn` is not a function.
 *
 * @example
 * ```ts
 * import { task } from "@wt/task";
 *
 * const double = task(({ n }: { n: number }) => 2 * n);
 * console.assert((await double.call({ n: 21 })) === 42);
 * console.assert(JSON.stringify(await double.map("n", [1, 2])) === "[2,4]");
 * ```
 */
export function task<P extends object, R>(
  fn: TaskFn<P, R>,
  options: TaskOptions = {},
): Task<Awaited<R>> {
  if (typeof fn !== "function") {
    throw new TypeError(`task(fn) expects a function, got ${typeName(fn)}`);
  }
  const info = registeredInfo(fn);
  const name = options.name ?? info?.name ??
    ((fn as { name?: string }).name || info?.metadata?.title || "anonymous");
  return createTask<Awaited<R>>({
    fn: fn as unknown as AnyFn,
    name,
    info,
    params: options.params ?? info?.params,
    jsonSchema: options.jsonSchema ?? info?.json_schema,
    bound: EMPTY,
    id: undefined,
    validate: false,
    conditions: undefined,
    unpackDepth: 1,
    handleErrors: false,
    tracing: undefined,
    mockIo: options.mockIo ?? false,
  });
}

/**
 * Whether a value is a {@linkcode Task} from any copy of `@wt/task`.
 *
 * @param x Any value.
 * @returns `true` for a task.
 *
 * @example
 * ```ts
 * import { isTask, task } from "@wt/task";
 *
 * console.assert(isTask(task(() => 1)) && !isTask(() => 1));
 * ```
 */
export function isTask(x: unknown): x is Task {
  return typeof x === "object" && x !== null &&
    (x as { [k: symbol]: unknown })[TASK_BRAND] === true;
}
