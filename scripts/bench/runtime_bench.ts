/**
 * Overhead of the `@wt/task` runtime on 100 000 trivial elements, against plain loops
 * calling the same function in the same run. `scripts/bench/run.ts` turns these into ratios
 * (`deno bench -A --json scripts/bench/runtime_bench.ts`).
 *
 * Groups (each has one baseline):
 * - `call sync`: 100 000 × `task.call()` of a synchronous function, awaited one by one, vs
 *   a plain loop calling the function.
 * - `call async`: the same with an async function, vs a plain loop awaiting it.
 * - `map sync`: one `task.map()` over 100 000 elements vs a plain loop.
 * - `map async`: one `task.map()` of an async function over 100 000 elements (default
 *   concurrency 16, and unlimited) vs `Promise.all` over the plain calls.
 * - `generated`: the call chain the compiler generates for every instance of a registered
 *   task (`validate().setTaskInstanceId().handleErrors().withTracing().partial().call()`,
 *   valibot validation included), 100 000 times, vs a plain loop.
 *
 * @module
 */
import { task, type TaskFn } from "@wt/task";
import { add as registeredAdd } from "@wt-examples/custom-tasks";

/** Number of elements (and calls) per iteration. */
export const N = 100_000;

const input: number[] = Array.from({ length: N }, (_, i) => i);
const add = ({ a, b }: { a: number; b: number }) => a + b;
const addAsync = ({ a, b }: { a: number; b: number }) => Promise.resolve(a + b);
const inc = task(add).partial({ a: 1 });
const incAsync = task(addAsync).partial({ a: 1 });
const registered = task(
  registeredAdd as unknown as TaskFn<Record<string, unknown>, unknown>,
);

let sink = 0;

Deno.bench({
  name: "plain loop calling the function",
  group: "call sync",
  baseline: true,
  fn() {
    let s = 0;
    for (let i = 0; i < N; i++) s += add({ a: 1, b: i });
    sink += s;
  },
});
Deno.bench({
  name: "task.call, awaited",
  group: "call sync",
  async fn() {
    let s = 0;
    for (let i = 0; i < N; i++) s += await inc.call({ b: i }) as number;
    sink += s;
  },
});

Deno.bench({
  name: "plain loop awaiting the async function",
  group: "call async",
  baseline: true,
  async fn() {
    let s = 0;
    for (let i = 0; i < N; i++) s += await addAsync({ a: 1, b: i });
    sink += s;
  },
});
Deno.bench({
  name: "task.call of the async function, awaited",
  group: "call async",
  async fn() {
    let s = 0;
    for (let i = 0; i < N; i++) s += await incAsync.call({ b: i }) as number;
    sink += s;
  },
});

Deno.bench({
  name: "plain loop into an array",
  group: "map sync",
  baseline: true,
  fn() {
    const out = new Array<number>(N);
    for (let i = 0; i < N; i++) out[i] = add({ a: 1, b: input[i] as number });
    sink += out.length;
  },
});
Deno.bench({
  name: "task.map",
  group: "map sync",
  async fn() {
    sink += (await inc.map("b", input)).length;
  },
});

Deno.bench({
  name: "Promise.all over the async calls",
  group: "map async",
  baseline: true,
  async fn() {
    sink += (await Promise.all(input.map((b) => addAsync({ a: 1, b }))))
      .length;
  },
});
Deno.bench({
  name: "task.map, concurrency 16",
  group: "map async",
  async fn() {
    sink += (await incAsync.map("b", input)).length;
  },
});
Deno.bench({
  name: "task.map, unlimited concurrency",
  group: "map async",
  async fn() {
    sink += (await incAsync.map("b", input, { concurrency: Infinity }))
      .length;
  },
});

Deno.bench({
  name: "plain loop",
  group: "generated",
  baseline: true,
  fn() {
    let s = 0;
    for (let i = 0; i < N; i++) s += add({ a: 1, b: i });
    sink += s;
  },
});
Deno.bench({
  name: "generated instance chain, built and called",
  group: "generated",
  async fn() {
    let s = 0;
    for (let i = 0; i < N; i++) {
      s += await registered
        .validate()
        .setTaskInstanceId("total")
        .handleErrors()
        .withTracing()
        .partial({ b: i })
        .partial({ a: 1 })
        .call() as number;
    }
    sink += s;
  },
});

globalThis.addEventListener("unload", () => {
  if (sink === -1) console.log(sink);
});
