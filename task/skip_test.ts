import assert from "node:assert/strict";
import {
  allAreNone,
  anyDependencySkipped,
  anyIsEmpty,
  flattenValues,
  isEmpty,
  isSkip,
  never,
  SKIP,
  type SkipCondition,
  task,
} from "./mod.ts";
import * as conditions from "./conditions.ts";
import { registered, sleep } from "./testdata/fixtures.ts";

Deno.test("SKIP sentinel", async (t) => {
  await t.step("is frozen, serialises to null and prints as SKIP", () => {
    assert.ok(Object.isFrozen(SKIP));
    assert.equal(JSON.stringify(SKIP), "null");
    assert.equal(
      JSON.stringify({ a: SKIP, b: [SKIP] }),
      '{"a":null,"b":[null]}',
    );
    assert.equal(String(SKIP), "SKIP");
    assert.equal(Deno.inspect(SKIP), "SKIP");
    assert.equal(SKIP.skipped, true);
  });
  await t.step("is shared through the global symbol registry", async () => {
    const key = Symbol.for("wt.task.skip");
    assert.equal((globalThis as Record<symbol, unknown>)[key], SKIP);
    // A second copy of the module (different URL) yields the same sentinel.
    const copy = await import(`./skip.ts?copy=${Date.now()}`);
    assert.equal(copy.SKIP, SKIP);
  });
  await t.step(
    "isSkip recognises the sentinel and branded look-alikes only",
    () => {
      assert.ok(isSkip(SKIP));
      assert.ok(isSkip({ [Symbol.for("wt.task.skip")]: true }));
      for (const x of [null, undefined, 0, "", {}, { skipped: true }, [SKIP]]) {
        assert.ok(!isSkip(x), JSON.stringify(x));
      }
    },
  );
});

Deno.test("flattenValues", async (t) => {
  const values = [1, [2, [3, [4]]], { o: [5] }, "ab", [["k", "v"]]];
  await t.step("depth 0 keeps the values themselves", () => {
    assert.deepEqual(flattenValues(values, 0), values);
  });
  await t.step(
    "depth 1 expands arrays one level (a keyed list into its pairs)",
    () => {
      assert.deepEqual(flattenValues(values, 1), [
        1,
        2,
        [3, [4]],
        { o: [5] },
        "ab",
        ["k", "v"],
      ]);
    },
  );
  await t.step(
    "depth 2 expands one level further (pairs into key and value)",
    () => {
      assert.deepEqual(flattenValues(values, 2), [
        1,
        2,
        3,
        [4],
        { o: [5] },
        "ab",
        "k",
        "v",
      ]);
    },
  );
  await t.step(
    "depth beyond the nesting is harmless; objects and strings are never expanded",
    () => {
      assert.deepEqual(flattenValues(values, 10), [
        1,
        2,
        3,
        4,
        { o: [5] },
        "ab",
        "k",
        "v",
      ]);
    },
  );
  await t.step("returns a new array", () => {
    const v = [1];
    assert.notEqual(flattenValues(v, 0), v);
  });
  await t.step("rejects a bad depth", () => {
    for (const d of [-1, 1.5, NaN]) {
      assert.throws(() => flattenValues([], d), RangeError);
    }
  });
});

function recorder() {
  const calls: unknown[] = [];
  const t = task((kwargs: Record<string, unknown>) => {
    calls.push(kwargs);
    return "ran";
  });
  return { calls, t };
}

Deno.test("skipif at unpack depth 0, 1 and 2", async (t) => {
  const nested = { xs: [1, [SKIP]] };
  const keyed = { groups: [["a", 1], ["b", SKIP]] };
  await t.step("depth 0: only a top-level SKIP argument skips", async () => {
    const { calls, t: r } = recorder();
    const s = r.skipif([anyDependencySkipped], { unpackDepth: 0 });
    assert.equal(await s.call({ x: SKIP }), SKIP);
    assert.equal(await s.call({ xs: [SKIP] }), "ran");
    assert.equal(calls.length, 1);
  });
  await t.step(
    "depth 1 (default): SKIP inside a list argument skips",
    async () => {
      const { calls, t: r } = recorder();
      const s = r.skipif([anyDependencySkipped]);
      assert.equal(await s.call({ xs: [1, SKIP] }), SKIP);
      assert.equal(await s.call(nested), "ran");
      assert.equal(
        await s.call(keyed),
        "ran",
        "the pairs are seen, not their values",
      );
      assert.equal(calls.length, 2);
    },
  );
  await t.step(
    "depth 2: SKIP two levels down (e.g. the value of a [key, value] pair) skips",
    async () => {
      const { calls, t: r } = recorder();
      const s = r.skipif([anyDependencySkipped], { unpackDepth: 2 });
      assert.equal(await s.call(nested), SKIP);
      assert.equal(await s.call(keyed), SKIP);
      assert.equal(await s.call({ xs: [1, [[SKIP]]] }), "ran");
      assert.equal(calls.length, 1);
    },
  );
  await t.step(
    "conditions see bound and call-time values, in argument order",
    async () => {
      const seen: unknown[][] = [];
      const spy: SkipCondition = ({ values }) => {
        seen.push(values);
        return false;
      };
      await task(() => 0).partial({ a: 1, b: [2, 3] }).skipif([spy]).call({
        c: [[4]],
      });
      assert.deepEqual(seen, [[1, 2, 3, [4]]]);
    },
  );
});

