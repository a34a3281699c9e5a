import assert from "node:assert/strict";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { RunRecord } from "@wt/contracts";
import { FakeBatch } from "@wt/invokers/testing";
import { createApp, type RunnerApp } from "./app.ts";
import {
  combineInvokerFactories,
  localInvokerFactory,
} from "./invoker_factory.ts";
import { RunStore } from "./store.ts";
import { loadWorkflow, WorkflowRegistry } from "./workflows.ts";
import {
  CloudBatchConfigError,
  type CloudBatchInvokerFactory,
  cloudBatchInvokerFactory,
} from "./gcp.ts";
import { RUNNER_PERMISSION_FLAGS } from "./permissions.ts";
import {
  RUNNER_DIR,
  startRunner,
  tempSetup,
  untilPasses,
} from "./testdata/helpers.ts";

const WF = "wt-add-workflow";
const PARENT = "projects/wt-test/locations/europe-west1";
const TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
const jobName = (id: string) => `${PARENT}/jobs/${id}`;

Deno.test("@wt/runner/gcp: cloud-batch runs through the Batch gRPC fake", async (t) => {
  const env = await tempSetup();
  const fake = new FakeBatch();
  await fake.start();
  const bucket = join(env.root, "bucket");
  const workflows = new WorkflowRegistry([
    await loadWorkflow(join(env.workflows, WF)),
  ]);
  const dbPath = join(env.data, "runs.db");
  const makeFactory = (): CloudBatchInvokerFactory =>
    cloudBatchInvokerFactory({
      project: "wt-test",
      region: "europe-west1",
      imagePrefix: "europe-docker.pkg.dev/wt-test/wt/",
      results: pathToFileURL(bucket).href + "/",
      serviceAccount: "runs@wt-test.iam.gserviceaccount.com",
      machineType: "n1-standard-4",
      labels: { team: "geo" },
      pollIntervalMs: 30,
      clientOptions: fake.clientOptions(),
    });
  let gcp = makeFactory();
  let store = new RunStore(dbPath);
  const open = (): RunnerApp =>
    createApp({
      store,
      workflows,
      invokerFactory: combineInvokerFactories(localInvokerFactory(), gcp),
      dataDir: env.data,
      concurrency: 4,
      log: () => {},
    });
  let runner = open();
  const submit = async (id: string) => {
    const res = await runner.app.request("/runs", {
      method: "POST",
      headers: { "content-type": "application/json", traceparent: TRACEPARENT },
      body: JSON.stringify({
        workflow: WF,
        params: { total: { a: 1, b: 2 } },
        invoker: "cloud-batch",
        id,
      }),
    });
    assert.equal(res.status, 202, await res.clone().text());
    return await res.json();
  };
  const get = async (id: string): Promise<RunRecord> =>
    await (await runner.app.request(`/runs/${id}`)).json();
  const reaches = (id: string, status: string) =>
    untilPasses(async () => {
      const run = await get(id);
      assert.equal(run.status, status, JSON.stringify(run));
      return run;
    });
  const writeResult = async (id: string, body: unknown) => {
    await Deno.mkdir(join(bucket, id), { recursive: true });
    await Deno.writeTextFile(
      join(bucket, id, "result.json"),
      JSON.stringify(body),
    );
  };

  try {
    await t.step("the factory checks its options", () => {
      assert.throws(
        () =>
          cloudBatchInvokerFactory({
            project: "p",
            region: "r",
            results: "gs://b",
          }),
        (e: unknown) =>
          e instanceof CloudBatchConfigError && /imagePrefix/.test(e.message),
      );
      assert.throws(
        () =>
          cloudBatchInvokerFactory({
            project: "p",
            region: "r",
            image: "img:1",
            results: "/tmp/results",
          }),
        (e: unknown) =>
          e instanceof CloudBatchConfigError && /gs:\/\//.test(e.message),
      );
      assert.deepEqual(runner.manager.invokerKinds, ["local", "cloud-batch"]);
    });

    await t.step("a run is submitted as a Batch job and succeeds", async () => {
      fake.scripts.set(jobName("cb-ok"), { states: ["RUNNING"] });
      assert.deepEqual(await submit("cb-ok"), {
        id: "cb-ok",
        status: "running",
      });
      const [create] = await untilPasses(() => {
        const calls = fake.callsOf("createJob");
        assert.equal(calls.length, 1);
        return calls;
      });
      assert.equal(create.parent, PARENT);
      assert.equal(create.jobId, "cb-ok");
      const spec = create.job.taskGroups[0].taskSpec;
      const container = spec.runnables[0].container;
      assert.equal(
        container.imageUri,
        "europe-docker.pkg.dev/wt-test/wt/wt-add-workflow:1.0.0",
      );
      assert.ok(container.commands.includes("--config-json"));
      const vars = spec.environment.variables;
      const resultsUrl = `${pathToFileURL(bucket).href}/cb-ok`;
      assert.equal(vars["WT_RESULTS"], resultsUrl);
      assert.equal(vars["WT_RUN_ID"], "cb-ok");
      assert.match(
        vars["TRACEPARENT"],
        /^00-4bf92f3577b34da6a3ce929d0e0e4736-[0-9a-f]{16}-01$/,
      );
      assert.deepEqual(create.job.labels, {
        team: "geo",
        "wt-run-id": "cb-ok",
        "wt-workflow": WF,
      });
      assert.equal(
        create.job.allocationPolicy.serviceAccount.email,
        "runs@wt-test.iam.gserviceaccount.com",
      );
      assert.equal(
        create.job.allocationPolicy.instances[0].policy.machineType,
        "n1-standard-4",
      );
      const running = await get("cb-ok");
      assert.equal(running.status, "running");
      assert.equal(running.invoker, "cloud-batch");
      assert.equal(running.results_url, resultsUrl);

      await writeResult("cb-ok", { result: 3, error: null, trace: null });
      fake.scripts.set(jobName("cb-ok"), { states: ["SUCCEEDED"] });
      const done = await reaches("cb-ok", "succeeded");
      assert.equal(done.result, 3);
      const result = await runner.app.request("/runs/cb-ok/result");
      assert.equal(result.status, 200);
      assert.equal((await result.json()).result, 3);
      const log = await (await runner.app.request("/runs/cb-ok/logs")).text();
      assert.match(log, /submitted Cloud Batch job .*\/jobs\/cb-ok/);
    });

    await t.step("a failed job fails the run with Batch's reason", async () => {
      fake.scripts.set(jobName("cb-fail"), {
        states: ["RUNNING", "FAILED"],
        statusEvents: [{
          description:
            "Task state is updated from RUNNING to FAILED: exit code 3",
          taskExecution: { exitCode: 3 },
        }],
      });
      await submit("cb-fail");
      const run = await reaches("cb-fail", "failed");
      assert.equal(run.exit_code, 3);
      assert.match(run.error ?? "", /exit code 3/);
      // The runner leaves a failure result.json behind for whoever polls the folder.
      const written = await untilPasses(async () =>
        JSON.parse(
          await Deno.readTextFile(join(bucket, "cb-fail", "result.json")),
        )
      );
      assert.equal(written.result, null);
      assert.match(written.error, /exit code 3/);
    });

    await t.step("cancel deletes the job", async () => {
      fake.scripts.set(jobName("cb-cancel"), { states: ["RUNNING"] });
      await submit("cb-cancel");
      await untilPasses(() =>
        assert.ok(fake.jobs.has(jobName("cb-cancel")), "job created")
      );
      const res = await runner.app.request("/runs/cb-cancel/cancel", {
        method: "POST",
      });
      assert.equal(res.status, 200);
      assert.equal((await res.json()).status, "cancelled");
      assert.deepEqual(
        fake.callsOf("deleteJob").map((r) => r.name),
        [jobName("cb-cancel")],
      );
      assert.ok(!fake.jobs.has(jobName("cb-cancel")));
    });

    await t.step(
      "a restart re-attaches runs still going on Batch",
      async () => {
        fake.scripts.set(jobName("cb-restart"), { states: ["RUNNING"] });
        fake.scripts.set(jobName("cb-gone"), { states: ["RUNNING"] });
        await submit("cb-restart");
        await submit("cb-gone");
        await untilPasses(() => {
          assert.ok(fake.jobs.has(jobName("cb-restart")));
          assert.ok(fake.jobs.has(jobName("cb-gone")));
        });
        const deletes = fake.callsOf("deleteJob").length;
        await runner.close();
        store.close();
        await gcp.close();
        // Shutting down neither deleted the jobs nor ended the runs.
        assert.equal(fake.callsOf("deleteJob").length, deletes);
        store = new RunStore(dbPath);
        assert.equal(store.get("cb-restart")?.status, "running");
        // One job disappears while the runner is down.
        fake.jobs.delete(jobName("cb-gone"));

        gcp = makeFactory();
        runner = open();
        assert.deepEqual(runner.recovered.interrupted, []);
        assert.deepEqual(runner.recovered.reattached, [
          "cb-restart",
          "cb-gone",
        ]);
        const gone = await reaches("cb-gone", "failed");
        assert.equal(gone.reason, "interrupted");
        assert.match(gone.error ?? "", /re-attach.*no Cloud Batch job/);
        assert.equal((await get("cb-restart")).status, "running");

        await writeResult("cb-restart", {
          result: 42,
          error: null,
          trace: null,
        });
        fake.scripts.set(jobName("cb-restart"), { states: ["SUCCEEDED"] });
        const done = await reaches("cb-restart", "succeeded");
        assert.equal(done.result, 42);
        assert.equal(
          fake.callsOf("createJob").filter((r) => r.jobId === "cb-restart")
            .length,
          1,
          "the job was not submitted twice",
        );
        const log = await (await runner.app.request("/runs/cb-restart/logs"))
          .text();
        assert.match(log, /re-attached to Cloud Batch job/);
      },
    );
  } finally {
    await runner.close();
    store.close();
    await gcp.close();
    await fake.close();
    await env.cleanup();
  }
});

