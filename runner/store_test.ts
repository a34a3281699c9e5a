import assert from "node:assert/strict";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { type NewRun, RunStore } from "./store.ts";

function newRun(id: string, workflow = "wt-add-workflow"): NewRun {
  return {
    id,
    workflow,
    invoker: "local",
    execution_mode: "sequential",
    mock_io: false,
    params: { total: { a: 1, b: 2 } },
    results_url: `file:///tmp/${id}`,
    created_at: new Date().toISOString(),
    launch: {
      timeout_s: 5,
      traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
      tracestate: null,
      env: { SECRET: "x" },
    },
  };
}

Deno.test("RunStore", async (t) => {
  const dir = await Deno.makeTempDir();
  const path = join(dir, "runs.db");
  try {
    await t.step("insert, get, launch info; duplicate id rejected", () => {
      const store = new RunStore(path);
      const rec = store.insert(newRun("r1"));
      assert.equal(rec.status, "queued");
      assert.deepEqual(rec.params, { total: { a: 1, b: 2 } });
      assert.equal(rec.result, null);
      assert.equal(store.get("nope"), undefined);
      assert.deepEqual(store.launchInfo("r1"), {
        timeout_s: 5,
        traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        tracestate: null,
        env: { SECRET: "x" },
      });
      assert.ok(!("env" in rec), "secrets never appear in the record");
      assert.throws(() => store.insert(newRun("r1")), /UNIQUE/);
      store.close();
    });

    await t.step("WAL with synchronous=FULL", () => {
      const store = new RunStore(path);
      store.close();
      const db = new DatabaseSync(path);
      const mode = db.prepare("PRAGMA journal_mode").get() as Record<
        string,
        unknown
      >;
      assert.equal(mode["journal_mode"], "wal");
      db.close();
    });

    await t.step("state machine: queued → running → terminal, once", () => {
      const store = new RunStore(path);
      assert.equal(
        store.markRunning("r1", "2026-01-01T00:00:00.000Z")?.status,
        "running",
      );
      assert.equal(
        store.markRunning("r1", "2026-01-01T00:00:01.000Z"),
        undefined,
      );
      const done = store.finish("r1", {
        status: "succeeded",
        finished_at: "2026-01-01T00:00:02.000Z",
        exit_code: 0,
        result: [1, "2"],
      });
      assert.equal(done?.status, "succeeded");
      assert.deepEqual(done?.result, [1, "2"]);
      assert.equal(
        store.finish("r1", { status: "failed", finished_at: "x" }),
        undefined,
        "a terminal run never changes again",
      );
      store.close();
    });

    await t.step("survives reopening (committed state is on disk)", () => {
      const store = new RunStore(path);
      const rec = store.get("r1");
      assert.equal(rec?.status, "succeeded");
      assert.equal(rec?.exit_code, 0);
      assert.equal(rec?.started_at, "2026-01-01T00:00:00.000Z");
      store.close();
    });

    await t.step("FIFO queue and interrupt of running runs", () => {
      const store = new RunStore(path);
      for (const id of ["q1", "q2", "q3"]) store.insert(newRun(id));
      store.markRunning("q2", new Date().toISOString());
      assert.deepEqual(store.queuedIds(), ["q1", "q3"]);
      assert.deepEqual(store.interruptRunning("2026-01-01T00:00:00.000Z"), [
        "q2",
      ]);
      const q2 = store.get("q2")!;
      assert.equal(q2.status, "failed");
      assert.equal(q2.reason, "interrupted");
      assert.match(q2.error ?? "", /in flight/);
      store.close();
    });

    await t.step("list: newest first, filters, pagination", () => {
      const store = new RunStore(path);
      for (let i = 0; i < 5; i++) store.insert(newRun(`o${i}`, "other"));
      const all: string[] = [];
      let cursor: string | undefined;
      do {
        const page = store.list({ limit: 3, cursor });
        assert.ok(page.runs.length <= 3);
        all.push(...page.runs.map((r) => r.id));
        cursor = page.next_cursor ?? undefined;
      } while (cursor);
      assert.deepEqual(all, [
        "o4",
        "o3",
        "o2",
        "o1",
        "o0",
        "q3",
        "q2",
        "q1",
        "r1",
      ]);
      assert.deepEqual(
        store.list({ limit: 10, workflow: "other", status: "queued" }).runs.map(
          (r) => r.id,
        ),
        ["o4", "o3", "o2", "o1", "o0"],
      );
      assert.deepEqual(
        store.list({ limit: 10, status: "failed" }).runs.map((r) => r.id),
        ["q2"],
      );
      const last = store.list({ limit: 9 });
      assert.equal(last.next_cursor, null);
      assert.throws(() => store.list({ limit: 1, cursor: "x1" }), RangeError);
      store.close();
    });

    await t.step("refuses a database from a newer runner", () => {
      const db = new DatabaseSync(path);
      db.exec("PRAGMA user_version = 99");
      db.close();
      assert.throws(() => new RunStore(path), /schema version 99/);
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("RunStore.insertBatched: one transaction per event-loop turn, failures stay per run", async () => {
  const dir = await Deno.makeTempDir();
  const path = join(dir, "runs.db");
  const store = new RunStore(path);
  try {
    store.insert(newRun("taken"));
    const settled = await Promise.allSettled([
      store.insertBatched(newRun("b1")),
      store.insertBatched(newRun("taken")),
      store.insertBatched(newRun("b2")),
    ]);
    assert.equal(settled[0].status, "fulfilled");
    assert.equal(settled[1].status, "rejected");
    assert.match(
      String((settled[1] as PromiseRejectedResult).reason),
      /UNIQUE/,
    );
    assert.equal(settled[2].status, "fulfilled");
    assert.equal(
      (settled[2] as PromiseFulfilledResult<{ status: string }>).value.status,
      "queued",
    );
    // Committed in submission order, and visible to another connection at once.
    const other = new DatabaseSync(path);
    const ids = other.prepare("SELECT id FROM runs ORDER BY seq").all().map((
      r,
    ) => r["id"]);
    other.close();
    assert.deepEqual(ids, ["taken", "b1", "b2"]);
    // close() commits what is still pending.
    const pending = store.insertBatched(newRun("b3"));
    store.close();
    assert.equal((await pending).id, "b3");
    const again = new RunStore(path);
    assert.equal(again.get("b3")?.status, "queued");
    again.close();
  } finally {
    store.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("RunStore: a version 1 file is upgraded in place (process columns added)", async () => {
  const dir = await Deno.makeTempDir();
  const path = join(dir, "runs.db");
  try {
    // What a version 1 runner wrote: the table without pid/pid_start, one run in flight.
    const v1 = new DatabaseSync(path);
    v1.exec(`CREATE TABLE runs (
      seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE,
      workflow TEXT NOT NULL, status TEXT NOT NULL, invoker TEXT NOT NULL,
      execution_mode TEXT NOT NULL, mock_io INTEGER NOT NULL, params TEXT NOT NULL,
      created_at TEXT NOT NULL, started_at TEXT, finished_at TEXT, exit_code INTEGER,
      result TEXT, error TEXT, trace TEXT, reason TEXT, results_url TEXT NOT NULL,
      timeout_s REAL, traceparent TEXT, tracestate TEXT, env TEXT NOT NULL DEFAULT '{}');
      INSERT INTO runs (id, workflow, status, invoker, execution_mode, mock_io, params,
        created_at, started_at, results_url)
      VALUES ('old', 'wt-add-workflow', 'running', 'local', 'sequential', 0, '{}',
        '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:01.000Z', 'file:///tmp/old');
      PRAGMA user_version = 1;`);
    v1.close();

    const store = new RunStore(path);
    assert.equal(store.get("old")?.status, "running", "rows kept");
    assert.deepEqual(store.runningProcesses(), [], "no process recorded yet");
    assert.equal(store.recordProcess("old", 4242, 987654), true);
    assert.deepEqual(store.runningProcesses(), [
      { id: "old", pid: 4242, start_time: 987654 },
    ]);
    store.close();

    const raw = new DatabaseSync(path);
    const version = raw.prepare("PRAGMA user_version").get();
    const columns = raw.prepare("PRAGMA table_info(runs)").all().map((c) =>
      c["name"]
    );
    raw.close();
    assert.equal(version?.["user_version"], 2);
    assert.ok(columns.includes("pid") && columns.includes("pid_start"));

    // Opening it again changes nothing (the upgrade is idempotent).
    const again = new RunStore(path);
    assert.deepEqual(again.runningProcesses(), [
      { id: "old", pid: 4242, start_time: 987654 },
    ]);
    again.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("RunStore: processes are recorded for running runs only; interruptRunning can spare ids", () => {
  const store = new RunStore(":memory:");
  try {
    for (const id of ["a", "b", "c"]) store.insert(newRun(id));
    assert.equal(store.recordProcess("a", 100, 1), false, "a is queued");
    store.markRunning("a", new Date().toISOString());
    store.markRunning("b", new Date().toISOString());
    assert.equal(store.recordProcess("a", 100, 1), true);
    assert.equal(store.recordProcess("b", 200, 2), true);
    assert.deepEqual(store.runningProcesses().map((p) => p.id), ["a", "b"]);
    assert.deepEqual(
      store.interruptRunning("2026-01-01T00:00:00.000Z", [], ["b"]),
      ["a"],
    );
    assert.equal(store.get("a")?.status, "failed");
    assert.equal(store.get("b")?.status, "running");
    assert.deepEqual(store.runningProcesses().map((p) => p.id), ["b"]);
    const rec = store.get("b") as unknown as Record<string, unknown>;
    assert.equal("pid" in rec, false, "the process is not part of the record");
  } finally {
    store.close();
  }
});