Deno.test("skipif conditions: any true skips, evaluated in order with short-circuit", async () => {
  const order: string[] = [];
  const c = (name: string, result: boolean): SkipCondition => () => {
    order.push(name);
    return result;
  };
  const { calls, t } = recorder();
  assert.equal(
    await t.skipif([c("a", false), c("b", true), c("c", true)]).call(),
    SKIP,
  );
  assert.deepEqual(order, ["a", "b"]);
  order.length = 0;
  assert.equal(await t.skipif([c("a", false), c("b", false)]).call(), "ran");
  assert.deepEqual(order, ["a", "b"]);
  assert.equal(await t.skipif([]).call(), "ran");
  assert.equal(calls.length, 2);
});

Deno.test("a later skipif replaces the earlier conditions", async () => {
  const { t } = recorder();
  const s = t.skipif([() => true]).skipif([never]);
  assert.equal(await s.call(), "ran");
});

Deno.test("async skip conditions", async () => {
  const { calls, t } = recorder();
  const later = (v: boolean): SkipCondition => async () => {
    await sleep(1);
    return v;
  };
  assert.equal(await t.skipif([later(false), later(true)]).call(), SKIP);
  assert.equal(await t.skipif([later(false), () => false]).call(), "ran");
  assert.deepEqual(await t.skipif([later(false)]).map("x", [1, 2]), [
    "ran",
    "ran",
  ]);
  assert.equal(calls.length, 3);
});

Deno.test("a condition that does not return a boolean is an error naming it", async () => {
  const { t } = recorder();
  function sloppy(): boolean {
    return 1 as unknown as boolean;
  }
  await assert.rejects(
    t.skipif([sloppy]).call(),
    /skip condition "sloppy" returned number, expected a boolean/,
  );
  const asyncSloppy: SkipCondition = () =>
    Promise.resolve("yes" as unknown as boolean);
  await assert.rejects(t.skipif([asyncSloppy]).call(), /returned string/);
});

Deno.test("skipif checks its arguments", () => {
  const { t } = recorder();
  assert.throws(
    () => t.skipif([1 as unknown as SkipCondition]),
    /skipif condition 0 is number, expected a function/,
  );
  assert.throws(
    () => t.skipif(never as unknown as SkipCondition[]),
    /expects an array of functions/,
  );
  assert.throws(() => t.skipif([never], { unpackDepth: -1 }), RangeError);
});

Deno.test("a registered task taking `values` works as a condition", async () => {
  const anyNegative = registered(
    ({ values }: { values: unknown[] }) =>
      values.some((v) => typeof v === "number" && v < 0),
    { name: "any_negative", metadata: { tags: [] } },
  );
  const { t } = recorder();
  const s = t.skipif([anyNegative]);
  assert.equal(await s.call({ xs: [1, -1] }), SKIP);
  assert.equal(await s.call({ xs: [1, 2] }), "ran");
});

Deno.test("SKIP through map: skipped elements give SKIP without a call", async () => {
  const { calls, t } = recorder();
  const s = t.skipif([anyDependencySkipped]);
  assert.deepEqual(await s.map("x", [1, SKIP, 3]), ["ran", SKIP, "ran"]);
  assert.deepEqual(calls, [{ x: 1 }, { x: 3 }]);
  // SKIP inside a tuple element spread over several names.
  calls.length = 0;
  assert.deepEqual(await s.map(["a", "b"], [[1, SKIP], [2, 3]]), [SKIP, "ran"]);
  assert.deepEqual(calls, [{ a: 2, b: 3 }]);
  // Without skip conditions SKIP is an ordinary value.
  const { calls: plainCalls, t: plain } = recorder();
  assert.deepEqual(await plain.map("x", [SKIP]), ["ran"]);
  assert.equal(plainCalls.length, 1);
});

