import assert from "node:assert/strict";
import { join } from "node:path";
import { RunStore } from "./store.ts";
import { RunManager } from "./run_manager.ts";
import { loadWorkflow, WorkflowRegistry } from "./workflows.ts";
import { ConflictError, NotFoundError, ParamsInvalidError } from "./errors.ts";
import { FakeInvokers, tempSetup, untilPasses } from "./testdata/helpers.ts";

const WF = "wt-add-workflow";

const params = (a: number) => ({ total: { a, b: 1 } });

async function setup(concurrency = 2) {
  const env = await tempSetup();
  const workflows = new WorkflowRegistry([
    await loadWorkflow(join(env.workflows, WF)),
  ]);
  const dbPath = join(env.data, "runs.db");
  const make = (invokers: FakeInvokers, store = new RunStore(dbPath)) => {
    const manager = new RunManager({
      store,
      workflows,
      invokers,
      dataDir: env.data,
      concurrency,
      log: () => {},
    });
    return { manager, store };
  };
  return { env, make };
}

/** A started manager over a fresh data folder; closes everything after `body`. */
async function withManager(
  concurrency: number,
  body: (
    t: {
      env: Awaited<ReturnType<typeof tempSetup>>;
      fake: FakeInvokers;
      manager: RunManager;
      store: RunStore;
    },
  ) => Promise<void>,
): Promise<void> {
  const { env, make } = await setup(concurrency);
  const fake = new FakeInvokers();
  const { manager, store } = make(fake);
  try {
    manager.start();
    await body({ env, fake, manager, store });
  } finally {
    await manager.close();
    store.close();
    await env.cleanup();
  }
}

Deno.test("RunManager: FIFO queue bounded by concurrency", () =>
  withManager(2, async ({ env, fake, manager, store }) => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      ids.push((await manager.submit({ workflow: WF, params: params(i) })).id);
    }
    const first = await fake.launched(2);
    // the first two runs get the two slots; launched side by side, they may reach the
    // invoker in either order (their folders are created concurrently)
    assert.deepEqual(
      first.map((l) => l.ctx.run_id).sort(),
      ids.slice(0, 2).sort(),
    );
    assert.deepEqual(manager.counts, { running: 2, queued: 3 });
    assert.deepEqual(ids.map((id) => store.get(id)!.status), [
      "running",
      "running",
      "queued",
      "queued",
      "queued",
    ]);
    // the workflow CLI gets the params, the run id and a results folder under --data
    const l0 = first.find((l) => l.ctx.run_id === ids[0])!;
    assert.equal(l0.args.config_json, JSON.stringify(params(0)));
    assert.equal(l0.env.run_id, ids[0]);
    assert.equal(
      l0.env.results_url,
      new URL(`file://${join(env.data, "runs", ids[0]!, "results")}`).href,
    );
    assert.equal(l0.ctx.log_path, join(env.data, "runs", ids[0]!, "run.log"));

    l0.finish({ status: "succeeded", result: 1, exit_code: 0 });
    const done = await manager.wait(ids[0]!);
    assert.equal(done.status, "succeeded");
    assert.equal(done.result, 1);
    const third = await fake.launched(3);
    assert.equal(
      third[2]!.ctx.run_id,
      ids[2],
      "next queued run starts, in order",
    );
    for (const l of fake.launches) l.finish({ status: "succeeded", result: 0 });
    await fake.launched(5);
    for (const l of fake.launches) l.finish({ status: "succeeded", result: 0 });
    await Promise.all(ids.map((id) => manager.wait(id)));
    assert.deepEqual(
      fake.launches.map((l) => l.ctx.run_id).sort(),
      [...ids].sort(),
    );
    // Slots are handed out in acceptance order (runs that get a slot at the same moment
    // may reach their invoker in either order).
    const started = ids.map((id) => store.get(id)!.started_at!);
    assert.deepEqual([...started].sort(), started);
  }));

Deno.test("RunManager: validation, unknown workflow, id conflicts", () =>
  withManager(2, async ({ manager, store }) => {
    await assert.rejects(
      manager.submit({ workflow: WF, params: { total: { a: "x" } } }),
      (e: unknown) => {
        assert.ok(e instanceof ParamsInvalidError);
        assert.deepEqual(e.items.map((i) => i.path.join(".")).sort(), [
          "total.a",
          "total.b",
        ]);
        return true;
      },
    );
    await assert.rejects(
      manager.submit({ workflow: "nope", params: {} }),
      NotFoundError,
    );
    await manager.submit({ workflow: WF, params: params(1), id: "mine" });
    await assert.rejects(
      manager.submit({ workflow: WF, params: params(1), id: "mine" }),
      ConflictError,
    );
    // Two submissions racing for the same id: one wins, the other is a conflict.
    const raced = await Promise.allSettled([
      manager.submit({ workflow: WF, params: params(1), id: "race" }),
      manager.submit({ workflow: WF, params: params(2), id: "race" }),
    ]);
    assert.deepEqual(raced.map((r) => r.status).sort(), [
      "fulfilled",
      "rejected",
    ]);
    const lost = raced.find((r) =>
      r.status === "rejected"
    ) as PromiseRejectedResult;
    assert.ok(lost.reason instanceof ConflictError, String(lost.reason));
    await assert.rejects(
      manager.submit({ workflow: WF, params: params(1), id: "../etc" }),
      RangeError,
    );
    assert.deepEqual(
      store.list({ limit: 10 }).runs.map((r) => r.id),
      ["race", "mine"],
      "rejected runs are not recorded",
    );
  }));

