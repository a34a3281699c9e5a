/**
 * `register()`: declare a task with a valibot parameter schema and metadata.
 *
 * @module
 */
import * as v from "valibot";
import { RegistryMetadata } from "@wt/contracts";
import { RegistrationError } from "./errors.ts";
import { deriveJsonSchema } from "./_json_schema.ts";

/**
 * The global symbol under which a registered task carries its {@linkcode TaskInfo}. It is
 * `Symbol.for("wt.registry.task")`, so a task registered with one copy of `@wt/registry`
 * is recognised by another copy (the registry CLI, the runtime wrapper).
 *
 * @example
 * ```ts
 * import * as v from "valibot";
 * import { register, TASK_BRAND } from "@wt/registry";
 *
 * const one = register({ params: v.object({}) }, () => 1);
 * console.assert(TASK_BRAND === Symbol.for("wt.registry.task"));
 * console.assert(one[TASK_BRAND].parameters.length === 0);
 * ```
 */
export const TASK_BRAND: unique symbol = Symbol.for("wt.registry.task");

/**
 * Version of the {@linkcode TaskInfo} layout stored under {@linkcode TASK_BRAND}.
 *
 * @example
 * ```ts
 * import * as v from "valibot";
 * import { register, TASK_INFO_VERSION, taskInfo } from "@wt/registry";
 *
 * const one = register({ params: v.object({}) }, () => 1);
 * console.assert(taskInfo(one)?.version === TASK_INFO_VERSION);
 * ```
 */
export const TASK_INFO_VERSION = 1 as const;

/** A valibot object schema of named task parameters. */
export type ParamsSchema = v.GenericSchema<
  Record<string, unknown>,
  Record<string, unknown>
>;

/**
 * Canned data for mock-io runs: a value returned as is, or a function called with the
 * task's parameters instead of the real task.
 */
export type TaskMock<P, R> = Awaited<R> | ((params: P) => R | Awaited<R>);

/** Options of {@linkcode register}. */
export interface RegisterOptions<
  TParams extends ParamsSchema = ParamsSchema,
  R = unknown,
> {
  /** Human title; the registry CLI derives one from the export name when absent. */
  title?: string;
  /** What the task does. */
  description?: string;
  /** Free-form tags; `io` marks a task replaced by canned data in mock-io runs. */
  tags?: string[];
  /** Whether the task is deprecated. */
  deprecated?: boolean;
  /** What to use instead (requires `deprecated: true`). */
  deprecation_message?: string;
  /** The task's named parameters as a valibot object schema. */
  params: TParams;
  /** Schema of the return value (documentation and optional checks by the runtime). */
  returns?: v.GenericSchema;
  /** Canned data for mock-io runs; only for tasks tagged `io`. */
  mock?: TaskMock<v.InferOutput<TParams>, R>;
}

/**
 * What a registered task carries under {@linkcode TASK_BRAND}. Read it with
 * {@linkcode taskInfo}; other packages may read it through `Symbol.for("wt.registry.task")`
 * without importing this package.
 */
export interface TaskInfo<P = Record<string, unknown>, R = unknown> {
  /** Layout version ({@linkcode TASK_INFO_VERSION}). */
  readonly version: typeof TASK_INFO_VERSION;
  /** Metadata with defaults filled in; `title` is absent when none was given. */
  readonly metadata: Readonly<RegistryMetadata>;
  /** The valibot object schema of the parameters. */
  readonly params: ParamsSchema;
  /** The valibot schema of the return value, when declared. */
  readonly returns: v.GenericSchema | undefined;
  /** JSON Schema of the parameters a form can set. */
  readonly json_schema: Readonly<Record<string, unknown>>;
  /** Every parameter name, in declaration order. */
  readonly parameters: readonly string[];
  /** Parameters left out of `json_schema` (hidden, or without a JSON form). */
  readonly hidden_parameters: readonly string[];
  /** Parameters without a default, hidden ones included, in declaration order. */
  readonly required_parameters: readonly string[];
  /** The task function as written (no defaults filled, no checks). */
  readonly fn: (params: P) => R;
  /** Whether a mock was given (a mock may itself be `undefined`). */
  readonly has_mock: boolean;
  /** Canned data for mock-io runs, see {@linkcode TaskMock}; absent when none was given. */
  readonly mock?: unknown;
}

/**
 * A task value returned by {@linkcode register}: call it with one object of named
 * parameters. Omitted parameters that have a default get it; nothing else is checked
 * (validation is the runtime wrapper's job).
 */
export type RegisteredTask<I = Record<string, unknown>, O = I, R = unknown> =
  & ((params: I) => R)
  & { readonly [TASK_BRAND]: TaskInfo<O, R> };

