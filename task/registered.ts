/**
 * Reading the brand that `@wt/registry` puts on registered tasks, without importing it.
 *
 * @module
 */

/**
 * The global-registry symbol under which a registered task carries its
 * {@linkcode RegisteredTaskInfo}: `Symbol.for("wt.registry.task")`. Shared with
 * `@wt/registry` by name only, so any copy of either package agrees on it.
 *
 * @example
 * ```ts
 * import { REGISTRY_BRAND, registeredInfo } from "@wt/task";
 *
 * const fetchEvents = Object.assign(() => [], {
 *   [REGISTRY_BRAND]: { metadata: { tags: ["io"] } },
 * });
 * console.assert(registeredInfo(fetchEvents)?.metadata?.tags?.[0] === "io");
 * ```
 */
export const REGISTRY_BRAND: symbol = Symbol.for("wt.registry.task");

/**
 * What the runtime reads from a registered task's brand. Every field is optional here:
 * the runtime checks each one before use.
 */
export interface RegisteredTaskInfo {
  /** The valibot object schema of the task's parameters. */
  params?: unknown;
  /** The valibot schema of the return value, checked by `.validate()` when present. */
  returns?: unknown;
  /** JSON Schema of the form-settable parameters. */
  json_schema?: Record<string, unknown>;
  /** Every argument name the task accepts. */
  parameters?: readonly string[];
  /** Registry metadata (`tags` containing `"io"` marks io tasks). */
  metadata?: { title?: string; tags?: readonly string[] };
  /** The undecorated task function. */
  fn?: unknown;
  /** Canned result for mock-io runs: a value, or a function of the call's arguments. */
  mock?: unknown;
  /** The export name, when the registry knows it. */
  name?: string;
}

/**
 * The brand of a registered task, or `undefined` for a plain function. Reads
 * `fn[Symbol.for("wt.registry.task")]` and accepts it only when it is an object.
 *
 * @param fn A task function.
 * @returns The brand, or `undefined`.
 *
 * @example
 * ```ts
 * import { registeredInfo } from "@wt/task";
 *
 * const add = Object.assign(({ a, b }: { a: number; b: number }) => a + b, {
 *   [Symbol.for("wt.registry.task")]: { metadata: { title: "Add", tags: ["math"] } },
 * });
 * console.assert(registeredInfo(add)?.metadata?.title === "Add");
 * console.assert(registeredInfo(() => 1) === undefined);
 * ```
 */
export function registeredInfo(fn: unknown): RegisteredTaskInfo | undefined {
  if (typeof fn !== "function" && (typeof fn !== "object" || fn === null)) {
    return undefined;
  }
  let brand: unknown;
  try {
    brand = (fn as { [key: symbol]: unknown })[REGISTRY_BRAND];
  } catch {
    return undefined;
  }
  return typeof brand === "object" && brand !== null
    ? brand as RegisteredTaskInfo
    : undefined;
}

/**
 * Whether a task is tagged `io` in its registration.
 *
 * @param info A registered task's brand.
 * @returns `true` when `metadata.tags` includes `"io"`.
 *
 * @example
 * ```ts
 * import { isIoTask } from "@wt/task";
 *
 * console.assert(isIoTask({ metadata: { tags: ["io"] } }));
 * console.assert(!isIoTask({ metadata: { tags: [] } }) && !isIoTask(undefined));
 * ```
 */
export function isIoTask(info: RegisteredTaskInfo | undefined): boolean {
  const tags = info?.metadata?.tags;
  return Array.isArray(tags) && tags.includes("io");
}
