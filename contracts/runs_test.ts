import assert from "node:assert/strict";
import * as v from "valibot";
import {
  ExecutionMode,
  InvokerKind,
  isTerminalStatus,
  ResponseModel,
  RUN_STATUSES,
  RunRecord,
  RunStatus,
} from "./mod.ts";

Deno.test("run statuses and terminal states", () => {
  assert.deepEqual([...RUN_STATUSES], [
    "queued",
    "running",
    "succeeded",
    "failed",
    "cancelled",
  ]);
  assert.deepEqual(RUN_STATUSES.filter(isTerminalStatus), [
    "succeeded",
    "failed",
    "cancelled",
  ]);
  assert.equal(v.is(RunStatus, "done"), false);
  assert.equal(v.is(InvokerKind, "cloud-batch"), true);
  assert.equal(v.is(InvokerKind, "k8s"), false);
  assert.equal(v.is(ExecutionMode, "sequential"), true);
});

Deno.test("RunRecord fills defaults and rejects bad records", () => {
  const run = v.parse(RunRecord, {
    id: "r1",
    workflow: "wf",
    status: "running",
    invoker: "local",
    created_at: "2026-01-01T00:00:00.000Z",
    started_at: null,
  });
  assert.equal(run.execution_mode, "sequential");
  assert.equal(run.mock_io, false);
  assert.equal(run.started_at, null);
  const base = {
    id: "r1",
    workflow: "wf",
    status: "queued",
    invoker: "local",
    created_at: "t",
  };
  assert.equal(v.is(RunRecord, { ...base, id: "" }), false);
  assert.equal(v.is(RunRecord, { ...base, status: "paused" }), false);
  assert.equal(v.is(RunRecord, { ...base, exit_code: "1" }), false);
});

Deno.test("ResponseModel needs error and trace (null when absent)", () => {
  assert.deepEqual(
    v.parse(ResponseModel, { result: [1], error: null, trace: null }),
    { result: [1], error: null, trace: null },
  );
  assert.equal(v.is(ResponseModel, { result: 1 }), false);
  assert.equal(
    v.is(ResponseModel, { result: null, error: "boom", trace: "at total" }),
    true,
  );
});
