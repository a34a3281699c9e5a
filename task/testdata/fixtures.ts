/**
 * Test fixtures: registered-like tasks built with the registry brand directly (the tests do
 * not depend on `@wt/registry`), and a cancellable sleep.
 *
 * @module
 */
import assert from "node:assert/strict";
import * as v from "valibot";

/** The brand key `@wt/registry` uses. */
export const BRAND: symbol = Symbol.for("wt.registry.task");

/**
 * Brand a function like `@wt/registry` does.
 *
 * @param fn The task function.
 * @param brand The brand value.
 * @returns `fn`, branded.
 */
export function registered<F extends (...args: never[]) => unknown>(
  fn: F,
  brand: Record<string, unknown>,
): F {
  Object.defineProperty(fn, BRAND, { value: brand });
  return fn;
}

/** `add({a, b})` with integer parameters, registered. */
export const add: (p: { a: number; b: number }) => number = registered(
  ({ a, b }: { a: number; b: number }) => a + b,
  {
    name: "add",
    params: v.object({
      a: v.pipe(v.number(), v.integer()),
      b: v.pipe(v.number(), v.integer()),
    }),
    json_schema: {
      type: "object",
      properties: { a: { type: "integer" }, b: { type: "integer" } },
      required: ["a", "b"],
      additionalProperties: false,
    },
    parameters: ["a", "b"],
    metadata: { title: "Add", tags: ["math"] },
  },
);

/**
 * Sleep `ms` milliseconds; rejects with the abort reason (and clears the timer) when
 * `signal` aborts first.
 *
 * @param ms Milliseconds.
 * @param signal Optional abort signal.
 * @returns A promise that resolves after `ms`.
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * Await a promise that must reject with an instance of `type`.
 *
 * @param p The promise.
 * @param type The error class it must reject with.
 * @returns The rejection reason.
 */
export async function rejection<E>(
  p: Promise<unknown>,
  type: abstract new (...args: never[]) => E,
): Promise<E> {
  const e: unknown = await p.then(
    () => assert.fail("should reject"),
    (e: unknown) => e,
  );
  assert.ok(e instanceof type, String(e));
  return e;
}