Deno.test("RunManager: cancel queued and running runs; failures leave result.json", () =>
  withManager(1, async ({ env, fake, manager }) => {
    const a = await manager.submit({ workflow: WF, params: params(1) });
    const b = await manager.submit({ workflow: WF, params: params(2) });
    await fake.launched(1);
    const cb = await manager.cancel(b.id);
    assert.equal(cb.status, "cancelled");
    assert.equal(cb.reason, "cancelled");
    const ca = await manager.cancel(a.id);
    assert.equal(ca.status, "cancelled");
    assert.ok(fake.launches[0]!.cancelled, "the invoker was told to stop");
    await assert.rejects(manager.cancel(a.id), ConflictError);
    assert.equal(
      fake.launches.length,
      1,
      "a cancelled queued run never starts",
    );
    const written = JSON.parse(
      await Deno.readTextFile(
        join(env.data, "runs", b.id, "results", "result.json"),
      ),
    );
    assert.equal(written.result, null);
    assert.match(written.error, /cancelled/);
  }));

Deno.test("RunManager: timeout stops the run and records reason timeout", () =>
  withManager(1, async ({ fake, manager }) => {
    const run = await manager.submit({
      workflow: WF,
      params: params(1),
      timeout: 0.05,
    });
    const done = await manager.wait(run.id);
    assert.equal(done.status, "failed");
    assert.equal(done.reason, "timeout");
    assert.match(done.error ?? "", /timeout of 0.05 s/);
    assert.ok(fake.launches[0]!.cancelled);
  }));

Deno.test("RunManager: launch failure is a failed run with the reason in its log", () =>
  withManager(1, async ({ env, fake, manager }) => {
    fake.failLaunch = "deno not found";
    const run = await manager.submit({ workflow: WF, params: params(1) });
    const done = await manager.wait(run.id);
    assert.equal(done.status, "failed");
    assert.equal(done.reason, "launch_failed");
    assert.match(done.error ?? "", /deno not found/);
    assert.match(
      await Deno.readTextFile(join(env.data, "runs", run.id, "run.log")),
      /deno not found/,
    );
  }));

Deno.test("RunManager: restart marks running runs interrupted and re-queues queued runs in order", async () => {
  const { env, make } = await setup(1);
  const fake1 = new FakeInvokers();
  const first = make(fake1);
  first.manager.start();
  const ids: string[] = [];
  for (let i = 0; i < 3; i++) {
    ids.push(
      (await first.manager.submit({ workflow: WF, params: params(i) })).id,
    );
  }
  await fake1.launched(1);
  // Simulate a crash: drop the manager without closing it, reopen the database.
  first.store.close();
  const fake2 = new FakeInvokers();
  const second = make(fake2);
  try {
    const recovered = second.manager.start();
    assert.deepEqual(recovered.interrupted, [ids[0]]);
    assert.deepEqual(recovered.requeued, ids.slice(1));
    const r0 = second.store.get(ids[0]!)!;
    assert.equal(r0.status, "failed");
    assert.equal(r0.reason, "interrupted");
    // whoever waits on the results folder learns that the run ended
    const written = JSON.parse(
      await untilPasses(
        () =>
          Deno.readTextFile(
            join(env.data, "runs", ids[0]!, "results", "result.json"),
          ),
        5_000,
      ),
    );
    assert.equal(written.result, null);
    assert.match(written.error, /in flight/);
    const launched = await fake2.launched(1);
    assert.equal(launched[0]!.ctx.run_id, ids[1]);
    for (let i = 1; i <= 2; i++) {
      (await fake2.launched(i))[i - 1]!.finish({
        status: "succeeded",
        result: i,
      });
      await second.manager.wait(ids[i]!);
    }
    assert.deepEqual(fake2.launches.map((l) => l.ctx.run_id), ids.slice(1));
  } finally {
    fake1.launches[0]!.finish({ status: "succeeded" });
    await second.manager.close();
    second.store.close();
    await env.cleanup();
  }
});

