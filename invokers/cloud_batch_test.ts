import assert from "node:assert/strict";
import * as grpc from "@grpc/grpc-js";
import fc from "fast-check";
import type { WorkflowCLIArgs, WorkflowCLIEnv } from "@wt/contracts";
import {
  buildBatchJob,
  CloudBatchInvoker,
  type CloudBatchInvokerOptions,
  jobIdForRun,
  labelValue,
  runStatusForJobState,
} from "./cloud_batch.ts";
import { InvokerError } from "./errors.ts";
import type { GcsReader } from "./results.ts";
import { FakeBatch } from "./testing.ts";

const JOB_ID_RE = /^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/;
const PARENT = "projects/proj-1/locations/europe-west1";

const args: WorkflowCLIArgs = {
  config_json: '{"total":{"a":1,"b":2}}',
  execution_mode: "parallel",
  mock_io: true,
};

function isApiError(pattern: RegExp) {
  return (e: unknown) =>
    e instanceof InvokerError && e.code === "api" && pattern.test(e.message);
}

Deno.test("CloudBatchInvoker against a gRPC fake of Batch", async (t) => {
  const fake = new FakeBatch();
  await fake.start();
  const client = fake.client();
  const root = await Deno.makeTempDir({ prefix: "wt-batch-test-" });
  const base: CloudBatchInvokerOptions = {
    project: "proj-1",
    region: "europe-west1",
    image: "europe-docker.pkg.dev/proj-1/wt/wt-add-workflow:1.2.0",
    workflow: "wt-add-workflow",
    client,
    pollIntervalMs: 5,
  };
  const envFor = (
    runId: string,
    extra: Partial<WorkflowCLIEnv> = {},
  ): WorkflowCLIEnv => ({
    results_url: `file://${root}/${runId}`,
    results_env_var: "WT_RESULTS",
    run_id: runId,
    extra: {},
    ...extra,
  });
  const writeResult = async (runId: string, body: unknown) => {
    await Deno.mkdir(`${root}/${runId}`, { recursive: true });
    await Deno.writeTextFile(
      `${root}/${runId}/result.json`,
      JSON.stringify(body),
    );
  };

  try {
    await t.step("every job field reaches the service", async () => {
      const invoker = new CloudBatchInvoker({
        ...base,
        entrypoint: "/usr/bin/deno",
        commandPrefix: ["task", "--cwd", "/srv/wf", "workflow"],
        cpuMilli: 2500,
        memoryMib: 4096,
        bootDiskMib: 51200,
        machineType: "n1-standard-8",
        gpuCount: 2,
        gpuType: "nvidia-tesla-t4",
        spot: true,
        network: "projects/proj-1/global/networks/wt",
        subnetwork: "projects/proj-1/regions/europe-west1/subnetworks/wt-sub",
        noExternalIp: true,
        serviceAccount: "runner@proj-1.iam.gserviceaccount.com",
        maxRunDurationSeconds: 3600,
        retryCount: 2,
        labels: { team: "conservation" },
        secretVariables: {
          DB_PASSWORD: "projects/proj-1/secrets/db/versions/latest",
        },
      });
      assert.equal(invoker.kind, "cloud-batch");
      const run = await invoker.run(
        args,
        envFor("Run_42", {
          traceparent:
            "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
          tracestate: "congo=t61rcWkgMzE",
          log_level: "info",
          extra: { WT_DATA_CONNECTION: "er-server" },
        }),
      );
      const jobId = jobIdForRun("Run_42");
      assert.match(jobId, /^run-42-[0-9a-f]{10}$/);
      assert.equal(run.jobName, `${PARENT}/jobs/${jobId}`);
      const creates = fake.calls.filter((c) => c.method === "createJob");
      assert.equal(creates.length, 1);
      const { request: req, metadata } = creates[0]!;
      assert.equal(req.parent, PARENT);
      assert.equal(req.jobId, jobId);
      assert.match(req.requestId, /^[0-9a-f-]{36}$/);
      assert.match(
        String(metadata["x-goog-request-params"]),
        /parent=projects%2Fproj-1%2Flocations%2Feurope-west1/,
      );
      assert.deepEqual(req.job, {
        taskGroups: [{
          taskCount: "1",
          parallelism: "1",
          taskSpec: {
            runnables: [{
              container: {
                imageUri:
                  "europe-docker.pkg.dev/proj-1/wt/wt-add-workflow:1.2.0",
                entrypoint: "/usr/bin/deno",
                commands: [
                  "task",
                  "--cwd",
                  "/srv/wf",
                  "workflow",
                  "run",
                  "--config-json",
                  '{"total":{"a":1,"b":2}}',
                  "--execution-mode",
                  "parallel",
                  "--mock-io",
                ],
              },
              executable: "container",
            }],
            environment: {
              variables: {
                WT_DATA_CONNECTION: "er-server",
                WT_RESULTS: `file://${root}/Run_42`,
                WT_RUN_ID: "Run_42",
                TRACEPARENT:
                  "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
                TRACESTATE: "congo=t61rcWkgMzE",
                WT_LOG_LEVEL: "info",
              },
              secretVariables: {
                DB_PASSWORD: "projects/proj-1/secrets/db/versions/latest",
              },
            },
            computeResource: {
              cpuMilli: "2500",
              memoryMib: "4096",
              bootDiskMib: "51200",
            },
            maxRunDuration: { seconds: "3600" },
            maxRetryCount: 2,
          },
        }],
        allocationPolicy: {
          instances: [{
            policy: {
              machineType: "n1-standard-8",
              provisioningModel: "SPOT",
              accelerators: [{ type: "nvidia-tesla-t4", count: "2" }],
            },
            installGpuDrivers: true,
            policyTemplate: "policy",
          }],
          network: {
            networkInterfaces: [{
              network: "projects/proj-1/global/networks/wt",
              subnetwork:
                "projects/proj-1/regions/europe-west1/subnetworks/wt-sub",
              noExternalIpAddress: true,
            }],
          },
          serviceAccount: { email: "runner@proj-1.iam.gserviceaccount.com" },
        },
        labels: {
          team: "conservation",
          "wt-run-id": "run_42",
          "wt-workflow": "wt-add-workflow",
        },
        logsPolicy: { destination: "CLOUD_LOGGING" },
      });
      await run.cancel();
    });

    await t.step(
      "defaults: one task, default command, no allocation policy",
      async () => {
        const run = await new CloudBatchInvoker(base).run(
          { config_json: "{}", execution_mode: "sequential", mock_io: false },
          envFor("defaults"),
        );
        const req = fake.callsOf("createJob").at(-1)!;
        const spec = req.job.taskGroups[0].taskSpec;
        assert.equal(spec.runnables[0].container.entrypoint, "deno");
        assert.deepEqual(spec.runnables[0].container.commands, [
          "task",
          "--cwd",
          `/app/workflows/${base.workflow}`,
          "workflow",
          "run",
          "--config-json",
          "{}",
          "--execution-mode",
          "sequential",
        ]);
        assert.deepEqual(spec.computeResource, {
          cpuMilli: "2000",
          memoryMib: "2048",
        });
        assert.equal(spec.maxRunDuration, undefined);
        assert.equal(req.job.allocationPolicy, undefined);
        assert.equal(req.job.logsPolicy.destination, "CLOUD_LOGGING");
        await run.cancel();
      },
    );

    await t.step("state polling through success", async () => {
      const name = `${PARENT}/jobs/ok-run`;
      fake.scripts.set(name, {
        states: ["QUEUED", "SCHEDULED", "RUNNING", "RUNNING", "SUCCEEDED"],
        statusEvents: [{
          type: "STATUS_CHANGED",
          description: "Job state is set from RUNNING to SUCCEEDED",
          taskExecution: { exitCode: 0 },
        }],
      });
      await writeResult("ok-run", { result: 3, error: null, trace: null });
      const run = await new CloudBatchInvoker(base).run(args, envFor("ok-run"));
      assert.equal(await run.status(), "queued");
      assert.equal(await run.status(), "queued");
      assert.equal(await run.status(), "running");
      const rec = await run.wait();
      assert.equal(rec.status, "succeeded");
      assert.equal(rec.result, 3);
      assert.equal(rec.error, null);
      assert.equal(rec.exit_code, 0);
      assert.equal(rec.invoker, "cloud-batch");
      assert.equal(rec.workflow, "wt-add-workflow");
      assert.equal(rec.execution_mode, "parallel");
      assert.equal(rec.mock_io, true);
      assert.deepEqual(rec.params, { total: { a: 1, b: 2 } });
      assert.ok(rec.started_at);
      assert.equal(await run.status(), "succeeded");
      assert.equal(await run.wait(), rec);
      const gets = fake.callsOf("getJob").filter((r) => r.name === name);
      assert.equal(gets.length, 5, "polled until SUCCEEDED");
    });

    await t.step(
      "state polling through failure, error from result.json",
      async () => {
        const name = `${PARENT}/jobs/bad-run`;
        fake.scripts.set(name, {
          states: ["RUNNING", "FAILED"],
          statusEvents: [{
            type: "STATUS_CHANGED",
            description:
              "Task state is updated from RUNNING to FAILED with exit code 1",
            taskExecution: { exitCode: 1 },
          }],
        });
        await writeResult("bad-run", {
          result: null,
          error: "task instance 'total' failed: boom",
          trace: "TaskInstanceError: total\n  at add",
        });
        const rec =
          await (await new CloudBatchInvoker(base).run(args, envFor("bad-run")))
            .wait();
        assert.equal(rec.status, "failed");
        assert.equal(rec.error, "task instance 'total' failed: boom");
        assert.match(rec.trace ?? "", /TaskInstanceError/);
        assert.equal(rec.exit_code, 1);
        assert.equal(rec.reason, null);
      },
    );

    await t.step(
      "failure without result.json names the Batch event",
      async () => {
        fake.scripts.set(`${PARENT}/jobs/lost-run`, {
          states: ["FAILED"],
          statusEvents: [{
            description: "VM was preempted",
            taskExecution: { exitCode: 50001 },
          }],
        });
        const rec = await (await new CloudBatchInvoker(base).run(
          args,
          envFor("lost-run"),
        ))
          .wait();
        assert.equal(rec.status, "failed");
        assert.match(rec.error ?? "", /no result\.json/);
        assert.match(rec.error ?? "", /VM was preempted/);
        assert.equal(rec.exit_code, 50001);
      },
    );

    await t.step(
      "SUCCEEDED job whose result.json has an error is failed",
      async () => {
        fake.scripts.set(`${PARENT}/jobs/half-run`, { states: ["SUCCEEDED"] });
        await writeResult("half-run", {
          result: null,
          error: "bad",
          trace: "t",
        });
        const rec = await (await new CloudBatchInvoker(base).run(
          args,
          envFor("half-run"),
        ))
          .wait();
        assert.equal(rec.status, "failed");
        assert.equal(rec.error, "bad");
      },
    );

    await t.step("gs:// results read through the storage client", async () => {
      fake.scripts.set(`${PARENT}/jobs/gcs-run`, { states: ["SUCCEEDED"] });
      const asked: string[] = [];
      const storage: GcsReader = {
        bucket: (b) => ({
          file: (p) => ({
            download: () => {
              asked.push(`${b}/${p}`);
              return Promise.resolve([
                new TextEncoder().encode(
                  '{"result":[1,2],"error":null,"trace":null}',
                ),
              ]);
            },
          }),
        }),
      };
      const rec = await (await new CloudBatchInvoker({ ...base, storage }).run(
        args,
        envFor("gcs-run", { results_url: "gs://wt-results/runs/gcs-run" }),
      )).wait();
      assert.equal(rec.status, "succeeded");
      assert.deepEqual(rec.result, [1, 2]);
      assert.deepEqual(asked, ["wt-results/runs/gcs-run/result.json"]);
    });

    await t.step("cancel deletes the job; idempotent", async () => {
      fake.scripts.set(`${PARENT}/jobs/cancel-run`, { states: ["RUNNING"] });
      const invoker = new CloudBatchInvoker({ ...base, pollIntervalMs: 50 });
      const run = await invoker.run(args, envFor("cancel-run"));
      const waiting = run.wait();
      await new Promise((r) => setTimeout(r, 80));
      await run.cancel();
      const rec = await waiting;
      assert.equal(rec.status, "cancelled");
      assert.equal(rec.reason, "cancelled");
      const deletes = fake.callsOf("deleteJob").filter((r) =>
        r.name === `${PARENT}/jobs/cancel-run`
      );
      assert.equal(deletes.length, 1);
      assert.match(deletes[0].reason, /cancel-run/);
      await run.cancel();
      assert.equal(
        fake.callsOf("deleteJob").filter((r) =>
          r.name === `${PARENT}/jobs/cancel-run`
        ).length,
        1,
      );
      assert.equal(await run.status(), "cancelled");
    });

    await t.step(
      "wait() rides out isolated poll errors, gives up on repeated ones",
      async () => {
        fake.scripts.set(`${PARENT}/jobs/bumpy-run`, {
          states: ["RUNNING", "SUCCEEDED"],
        });
        await writeResult("bumpy-run", {
          result: "ok",
          error: null,
          trace: null,
        });
        const run = await new CloudBatchInvoker(base).run(
          args,
          envFor("bumpy-run"),
        );
        fake.errors.set("getJob", {
          code: grpc.status.INTERNAL,
          details: "hiccup",
        });
        assert.equal((await run.wait()).result, "ok");

        fake.scripts.set(`${PARENT}/jobs/down-run`, { states: ["RUNNING"] });
        const down = await new CloudBatchInvoker({
          ...base,
          maxPollFailures: 2,
        }).run(
          args,
          envFor("down-run"),
        );
        fake.errors.set("getJob", {
          code: grpc.status.INTERNAL,
          details: "backend down",
          times: 2,
        });
        const waiting = down.wait();
        await assert.rejects(waiting, isApiError(/GetJob .*backend down/));
        // The service is back: waiting again works.
        fake.scripts.set(`${PARENT}/jobs/down-run`, { states: ["SUCCEEDED"] });
        await writeResult("down-run", {
          result: "later",
          error: null,
          trace: null,
        });
        assert.equal((await down.wait()).result, "later");
      },
    );

    await t.step("wait timeout deletes the job and fails the run", async () => {
      fake.scripts.set(`${PARENT}/jobs/slow-run`, { states: ["RUNNING"] });
      const rec =
        await (await new CloudBatchInvoker({ ...base, waitTimeoutMs: 50 }).run(
          args,
          envFor("slow-run"),
        )).wait();
      assert.equal(rec.status, "failed");
      assert.equal(rec.reason, "timeout");
      assert.ok(!fake.jobs.has(`${PARENT}/jobs/slow-run`), "job deleted");
    });

    await t.step("a job deleted elsewhere ends as cancelled", async () => {
      fake.scripts.set(`${PARENT}/jobs/gone-run`, { states: ["RUNNING"] });
      const run = await new CloudBatchInvoker(base).run(
        args,
        envFor("gone-run"),
      );
      fake.jobs.delete(`${PARENT}/jobs/gone-run`);
      const rec = await run.wait();
      assert.equal(rec.status, "cancelled");
      assert.equal(rec.reason, "deleted");
    });

    await t.step("API errors surface as InvokerError api", async () => {
      const invoker = new CloudBatchInvoker(base);
      fake.errors.set("createJob", {
        code: grpc.status.PERMISSION_DENIED,
        details: "Permission 'batch.jobs.create' denied on project proj-1",
      });
      await assert.rejects(
        invoker.run(args, envFor("denied-run")),
        isApiError(
          /CreateJob .*denied-run.*batch\.jobs\.create.*gRPC status 7/,
        ),
      );
      // Not busy after a failed submission; a duplicate job id is refused by the service.
      const first = await invoker.run(args, envFor("dup-run"));
      await first.cancel();
      fake.jobs.set(`${PARENT}/jobs/dup-run`, {
        name: `${PARENT}/jobs/dup-run`,
      });
      await assert.rejects(
        invoker.run(args, envFor("dup-run")),
        isApiError(/already exists/),
      );
      fake.scripts.set(`${PARENT}/jobs/flaky-run`, { states: ["RUNNING"] });
      const run = await invoker.run(args, envFor("flaky-run"));
      fake.errors.set("getJob", {
        code: grpc.status.INVALID_ARGUMENT,
        details: "malformed job name",
      });
      await assert.rejects(
        run.status(),
        isApiError(/GetJob .*malformed job name/),
      );
      fake.errors.set("deleteJob", {
        code: grpc.status.FAILED_PRECONDITION,
        details: "job is being created",
      });
      await assert.rejects(
        run.cancel(),
        isApiError(/DeleteJob .*job is being created/),
      );
      await run.cancel();
      assert.equal((await run.wait()).status, "cancelled");
    });

    await t.step(
      "a second run on a busy invoker is InvokerError busy",
      async () => {
        fake.scripts.set(`${PARENT}/jobs/busy-1`, {
          states: ["RUNNING", "SUCCEEDED"],
        });
        await writeResult("busy-1", { result: 1, error: null, trace: null });
        const invoker = new CloudBatchInvoker(base);
        const run = await invoker.run(args, envFor("busy-1"));
        await assert.rejects(
          invoker.run(args, envFor("busy-2")),
          (e: unknown) => e instanceof InvokerError && e.code === "busy",
        );
        await run.wait();
        fake.scripts.set(`${PARENT}/jobs/busy-3`, { states: ["RUNNING"] });
        const next = await invoker.run(args, envFor("busy-3"));
        await next.cancel();
      },
    );

    await t.step(
      "attach follows an existing job; missing job is not-started",
      async () => {
        fake.scripts.set(`${PARENT}/jobs/old-run`, {
          states: ["RUNNING", "SUCCEEDED"],
        });
        await writeResult("old-run", {
          result: "done",
          error: null,
          trace: null,
        });
        await new CloudBatchInvoker(base).run(args, envFor("old-run"));
        const run = await new CloudBatchInvoker(base).attach(
          args,
          envFor("old-run"),
        );
        assert.equal(run.jobName, `${PARENT}/jobs/old-run`);
        assert.equal((await run.wait()).result, "done");
        await assert.rejects(
          new CloudBatchInvoker(base).attach(args, envFor("never-run")),
          (e: unknown) => e instanceof InvokerError && e.code === "not-started",
        );
      },
    );

    await t.step(
      "detach stops following the job without deleting it",
      async () => {
        fake.scripts.set(`${PARENT}/jobs/detached-run`, {
          states: ["RUNNING"],
        });
        const run = await new CloudBatchInvoker(base).run(
          args,
          envFor("detached-run"),
        );
        const deletes = fake.callsOf("deleteJob").length;
        const waiting = run.wait();
        await new Promise((r) => setTimeout(r, 20));
        run.detach();
        await assert.rejects(
          waiting,
          (e: unknown) => e instanceof InvokerError && e.code === "detached",
        );
        assert.equal(fake.callsOf("deleteJob").length, deletes);
        assert.ok(fake.jobs.has(`${PARENT}/jobs/detached-run`));
        // Another invoker picks it up again.
        fake.scripts.set(`${PARENT}/jobs/detached-run`, {
          states: ["SUCCEEDED"],
        });
        await writeResult("detached-run", {
          result: 7,
          error: null,
          trace: null,
        });
        const again = await new CloudBatchInvoker(base).attach(
          args,
          envFor("detached-run"),
        );
        assert.equal((await again.wait()).result, 7);
      },
    );

    await t.step("a generated run id is the job's WT_RUN_ID", async () => {
      const run = await new CloudBatchInvoker(base).run(args, {
        results_url: `file://${root}/gen`,
        results_env_var: "WT_RESULTS",
        extra: {},
      });
      const req = fake.callsOf("createJob").at(-1)!;
      assert.equal(
        req.job.taskGroups[0].taskSpec.environment.variables.WT_RUN_ID,
        run.id,
      );
      assert.equal(req.jobId, jobIdForRun(run.id));
      await run.cancel();
    });
  } finally {
    await fake.close();
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("CloudBatchInvoker rejects invalid options", () => {
  const base = { project: "p", region: "r", image: "i", workflow: "w" };
  const invalid = (o: CloudBatchInvokerOptions, pattern: RegExp) =>
    assert.throws(
      () => new CloudBatchInvoker(o),
      (e: unknown) =>
        e instanceof InvokerError && e.code === "invalid" &&
        pattern.test(e.message),
    );
  invalid({ ...base, gpuCount: 1 }, /gpuCount 1 needs gpuType/);
  invalid({ ...base, gpuCount: -1 }, /gpuCount must be a non-negative integer/);
  invalid({ ...base, retryCount: 11 }, /retryCount must be an integer 0–10/);
  invalid({ ...base, cpuMilli: 0 }, /cpuMilli must be a positive integer/);
  invalid({ ...base, labels: { Team: "x" } }, /label Team=x/);
  invalid({ ...base, project: "" }, /project is required/);
});

Deno.test("buildBatchJob without GPUs has no accelerators nor driver install", () => {
  const { job } = buildBatchJob(args, {
    results_url: "gs://b/r",
    results_env_var: "WT_RESULTS",
    run_id: "r1",
    extra: {},
  }, {
    project: "p",
    region: "r",
    image: "i",
    workflow: "w",
    machineType: "e2-standard-4",
  });
  assert.deepEqual(job.allocationPolicy?.instances, [{
    policy: { machineType: "e2-standard-4" },
  }]);
});

Deno.test("runStatusForJobState maps every Batch state", () => {
  const expected: Record<string, string> = {
    STATE_UNSPECIFIED: "queued",
    QUEUED: "queued",
    SCHEDULED: "queued",
    RUNNING: "running",
    SUCCEEDED: "succeeded",
    FAILED: "failed",
    DELETION_IN_PROGRESS: "cancelled",
    CANCELLATION_IN_PROGRESS: "cancelled",
    CANCELLED: "cancelled",
  };
  Object.entries(expected).forEach(([state, status], i) => {
    assert.equal(runStatusForJobState(state), status, state);
    assert.equal(runStatusForJobState(i), status, `${state} as number ${i}`);
  });
});

Deno.test("jobIdForRun", async (t) => {
  await t.step("always a valid Batch job id, deterministic", () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 200, unit: "grapheme" }),
        (runId) => {
          const id = jobIdForRun(runId);
          assert.match(id, JOB_ID_RE);
          assert.ok(id.length <= 63);
          assert.equal(jobIdForRun(runId), id);
        },
      ),
      { numRuns: 2000 },
    );
  });
  await t.step("valid ids are kept; others get a hash", () => {
    fc.assert(
      fc.property(fc.stringMatching(JOB_ID_RE), (runId) => {
        assert.equal(jobIdForRun(runId), runId);
      }),
    );
    assert.equal(jobIdForRun("nightly"), "nightly");
    assert.match(jobIdForRun("Nightly"), /^nightly-[0-9a-f]{10}$/);
    assert.match(jobIdForRun("a".repeat(64)), /^a{52}-[0-9a-f]{10}$/);
  });
  await t.step("distinct run ids give distinct job ids", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(
          fc.oneof(
            fc.uuid(),
            fc.string({ minLength: 1, maxLength: 80 }),
            fc.stringMatching(/^[A-Za-z0-9_.-]{1,90}$/),
          ),
          { minLength: 2, maxLength: 50 },
        ),
        (ids) => {
          const jobIds = new Set(ids.map(jobIdForRun));
          assert.equal(jobIds.size, ids.length);
        },
      ),
      { numRuns: 500 },
    );
    // Ids that sanitise to the same text stay apart.
    const similar = ["Run_1", "run_1", "run-1", "RUN-1", "run.1", "1", "wt-1"];
    assert.equal(new Set(similar.map(jobIdForRun)).size, similar.length);
  });
});

Deno.test("labelValue", () => {
  fc.assert(fc.property(fc.string(), (s) => {
    assert.match(labelValue(s), /^[a-z0-9_-]{0,63}$/);
  }));
  assert.equal(labelValue("Patrol Report.v2"), "patrol-report-v2");
});
