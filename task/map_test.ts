import assert from "node:assert/strict";
import { DEFAULT_CONCURRENCY, MapArgumentError, task } from "./mod.ts";
import { rejection, sleep } from "./testdata/fixtures.ts";

const add = task(({ a, b }: { a: number; b: number }) => a + b);
const ident = task(({ x }: { x: unknown }) => x);

Deno.test("map with one name over plain values", async () => {
  assert.deepEqual(await add.partial({ a: 1 }).map("b", [1, 2, 3]), [2, 3, 4]);
});

Deno.test("map with a one-element name list takes each element as that argument", async () => {
  // Even when the element is an array: it is the value, not a tuple to spread.
  assert.deepEqual(await ident.map(["x"], [[1, 2], [3]]), [[1, 2], [3]]);
  assert.deepEqual(await ident.map("x", [[1, 2], null]), [[1, 2], null]);
});

Deno.test("map with several names spreads each tuple over them in order", async () => {
  const sub = task(({ a, b }: { a: number; b: number }) => a - b);
  assert.deepEqual(await sub.map(["a", "b"], [[5, 1], [10, 4]]), [4, 6]);
  assert.deepEqual(await sub.map(["b", "a"], [[5, 1], [10, 4]]), [-4, -6]);
  const three = task(({ a, b, c }: { a: number; b: number; c: number }) =>
    `${a}${b}${c}`
  );
  assert.deepEqual(
    await three.partial({ a: 0 }).map(["b", "c"], [[1, 2], [3, 4]]),
    ["012", "034"],
  );
});

Deno.test("map over empty input gives [] without calling", async () => {
  let calls = 0;
  const t = task(() => ++calls);
  assert.deepEqual(await t.map("x", []), []);
  assert.deepEqual(await t.map(["x", "y"], []), []);
  assert.deepEqual(await t.mapvalues("x", []), []);
  assert.equal(calls, 0);
});

Deno.test("tuple length mismatch is a clear error naming the element, expected and got", async () => {
  let calls = 0;
  const t = task(({ a, b }: { a: number; b: number }) => {
    calls++;
    return a + b;
  });
  const err = await rejection(
    t.map(["a", "b"], [[1, 2], [3, 4], [5]]),
    MapArgumentError,
  );
  assert.equal(err.index, 2);
  assert.equal(
    err.message,
    'map element 2 of task "anonymous": expected 2 values for [a, b], got 1',
  );
  assert.equal(calls, 0, "input is checked before any call");

  await assert.rejects(
    t.map(["a", "b"], [[1, 2, 3]]),
    /map element 0 of task "anonymous": expected 2 values for \[a, b\], got 3/,
  );
  await assert.rejects(
    t.map(["a", "b"], [[1, 2], 7]),
    /map element 1 of task "anonymous": expected an array of 2 values for \[a, b\], got number/,
  );
});

Deno.test("map argument checks", async (t) => {
  await t.step(
    "argvalues not an array is a TypeError naming the task",
    async () => {
      const named = ident.setTaskInstanceId("ids");
      for (const bad of [{ a: 1 }, "abc", 3, null, undefined]) {
        const err = await rejection(named.map("x", bad), Error);
        assert.ok(err instanceof TypeError, String(bad));
        assert.match(
          err.message,
          /^map\(argvalues\) of task instance "ids" expects an array, got /,
        );
      }
      await assert.rejects(
        ident.mapvalues("x", { a: 1 }),
        /mapvalues\(argvalues\) of task "anonymous" expects an array, got object/,
      );
    },
  );
  await t.step(
    "argnames must be a name or a non-empty list of distinct names",
    async () => {
      await assert.rejects(ident.map([], [1]), MapArgumentError);
      await assert.rejects(ident.map("", [1]), /non-empty strings/);
      await assert.rejects(
        ident.map(3 as unknown as string, [1]),
        /must be an argument name or a non-empty list of names, got number/,
      );
      await assert.rejects(ident.map(["x", "x"], [[1, 2]]), /names "x" twice/);
    },
  );
  await t.step(
    "concurrency must be a positive integer or Infinity",
    async () => {
      for (const c of [0, -1, 1.5, NaN]) {
        await assert.rejects(
          ident.map("x", [1], { concurrency: c }),
          RangeError,
        );
      }
      assert.deepEqual(
        await ident.map("x", [1, 2], { concurrency: Infinity }),
        [1, 2],
      );
    },
  );
});

Deno.test("mapvalues keeps keys of any JSON type", async () => {
  const double = task(({ n }: { n: number }) => 2 * n);
  const keys: unknown[] = [
    "s",
    0,
    1.5,
    true,
    null,
    ["a", 1],
    { k: "v" },
    "",
  ];
  const out = await double.mapvalues(
    "n",
    keys.map((k, i) => [k, i] as [unknown, number]),
  );
  assert.deepEqual(out, keys.map((k, i) => [k, 2 * i]));
  for (let i = 0; i < keys.length; i++) {
    assert.equal(out[i]?.[0], keys[i], "keys are passed through by identity");
  }
});

Deno.test("mapvalues with bound arguments and several names", async () => {
  const sub = task(({ a, b, c }: { a: number; b: number; c: number }) =>
    a - b + c
  );
  assert.deepEqual(
    await sub.partial({ c: 100 }).mapvalues(["a", "b"], [["x", [5, 1]], [
      "y",
      [1, 5],
    ]]),
    [["x", 104], ["y", 96]],
  );
  await assert.rejects(
    sub.mapvalues(["a", "b"], [["x", [5]]]),
    /mapvalues value 0 of task "anonymous": expected 2 values for \[a, b\], got 1/,
  );
});