Deno.test("RunManager: close() stops runs in flight as interrupted, keeps the queue", async () => {
  const { env, make } = await setup(1);
  const fake = new FakeInvokers();
  const { manager, store } = make(fake);
  try {
    manager.start();
    const a = await manager.submit({ workflow: WF, params: params(1) });
    const b = await manager.submit({ workflow: WF, params: params(2) });
    await fake.launched(1);
    await manager.close();
    assert.equal(store.get(a.id)!.status, "failed");
    assert.equal(store.get(a.id)!.reason, "interrupted");
    assert.equal(store.get(b.id)!.status, "queued");
  } finally {
    store.close();
    await env.cleanup();
  }
});

/** A `sleep` in its own process group, standing in for a workflow process a killed runner left. */
function spawnSleep(): Deno.ChildProcess {
  return new Deno.Command("sleep", {
    args: ["30"],
    detached: true,
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
}

/** The state letter of a process (`S`, `Z`, …), `undefined` when it is gone. */
function procState(pid: number): string | undefined {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[0];
  } catch {
    return undefined;
  }
}

function startTime(pid: number): number {
  const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
  return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19]);
}

const HAS_PROC = (() => {
  try {
    Deno.readTextFileSync(`/proc/${Deno.pid}/stat`);
    return true;
  } catch {
    return false;
  }
})();

/** A run left `running` by a "killed" runner, with `pid`/`start` recorded. */
async function leftRunning(
  make: Awaited<ReturnType<typeof setup>>["make"],
  pid: number,
  start: number,
): Promise<string> {
  const fake = new FakeInvokers();
  const { manager, store } = make(fake);
  manager.start();
  const run = await manager.submit({ workflow: WF, params: params(1) });
  await fake.launched(1);
  assert.equal(store.recordProcess(run.id, pid, start), true);
  store.close(); // a crash: the manager is dropped without closing
  return run.id;
}

Deno.test({
  name:
    "RunManager: restart stops a recorded process that is still alive, then launches queued runs",
  ignore: !HAS_PROC,
  fn: async () => {
    const { env, make } = await setup(1);
    const child = spawnSleep();
    try {
      const id = await leftRunning(make, child.pid, startTime(child.pid));
      const queued = new RunStore(join(env.data, "runs.db"));
      queued.insert({
        id: "next",
        workflow: WF,
        invoker: "local",
        execution_mode: "sequential",
        mock_io: false,
        params: params(2),
        results_url: `file://${join(env.data, "runs", "next", "results")}`,
        created_at: new Date().toISOString(),
        launch: {
          timeout_s: null,
          traceparent: null,
          tracestate: null,
          env: {},
        },
      });
      queued.close();
      const fake = new FakeInvokers();
      const { manager, store } = make(fake);
      try {
        const recovered = manager.start();
        assert.deepEqual(recovered.interrupted, [id]);
        assert.deepEqual(recovered.requeued, ["next"]);
        assert.equal(
          store.get(id)?.status,
          "running",
          "recorded only once its process is stopped",
        );
        const launch = (await fake.launched(1))[0]!;
        assert.equal(launch.ctx.run_id, "next");
        assert.ok(
          [undefined, "Z"].includes(procState(child.pid)),
          "nothing is launched before the left process is stopped",
        );
        await manager.recovery;
        assert.equal((await child.status).signal, "SIGTERM");
        const rec = store.get(id)!;
        assert.equal(rec.status, "failed");
        assert.equal(rec.reason, "interrupted");
        assert.match(rec.error ?? "", /were stopped when the runner restarted/);
        const written = JSON.parse(
          await Deno.readTextFile(
            join(env.data, "runs", id, "results", "result.json"),
          ),
        );
        assert.equal(written.error, rec.error);
        launch.finish({ status: "succeeded", result: 3 });
        await manager.wait("next");
      } finally {
        await manager.close();
        store.close();
      }
    } finally {
      try {
        child.kill("SIGKILL");
      } catch {
        // stopped by the manager
      }
      await child.status;
      await env.cleanup();
    }
  },
});

Deno.test({
  name:
    "RunManager: restart never signals a recorded pid whose start time differs (a reused pid)",
  ignore: !HAS_PROC,
  fn: async () => {
    const { env, make } = await setup(1);
    const child = spawnSleep();
    try {
      const id = await leftRunning(make, child.pid, startTime(child.pid) - 1);
      const { manager, store } = make(new FakeInvokers());
      try {
        assert.deepEqual(manager.start().interrupted, [id]);
        await manager.recovery;
        const rec = store.get(id)!;
        assert.equal(rec.status, "failed");
        assert.equal(rec.reason, "interrupted");
        assert.doesNotMatch(rec.error ?? "", /stopped when the runner/);
        await new Promise((r) => setTimeout(r, 200));
        assert.equal(procState(child.pid), "S", "the sleep still runs");
      } finally {
        await manager.close();
        store.close();
      }
    } finally {
      child.kill("SIGKILL");
      await child.status;
      await env.cleanup();
    }
  },
});