Deno.test("runner command line: --cloud-batch-* options", async (t) => {
  const env = await tempSetup();
  const cloudBatch = [
    "--cloud-batch-project",
    "wt-test",
    "--cloud-batch-region",
    "europe-west1",
    "--cloud-batch-image-prefix",
    "europe-docker.pkg.dev/wt-test/wt",
    "--cloud-batch-results",
    "gs://wt-test-bucket/runs",
    "--cloud-batch-service-account",
    "runs@wt-test.iam.gserviceaccount.com",
  ];
  try {
    await t.step(
      "incomplete ones exit 2 and name what is missing",
      async () => {
        const out = await new Deno.Command(Deno.execPath(), {
          args: [
            "run",
            ...RUNNER_PERMISSION_FLAGS,
            join(RUNNER_DIR, "main.ts"),
            "--workflows",
            env.workflows,
            "--data",
            env.data,
            "--cloud-batch-project",
            "wt-test",
          ],
          stdin: "null",
          stdout: "piped",
          stderr: "piped",
        }).output();
        assert.equal(out.code, 2);
        assert.match(
          new TextDecoder().decode(out.stderr),
          /--cloud-batch-region, --cloud-batch-results, --cloud-batch-image-prefix/,
        );
      },
    );

    await t.step("complete ones let runs ask for cloud-batch", async () => {
      const post = (url: string) =>
        fetch(`${url}/runs`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({
            workflow: WF,
            params: {},
            invoker: "cloud-batch",
          }),
        });
      const plain = await startRunner({
        workflows: env.workflows,
        data: env.data,
      });
      try {
        const res = await post(plain.url);
        assert.equal(res.status, 400);
        assert.match(
          await res.text(),
          /invoker 'cloud-batch' is not configured/,
        );
      } finally {
        await plain.stop();
      }
      // The runner's own permission flags are enough to load @wt/runner/gcp.
      const runner = await startRunner({
        workflows: env.workflows,
        data: env.data,
        args: cloudBatch,
      });
      try {
        // The kind is accepted: the parameters are checked next (and are invalid here, so
        // nothing reaches Google Cloud).
        const res = await post(runner.url);
        assert.equal(res.status, 422, await res.clone().text());
        await res.body?.cancel();
      } finally {
        await runner.stop();
      }
    });
  } finally {
    await env.cleanup();
  }
});
