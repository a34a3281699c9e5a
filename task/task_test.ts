import assert from "node:assert/strict";
import { isTask, registeredInfo, REGISTRY_BRAND, Task, task } from "./mod.ts";
import { add, registered } from "./testdata/fixtures.ts";

const triple = task((
  { a, b, c }: { a?: unknown; b?: unknown; c?: unknown },
) => [a, b, c]);

Deno.test("partial", async (t) => {
  await t.step("bindings accumulate over chained calls", async () => {
    const g = triple.partial({ a: 1 }).partial({ b: 2 });
    assert.deepEqual(await g.call({ c: 3 }), [1, 2, 3]);
  });
  await t.step("a later partial overrides an earlier one", async () => {
    const g = triple.partial({ a: 1, b: 2 }).partial({ b: 20 });
    assert.deepEqual(await g.call({ c: 3 }), [1, 20, 3]);
  });
  await t.step("call-time values override bound ones", async () => {
    const g = triple.partial({ a: 1, b: 2 });
    assert.deepEqual(await g.call({ a: 10, c: 3 }), [10, 2, 3]);
    assert.deepEqual(await g.call(), [1, 2, undefined]);
  });
  await t.step("bound values are passed to every map element", async () => {
    assert.deepEqual(await triple.partial({ a: 0, b: 9 }).map("c", [1, 2]), [
      [0, 9, 1],
      [0, 9, 2],
    ]);
  });
  await t.step("rejects non-object kwargs", async () => {
    assert.throws(
      () => triple.partial([1] as unknown as Record<string, unknown>),
      /partial\(\) expects an object of named arguments, got an array/,
    );
    assert.throws(
      () => triple.partial(null as unknown as Record<string, unknown>),
      TypeError,
    );
    await assert.rejects(
      triple.call("x" as unknown as Record<string, unknown>),
      /call\(\) expects an object of named arguments, got string/,
    );
  });
});

Deno.test("call runs sync and async functions once", async () => {
  let calls = 0;
  const sync = task(({ n }: { n: number }) => {
    calls++;
    return n + 1;
  });
  const asyncT = task(async ({ n }: { n: number }) => {
    calls++;
    await Promise.resolve();
    return n * 2;
  });
  const p = sync.call({ n: 1 });
  assert.ok(p instanceof Promise, "call always returns a promise");
  assert.equal(await p, 2);
  assert.equal(await asyncT.call({ n: 4 }), 8);
  assert.equal(calls, 2);
});

Deno.test("a sync throw becomes a rejection, not a synchronous throw", async () => {
  const t = task((): number => {
    throw new RangeError("nope");
  });
  let p: Promise<unknown> | undefined;
  assert.doesNotThrow(() => {
    p = t.call();
  });
  await assert.rejects(p as Promise<unknown>, RangeError);
});

Deno.test("the task function receives one object of named arguments and a context", async () => {
  const seen: unknown[][] = [];
  const t = task((kwargs: Record<string, unknown>, ctx) => {
    seen.push([kwargs, ctx.taskInstanceId, ctx.signal.aborted]);
    return null;
  }).setTaskInstanceId("ctx");
  await t.call({ x: 1 });
  assert.deepEqual(seen, [[{ x: 1 }, "ctx", false]]);
});

Deno.test("immutability: configuring methods return new tasks and leave the original unchanged", async () => {
  const base = triple;
  const configured = [
    base.partial({ a: 1 }),
    base.setTaskInstanceId("x"),
    base.handleErrors(),
    base.skipif([() => true]),
    base.withTracing(),
    base.mockIo(),
  ];
  for (const c of configured) {
    assert.ok(c instanceof Task);
    assert.notEqual(c, base);
  }
  assert.equal(base.taskInstanceId, undefined);
  assert.deepEqual(base.boundArguments, {});
  assert.deepEqual(await base.call({ c: 3 }), [undefined, undefined, 3]);

  const p1 = base.partial({ a: 1 });
  const p2 = p1.partial({ a: 2 });
  assert.equal(await p1.call().then((r) => (r as unknown[])[0]), 1);
  assert.equal(await p2.call().then((r) => (r as unknown[])[0]), 2);
  assert.ok(Object.isFrozen(p1) && Object.isFrozen(p1.boundArguments));
  assert.throws(() => {
    (p1.boundArguments as Record<string, unknown>)["a"] = 5;
  }, TypeError);

  const kwargs = { a: 1 };
  const p3 = base.partial(kwargs);
  kwargs.a = 99;
  assert.equal(p3.boundArguments["a"], 1, "partial copies its kwargs");

  const id = base.setTaskInstanceId("one");
  const id2 = id.setTaskInstanceId("two");
  assert.equal(id.taskInstanceId, "one");
  assert.equal(id2.taskInstanceId, "two");
});

Deno.test("the task function cannot change bound arguments through its kwargs", async () => {
  const t = task((kwargs: Record<string, unknown>) => {
    kwargs["a"] = "changed";
    return kwargs["a"];
  }).partial({ a: 1 });
  assert.equal(await t.call(), "changed");
  assert.equal(t.boundArguments["a"], 1);
});

Deno.test("setTaskInstanceId checks its argument", () => {
  assert.throws(() => triple.setTaskInstanceId(""), /non-empty string/);
  assert.throws(
    () => triple.setTaskInstanceId(3 as unknown as string),
    /non-empty string, got number/,
  );
});

Deno.test("task() rejects non-functions", () => {
  assert.throws(
    () => task(3 as unknown as () => number),
    /task\(fn\) expects a function, got number/,
  );
});

Deno.test("names come from the option, the registry brand or the function", () => {
  function named_fn() {
    return 1;
  }
  assert.equal(task(named_fn).name, "named_fn");
  assert.equal(task(add).name, "add");
  assert.equal(task(named_fn, { name: "custom" }).name, "custom");
  assert.equal(
    task(registered(() => 1, { metadata: { title: "Titled" } })).name,
    "Titled",
  );
  assert.equal(task(() => 1).name, "anonymous");
});

Deno.test("registered tasks are called through their callable and expose their brand", async () => {
  const t = task(add);
  assert.equal(await t.call({ a: 2, b: 3 }), 5);
  assert.equal(t.registered?.metadata?.title, "Add");
  assert.equal(
    registeredInfo(add),
    (add as unknown as Record<symbol, unknown>)[REGISTRY_BRAND],
  );
});

Deno.test("the brand is read defensively", () => {
  assert.equal(registeredInfo(registered(() => 1, "x" as never)), undefined);
  const throwing = () => 1;
  Object.defineProperty(throwing, REGISTRY_BRAND, {
    get() {
      throw new Error("getter");
    },
  });
  assert.equal(registeredInfo(throwing), undefined);
  assert.equal(task(throwing).registered, undefined);
});

Deno.test("isTask recognises tasks", () => {
  assert.ok(isTask(triple));
  assert.ok(isTask(triple.partial({ a: 1 })));
  assert.ok(!isTask({}));
  assert.ok(!isTask(() => 1));
});