Deno.test("SKIP through mapvalues: keys are kept, skipped values give [key, SKIP]", async () => {
  const { calls, t } = recorder();
  const s = t.skipif([anyDependencySkipped]);
  assert.deepEqual(await s.mapvalues("x", [["a", 1], ["b", SKIP], [3, 2]]), [
    ["a", "ran"],
    ["b", SKIP],
    [3, "ran"],
  ]);
  assert.deepEqual(calls, [{ x: 1 }, { x: 2 }]);
});

Deno.test("skipped elements inside concurrent async maps", async () => {
  const t = task(async ({ x }: { x: number }) => {
    await sleep(x);
    return x;
  }).skipif([anyDependencySkipped]);
  assert.deepEqual(await t.map("x", [5, SKIP, 1, SKIP], { concurrency: 2 }), [
    5,
    SKIP,
    1,
    SKIP,
  ]);
});

Deno.test("a map over a skipped input (argvalues is SKIP)", async (t) => {
  await t.step("resolves to SKIP when the conditions hold", async () => {
    const { calls, t: r } = recorder();
    const s = r.skipif([anyDependencySkipped]);
    assert.equal(await s.map("x", SKIP as unknown), SKIP);
    assert.equal(await s.mapvalues("x", SKIP as unknown), SKIP);
    assert.equal(await s.map(["x", "y"], SKIP as unknown), SKIP);
    assert.equal(calls.length, 0);
  });
  await t.step("is a TypeError saying what to do otherwise", async () => {
    const { t: r } = recorder();
    await assert.rejects(
      r.setTaskInstanceId("m").map("x", SKIP as unknown),
      /map\(argvalues\) of task instance "m" got the SKIP sentinel .* add anyDependencySkipped/,
    );
    await assert.rejects(
      r.skipif([never]).mapvalues("x", SKIP as unknown),
      TypeError,
    );
  });
});

Deno.test("library conditions", async (t) => {
  await t.step("are exported from @wt/task and @wt/task/conditions", () => {
    assert.equal(conditions.anyDependencySkipped, anyDependencySkipped);
    assert.equal(conditions.anyIsEmpty, anyIsEmpty);
    assert.equal(conditions.never, never);
    assert.equal(conditions.allAreNone, allAreNone);
  });
  await t.step("anyDependencySkipped", () => {
    assert.ok(anyDependencySkipped({ values: [1, SKIP] }));
    assert.ok(!anyDependencySkipped({ values: [1, null, [SKIP]] }));
    assert.ok(!anyDependencySkipped({ values: [] }));
  });
  await t.step("isEmpty / anyIsEmpty", () => {
    class Frame {
      constructor(readonly length: number) {}
    }
    const empties = [
      null,
      undefined,
      "",
      [],
      {},
      new Map(),
      new Set(),
      new Frame(0),
      { size: 0 },
      Object.create(null),
    ];
    const full = [
      0,
      false,
      "a",
      [0],
      { a: undefined },
      new Map([[1, 1]]),
      new Frame(2),
      SKIP,
      new Date(0),
    ];
    for (const e of empties) assert.ok(isEmpty(e), Deno.inspect(e));
    for (const f of full) assert.ok(!isEmpty(f), Deno.inspect(f));
    assert.ok(anyIsEmpty({ values: [1, []] }));
    assert.ok(!anyIsEmpty({ values: [1, [0]] }));
  });
  await t.step("allAreNone", () => {
    assert.ok(allAreNone({ values: [null, undefined] }));
    assert.ok(!allAreNone({ values: [null, 0] }));
    assert.ok(!allAreNone({ values: [] }));
  });
  await t.step("never", () => {
    assert.equal(never({ values: [SKIP] }), false);
  });
  await t.step("anyIsEmpty skips a task fed an empty table", async () => {
    const { calls, t: r } = recorder();
    const s = r.skipif([anyDependencySkipped, anyIsEmpty], { unpackDepth: 0 });
    assert.deepEqual(await s.map("rows", [[], [1], ""]), [SKIP, "ran", SKIP]);
    assert.equal(calls.length, 1);
  });
});

Deno.test("skip conditions are checked before validation", async () => {
  const checked = task(({ n }: { n: number }) => n, {
    jsonSchema: { type: "object", properties: { n: { type: "integer" } } },
  }).validate().skipif([anyDependencySkipped]);
  assert.equal(await checked.call({ n: SKIP }), SKIP);
  await assert.rejects(checked.call({ n: "x" }), /must be integer/);
});