function describe(x: unknown): string {
  if (x === null) return "null";
  if (Array.isArray(x)) return "an array";
  if (typeof x === "object") {
    const type = (x as Record<string, unknown>)["type"];
    return (x as Record<string, unknown>)["kind"] === "schema"
      ? `a valibot '${String(type)}' schema`
      : "an object that is not a valibot schema";
  }
  return `${typeof x}`;
}

function isValibotSchema(x: unknown): x is v.GenericSchema {
  return typeof x === "object" && x !== null &&
    (x as Record<string, unknown>)["kind"] === "schema" &&
    typeof (x as Record<string, unknown>)["~run"] === "function";
}

const OBJECT_TYPES = new Set([
  "object",
  "strict_object",
  "loose_object",
  "object_with_rest",
]);

/**
 * Register a task: declare its named parameters as a valibot object schema, its metadata,
 * and the function that runs it (sync or async). The JSON Schema that forms and the
 * compiler use is derived at once, so mistakes fail at import time with a
 * {@linkcode RegistrationError}.
 *
 * Parameters marked {@linkcode hidden} or whose schema has no JSON form (`v.custom`,
 * `v.instance`, functions, dates, maps…) are left out of `json_schema` and still listed in
 * `parameters`. Actions JSON Schema cannot express but that only narrow values (`v.check`,
 * `v.trim`…) are left out of the JSON Schema and enforced when arguments are validated.
 *
 * @typeParam TParams The parameter schema.
 * @typeParam R The function's return type (a promise for async tasks).
 * @param options Metadata, the parameter schema and optional return schema and mock.
 * @param fn The task function; it receives one object of named parameters.
 * @returns A callable task value branded with its {@linkcode TaskInfo}.
 * @throws {RegistrationError} When `params` is not a valibot object schema, `fn` is not a
 *   function, a metadata field has the wrong type, a visible parameter uses a feature JSON
 *   Schema cannot express or has a non-JSON default, or a mock is given to a task not
 *   tagged `io`.
 *
 * @example
 * ```ts
 * import * as v from "valibot";
 * import { register, taskInfo } from "@wt/registry";
 *
 * export const add = register({
 *   title: "Add",
 *   description: "Add two integers.",
 *   tags: ["math"],
 *   params: v.object({ a: v.pipe(v.number(), v.integer()), b: v.pipe(v.number(), v.integer()) }),
 * }, ({ a, b }) => a + b);
 *
 * console.assert(add({ a: 1, b: 2 }) === 3);
 * console.assert(JSON.stringify(taskInfo(add)!.json_schema.required) === '["a","b"]');
 * ```
 */
