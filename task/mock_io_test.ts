import assert from "node:assert/strict";
import * as v from "valibot";
import { anyDependencySkipped, MockIoError, SKIP, task } from "./mod.ts";
import { registered } from "./testdata/fixtures.ts";

let realCalls = 0;
const getEvents = registered(
  ({ since }: { since: string }): Promise<string[]> => {
    realCalls++;
    return Promise.reject(new Error(`network access for ${since}`));
  },
  {
    name: "get_events",
    params: v.object({ since: v.string() }),
    metadata: { tags: ["io"] },
    mock: [{ id: 1 }, { id: 2 }],
  },
);

Deno.test("mock io returns the registered mock value of an io task", async () => {
  realCalls = 0;
  const viaMethod = task(getEvents).mockIo();
  const viaOption = task(getEvents, { mockIo: true });
  assert.deepEqual(await viaMethod.call({ since: "2024" }), [{ id: 1 }, {
    id: 2,
  }]);
  assert.deepEqual(await viaOption.map("since", ["a", "b"]), [
    [{ id: 1 }, { id: 2 }],
    [{ id: 1 }, { id: 2 }],
  ]);
  assert.equal(realCalls, 0);
  await assert.rejects(task(getEvents).call({ since: "x" }), /network access/);
  assert.equal(realCalls, 1);
});

Deno.test("a mock function is called with the call's arguments", async () => {
  const fetchOne = registered(
    (_: { id: number }): string => {
      throw new Error("real");
    },
    {
      metadata: { tags: ["io", "er"] },
      mock: ({ id }: { id: number }) => `mock-${id}`,
    },
  );
  const t = task(fetchOne).mockIo().partial({});
  assert.deepEqual(await t.map("id", [1, 2]), ["mock-1", "mock-2"]);
});

Deno.test("tasks not tagged io run normally in mock-io mode", async () => {
  const pure = registered(({ n }: { n: number }) => n + 1, {
    metadata: { tags: ["math"] },
    mock: 999,
  });
  assert.equal(await task(pure).mockIo().call({ n: 1 }), 2);
  assert.equal(
    await task((kw: { n: number }) => kw.n).mockIo().call({ n: 5 }),
    5,
  );
});

Deno.test("an io task without a mock fails clearly in mock-io mode", async () => {
  const noMock = registered((): number => 1, {
    name: "load_rasters",
    metadata: { tags: ["io"] },
  });
  await assert.rejects(
    task(noMock).mockIo().call(),
    (e) =>
      e instanceof MockIoError && e.taskName === "load_rasters" &&
      /tagged "io" but has no mock/.test(e.message),
  );
});

Deno.test("skip conditions and validation still apply in mock-io mode", async () => {
  const t = task(getEvents).mockIo().skipif([anyDependencySkipped]).validate();
  assert.equal(await t.call({ since: SKIP }), SKIP);
  await assert.rejects(t.call({ since: 1 }), /since: Invalid type/);
});