Deno.test("mapvalues checks the [key, value] pair shape", async () => {
  let calls = 0;
  const t = task(({ x }: { x: unknown }) => {
    calls++;
    return x;
  });
  for (
    const [bad, got] of [
      ["k", "string"],
      [["k"], "an array of length 1"],
      [["k", 1, 2], "an array of length 3"],
      [null, "null"],
      [{ k: 1 }, "object"],
    ] as const
  ) {
    const err = await rejection(
      t.mapvalues("x", [["ok", 1], bad]),
      MapArgumentError,
    );
    assert.equal(err.index, 1);
    assert.equal(
      err.message,
      `mapvalues element 1 of task "anonymous": expected a [key, value] pair, got ${got}`,
    );
  }
  assert.equal(calls, 0);
});

Deno.test("sync task functions run in order without concurrency", async () => {
  const order: number[] = [];
  const t = task(({ x }: { x: number }) => {
    order.push(x);
    return x * x;
  });
  assert.deepEqual(await t.map("x", [3, 1, 2]), [9, 1, 4]);
  assert.deepEqual(order, [3, 1, 2]);
});

Deno.test("concurrent map keeps input order when calls finish out of order", async () => {
  const finished: number[] = [];
  const t = task(async ({ ms }: { ms: number }, ctx) => {
    await sleep(ms, ctx.signal);
    finished.push(ms);
    return ms;
  });
  const input = [40, 5, 25, 0, 15];
  assert.deepEqual(await t.map("ms", input), input);
  assert.notDeepEqual(finished, input, "calls really finished out of order");
  assert.deepEqual(
    await t.mapvalues("ms", input.map((ms, i) => [`k${i}`, ms])),
    input.map((ms, i) => [`k${i}`, ms]),
  );
});

Deno.test("concurrent map runs calls concurrently up to the limit", async () => {
  let active = 0;
  let peak = 0;
  const t = task(async ({ ms }: { ms: number }) => {
    active++;
    peak = Math.max(peak, active);
    await sleep(ms);
    active--;
    return ms;
  });
  const input = Array.from({ length: 9 }, (_, i) => 5 + (i % 3) * 5);
  assert.deepEqual(await t.map("ms", input, { concurrency: 3 }), input);
  assert.equal(peak, 3);
  peak = 0;
  assert.deepEqual(await t.map("ms", input, { concurrency: 1 }), input);
  assert.equal(peak, 1);
  peak = 0;
  const many = Array.from({ length: DEFAULT_CONCURRENCY + 4 }, () => 5);
  await t.map("ms", many);
  assert.equal(peak, DEFAULT_CONCURRENCY, "default limit");
});

Deno.test("the first failure rejects the map, aborts running calls and starts no further call", async () => {
  const started: number[] = [];
  const aborted: number[] = [];
  const t = task(async ({ i }: { i: number }, ctx) => {
    started.push(i);
    if (i === 1) {
      await sleep(10, ctx.signal);
      throw new Error(`element ${i} failed`);
    }
    if (i === 3) throw new Error("never reached");
    try {
      await sleep(200, ctx.signal);
    } catch (e) {
      aborted.push(i);
      throw e;
    }
    return i;
  });
  const err = await rejection(
    t.map("i", [0, 1, 2, 3, 4, 5], { concurrency: 3 }),
    Error,
  );
  assert.equal(err.message, "element 1 failed");
  await sleep(20);
  assert.deepEqual(started, [0, 1, 2], "no call starts after the failure");
  assert.deepEqual(aborted.sort(), [0, 2], "running calls see the abort");
});

Deno.test("the first failure of a sync function stops the map at once", async () => {
  const started: number[] = [];
  const t = task(({ i }: { i: number }) => {
    started.push(i);
    if (i === 2) throw new TypeError("bad element");
    return i;
  });
  await assert.rejects(t.map("i", [0, 1, 2, 3, 4]), /bad element/);
  assert.deepEqual(started, [0, 1, 2]);
});

Deno.test("a failure after other calls finished is still reported; later failures are ignored", async () => {
  const t = task(async ({ i }: { i: number }, ctx) => {
    await sleep(i * 5, ctx.signal);
    if (i >= 2) throw new Error(`fail ${i}`);
    return i;
  });
  await assert.rejects(
    t.map("i", [3, 0, 2, 1], { concurrency: Infinity }),
    /fail 2/,
  );
  await sleep(30);
});

Deno.test("mixed sync and async results (a function that only sometimes awaits)", async () => {
  const t = task(({ x }: { x: number }) =>
    x % 2 ? sleep(x).then(() => x * 10) : x * 10
  );
  assert.deepEqual(await t.map("x", [0, 1, 2, 3, 4, 5], { concurrency: 2 }), [
    0,
    10,
    20,
    30,
    40,
    50,
  ]);
});

Deno.test("thenables returned by the task are awaited", async () => {
  const t = task(({ x }: { x: number }) => ({
    then(resolve: (v: number) => void) {
      resolve(x + 1);
    },
  }));
  assert.deepEqual(await t.map("x", [1, 2]), [2, 3]);
});

Deno.test("large sync map", async () => {
  const n = 20_000;
  const input = Array.from({ length: n }, (_, i) => i);
  const out = await task(({ x }: { x: number }) => x + 1).map("x", input);
  assert.equal(out.length, n);
  assert.equal(out[n - 1], n);
});

Deno.test("large async map does not grow the stack", async () => {
  const n = 5_000;
  const input = Array.from({ length: n }, (_, i) => i);
  const out = await task(({ x }: { x: number }) => Promise.resolve(x + 1)).map(
    "x",
    input,
    { concurrency: 4 },
  );
  assert.equal(out.length, n);
  assert.equal(out[n - 1], n);
});
