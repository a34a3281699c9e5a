/**
 * Overhead of the task wrapper on trivial functions, against plain loops measured in the
 * same run (`deno bench -A task/task_bench.ts`).
 *
 * @module
 */
import { anyDependencySkipped, task } from "./mod.ts";

const N = 1_000;
const input = Array.from({ length: N }, (_, i) => i);
const keyed = input.map((i) => [`k${i}`, i] as [string, number]);
const tuples = input.map((i) => [i, 1] as [number, number]);

const addFn = ({ a, b }: { a: number; b: number }) => a + b;
const addAsync = ({ a, b }: { a: number; b: number }) => Promise.resolve(a + b);
const add = task(addFn);
const addBound = add.partial({ a: 1 });
const addAsyncBound = task(addAsync).partial({ a: 1 });
const configured = addBound.setTaskInstanceId("add").skipif([
  anyDependencySkipped,
]).handleErrors();

let sink = 0;

Deno.bench({
  name: "plain function call",
  group: "call",
  baseline: true,
  async fn() {
    sink += await Promise.resolve(addFn({ a: 1, b: 2 }));
  },
});
Deno.bench({
  name: "task.call",
  group: "call",
  async fn() {
    sink += await add.call({ a: 1, b: 2 }) as number;
  },
});
Deno.bench({
  name: "task.partial.call",
  group: "call",
  async fn() {
    sink += await addBound.call({ b: 2 }) as number;
  },
});
Deno.bench({
  name: "task.call with skipif + handleErrors",
  group: "call",
  async fn() {
    sink += await configured.call({ b: 2 }) as number;
  },
});

Deno.bench({
  name: `plain loop, ${N} sync elements`,
  group: "map sync",
  baseline: true,
  fn() {
    const out = new Array(N);
    for (let i = 0; i < N; i++) out[i] = addFn({ a: 1, b: input[i] as number });
    sink += out.length;
  },
});
Deno.bench({
  name: `task.map, ${N} sync elements`,
  group: "map sync",
  async fn() {
    sink += (await addBound.map("b", input)).length;
  },
});
Deno.bench({
  name: `task.map over tuples, ${N} sync elements`,
  group: "map sync",
  async fn() {
    sink += (await add.map(["b", "a"], tuples)).length;
  },
});
Deno.bench({
  name: `task.mapvalues, ${N} sync elements`,
  group: "map sync",
  async fn() {
    sink += (await addBound.mapvalues("b", keyed)).length;
  },
});
Deno.bench({
  name: `task.map with skipif + handleErrors, ${N} sync elements`,
  group: "map sync",
  async fn() {
    sink += (await configured.map("b", input)).length;
  },
});

Deno.bench({
  name: `Promise.all, ${N} async elements`,
  group: "map async",
  baseline: true,
  async fn() {
    const out = await Promise.all(
      input.map((b) => addAsync({ a: 1, b })),
    );
    sink += out.length;
  },
});
Deno.bench({
  name: `task.map, ${N} async elements, concurrency 16`,
  group: "map async",
  async fn() {
    sink += (await addAsyncBound.map("b", input)).length;
  },
});
Deno.bench({
  name: `task.map, ${N} async elements, unlimited`,
  group: "map async",
  async fn() {
    sink += (await addAsyncBound.map("b", input, { concurrency: Infinity }))
      .length;
  },
});

globalThis.addEventListener("unload", () => {
  if (sink === -1) console.log(sink);
});