export function register<TParams extends ParamsSchema, R>(
  options: RegisterOptions<TParams, NoInfer<R>>,
  fn: (params: v.InferOutput<TParams>) => R,
): RegisteredTask<v.InferInput<TParams>, v.InferOutput<TParams>, R> {
  if (typeof options !== "object" || options === null) {
    throw new RegistrationError(
      `register(): the first argument must be an options object with 'params', got ${
        describe(options)
      }`,
    );
  }
  const name = typeof options.title === "string"
    ? `'${options.title}'`
    : "(untitled)";
  if (typeof fn !== "function") {
    throw new RegistrationError(
      `register(): task ${name}: the second argument must be the task function, got ${
        describe(fn)
      }`,
    );
  }
  const params: unknown = options.params;
  // Read only once isValibotSchema(params) holds.
  const schema = params as {
    type?: unknown;
    entries?: unknown;
    async?: unknown;
  };
  if (
    !isValibotSchema(params) || !OBJECT_TYPES.has(String(schema.type)) ||
    typeof schema.entries !== "object"
  ) {
    throw new RegistrationError(
      `register(): task ${name}: 'params' must be a valibot object schema such as ` +
        `v.object({ a: v.number() }), got ${
          describe(params)
        }. A task takes one object ` +
        `of named parameters.`,
      typeof options.title === "string" ? { task: options.title } : {},
    );
  }
  if (schema.async === true) {
    throw new RegistrationError(
      `register(): task ${name}: 'params' must be a synchronous schema (v.object, not ` +
        `v.objectAsync)`,
    );
  }
  if (options.returns !== undefined && !isValibotSchema(options.returns)) {
    throw new RegistrationError(
      `register(): task ${name}: 'returns' must be a valibot schema, got ${
        describe(options.returns)
      }`,
    );
  }
  const meta = v.safeParse(RegistryMetadata, {
    title: options.title,
    description: options.description,
    tags: options.tags,
    deprecated: options.deprecated,
    deprecation_message: options.deprecation_message,
  });
  if (!meta.success) {
    const problems = meta.issues.map((i) =>
      `${v.getDotPath(i) ?? "(options)"}: ${i.message}`
    ).join("; ");
    throw new RegistrationError(
      `register(): task ${name}: invalid metadata: ${problems}`,
    );
  }
  const metadata = Object.fromEntries(
    Object.entries(meta.output).filter(([, value]) => value !== undefined),
  ) as RegistryMetadata;
  if (metadata.deprecation_message !== undefined && !metadata.deprecated) {
    throw new RegistrationError(
      `register(): task ${name}: 'deprecation_message' is given but 'deprecated' is not ` +
        `true. Fix: add deprecated: true, or drop the message.`,
    );
  }
  const hasMock = "mock" in options;
  if (hasMock && !metadata.tags.includes("io")) {
    throw new RegistrationError(
      `register(): task ${name}: 'mock' is only used for tasks tagged 'io' (mock-io runs ` +
        `replace io tasks by their canned data). Fix: add "io" to tags, or drop the mock.`,
    );
  }
  const entries = schema.entries as Record<string, v.GenericSchema>;
  const derived = deriveJsonSchema(entries, name);
  const info: TaskInfo<v.InferOutput<TParams>, R> = Object.freeze({
    version: TASK_INFO_VERSION,
    metadata: Object.freeze({
      ...metadata,
      tags: Object.freeze([...metadata.tags]) as string[],
    }),
    params: options.params,
    returns: options.returns,
    json_schema: deepFreeze(derived.json_schema),
    parameters: Object.freeze(derived.parameters),
    hidden_parameters: Object.freeze(derived.hidden),
    required_parameters: Object.freeze(derived.required),
    fn,
    has_mock: hasMock,
    // Present only when given: readers test `"mock" in info`.
    ...(hasMock ? { mock: options.mock } : {}),
  });
  const withDefaults = Object.entries(entries).filter(([, s]) =>
    "default" in (s as object)
  );
  const task = function (input: v.InferInput<TParams>): R {
    if (
      input !== undefined &&
      (typeof input !== "object" || input === null || Array.isArray(input))
    ) {
      throw new TypeError(
        `task ${name} takes one object of named parameters, got ${
          describe(input)
        }`,
      );
    }
    const args: Record<string, unknown> = { ...(input ?? {}) };
    for (const [key, schema] of withDefaults) {
      if (args[key] === undefined) {
        const value = v.getDefault(schema);
        if (value !== undefined) args[key] = value;
      }
    }
    return fn(args as v.InferOutput<TParams>);
  };
  Object.defineProperty(task, TASK_BRAND, { value: info, enumerable: false });
  // Keep the task function's own name (often empty) rather than this wrapper's.
  Object.defineProperty(task, "name", { value: fn.name, configurable: true });
  return task as RegisteredTask<
    v.InferInput<TParams>,
    v.InferOutput<TParams>,
    R
  >;
}

function deepFreeze<T>(x: T): T {
  if (x && typeof x === "object" && !Object.isFrozen(x)) {
    Object.freeze(x);
    for (const value of Object.values(x)) deepFreeze(value);
  }
  return x;
}

/**
 * Whether a value is a task made by {@linkcode register}, from this or any other copy of
 * `@wt/registry` (the brand is a global symbol).
 *
 * @param x Any value, e.g. a module export.
 * @returns `true` for registered tasks.
 *
 * @example
 * ```ts
 * import * as v from "valibot";
 * import { isRegisteredTask, register } from "@wt/registry";
 *
 * const t = register({ params: v.object({}) }, () => 1);
 * console.assert(isRegisteredTask(t) && !isRegisteredTask(() => 1));
 * ```
 */
export function isRegisteredTask(x: unknown): x is RegisteredTask {
  return taskInfo(x) !== undefined;
}

/**
 * The {@linkcode TaskInfo} a registered task carries, read through the global brand.
 *
 * @param x Any value.
 * @returns The task's info, or `undefined` when `x` is not a registered task.
 *
 * @example
 * ```ts
 * import * as v from "valibot";
 * import { register, taskInfo } from "@wt/registry";
 *
 * const double = register({ params: v.object({ n: v.number() }) }, ({ n }) => 2 * n);
 * console.assert(taskInfo(double)?.parameters[0] === "n");
 * console.assert(taskInfo(42) === undefined);
 * ```
 */
export function taskInfo(x: unknown): TaskInfo | undefined {
  if (typeof x !== "function") return undefined;
  const info = (x as unknown as Record<symbol, unknown>)[TASK_BRAND];
  if (
    typeof info !== "object" || info === null ||
    (info as TaskInfo).version !== TASK_INFO_VERSION ||
    typeof (info as TaskInfo).fn !== "function"
  ) return undefined;
  return info as TaskInfo;
}
