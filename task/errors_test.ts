import assert from "node:assert/strict";
import { MapArgumentError, task, TaskInstanceError } from "./mod.ts";
import { rejection, sleep } from "./testdata/fixtures.ts";

const instanceError = (p: Promise<unknown>): Promise<TaskInstanceError> =>
  rejection(p, TaskInstanceError);

Deno.test("handleErrors wraps a sync throw: message names the instance, cause is kept", async () => {
  const cause = new RangeError("value out of range");
  const t = task((): number => {
    throw cause;
  }).setTaskInstanceId("compute_total").handleErrors();
  const e = await instanceError(t.call());
  assert.equal(
    e.message,
    'task instance "compute_total" failed: value out of range',
  );
  assert.equal(e.cause, cause);
  assert.equal(e.taskInstanceId, "compute_total");
  assert.equal(e.name, "TaskInstanceError");
  assert.equal(e.element, undefined);
});

Deno.test("handleErrors wraps an async rejection", async () => {
  const cause = new Error("network down");
  const t = task(async (): Promise<number> => {
    await sleep(1);
    throw cause;
  }).setTaskInstanceId("fetch").handleErrors();
  const e = await instanceError(t.call());
  assert.equal(e.message, 'task instance "fetch" failed: network down');
  assert.equal(e.cause, cause);
});

Deno.test("handleErrors names the map element (and mapvalues key) that failed", async () => {
  const t = task(({ x }: { x: number }) => {
    if (x === 3) throw new Error("three");
    return x;
  }).setTaskInstanceId("per_x").handleErrors();
  const e = await instanceError(t.map("x", [1, 2, 3]));
  assert.equal(
    e.message,
    'task instance "per_x" failed (map element 2): three',
  );
  assert.deepEqual(e.element, { index: 2 });
  const ev = await instanceError(t.mapvalues("x", [["a", 1], [{ k: 1 }, 3]]));
  assert.equal(
    ev.message,
    'task instance "per_x" failed (mapvalues element 1, key {"k":1}): three',
  );
  assert.deepEqual(ev.element, { index: 1, key: { k: 1 } });
});

Deno.test("handleErrors with a non-Error throw and without an instance id", async () => {
  const t = task(function parse(): number {
    throw "plain string";
  }).handleErrors();
  const e = await instanceError(t.call());
  assert.equal(e.message, 'task "parse" failed: plain string');
  assert.equal(e.cause, "plain string");
  assert.equal(e.taskInstanceId, undefined);
});

Deno.test("handleErrors wraps errors of skip conditions too", async () => {
  const t = task(() => 1).setTaskInstanceId("c").skipif([() => {
    throw new Error("condition broke");
  }]).handleErrors();
  const e = await instanceError(t.call());
  assert.equal(e.message, 'task instance "c" failed: condition broke');
});

Deno.test("handleErrors wraps a TaskInstanceError of another (inner) instance", async () => {
  const inner = task((): number => {
    throw new Error("deep");
  }).setTaskInstanceId("inner").handleErrors();
  const outer = task(() => inner.call()).setTaskInstanceId("outer")
    .handleErrors();
  const e = await instanceError(outer.call());
  assert.equal(
    e.message,
    'task instance "outer" failed: task instance "inner" failed: deep',
  );
  assert.ok(e.cause instanceof TaskInstanceError);
  assert.equal((e.cause as TaskInstanceError).taskInstanceId, "inner");
});

Deno.test("without handleErrors the original error is thrown", async () => {
  const cause = new SyntaxError("raw");
  const t = task((): number => {
    throw cause;
  }).setTaskInstanceId("raw");
  assert.equal(await t.call().catch((e) => e), cause);
  assert.equal(await t.map("x", [1]).catch((e) => e), cause);
});

Deno.test("map argument errors name the task instance and are not wrapped", async () => {
  const t = task(({ a }: { a: number }) => a).setTaskInstanceId("m")
    .handleErrors();
  await assert.rejects(
    t.map(["a", "b"], [[1]]),
    (e) =>
      e instanceof MapArgumentError && e.index === 0 &&
      e.message ===
        'map element 0 of task instance "m": expected 2 values for [a, b], got 1',
  );
  await assert.rejects(
    t.mapvalues("a", [1]),
    /^MapArgumentError: mapvalues element 0 of task instance "m": expected a \[key, value\] pair, got number$/,
  );
  await assert.rejects(
    t.map([], []),
    /map\(argnames\) of task instance "m" must be an argument name/,
  );
});

Deno.test("handleErrors wraps an inner task's error even when neither has an instance id", async () => {
  const inner = task(function inner(): number {
    throw new Error("deep");
  }).handleErrors();
  const outer = task(function outer() {
    return inner.call();
  }).handleErrors();
  const e = await instanceError(outer.call());
  assert.equal(e.message, 'task "outer" failed: task "inner" failed: deep');
});
