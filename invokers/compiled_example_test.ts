// LocalInvoker with a real workflow compiled by @wt/compiler from examples/chaining-tasks
// (add then double), linked to this repository so that it runs offline. The compiler runs
// as a subprocess: the invokers never import compiler or workflow code.
import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { LocalInvoker } from "./mod.ts";
import { buildBatchJob } from "./cloud_batch.ts";
import { compileWithCli } from "@wt/compiler/testing";

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const WF = "wt-chaining-tasks-workflow";

async function compile(spec: string, outDir: string): Promise<void> {
  await compileWithCli(spec, outDir, { link: ROOT });
}

Deno.test("LocalInvoker runs the compiled chaining-tasks example", async (t) => {
  const tmp = await Deno.makeTempDir({ prefix: "wt-invokers-compiled-" });
  try {
    await compile(
      join(ROOT, "examples", "chaining-tasks", "spec.yaml"),
      join(tmp, "out"),
    );
    const workflowDir = join(tmp, "out", WF);
    for (const mode of ["sequential", "parallel"] as const) {
      await t.step(`${mode}: {"total":{"a":3,"b":3}} → 12`, async () => {
        const run = await new LocalInvoker({
          workflowDir,
          logDir: join(tmp, "logs"),
          timeoutMs: 120_000,
        }).run(
          {
            config_json: '{"total":{"a":3,"b":3}}',
            execution_mode: mode,
            mock_io: false,
          },
          {
            results_url: `file://${tmp}/results/${mode}`,
            results_env_var: "WT_RESULTS",
            run_id: `chain-${mode}`,
            traceparent:
              "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
            extra: {},
          },
        );
        const rec = await run.wait();
        const log = await Deno.readTextFile(run.logFile);
        assert.equal(rec.status, "succeeded", `${rec.error}\n${log}`);
        assert.equal(rec.result, 12);
        assert.equal(rec.exit_code, 0);
        assert.equal(rec.workflow, WF);
        assert.equal(rec.execution_mode, mode);
      });
    }

    await t.step(
      "parameters the workflow rejects: failed, exit 2, log tail",
      async () => {
        const run = await new LocalInvoker({ workflowDir, timeoutMs: 120_000 })
          .run(
            {
              config_json: '{"total":{"a":"three"}}',
              execution_mode: "sequential",
              mock_io: false,
            },
            {
              results_url: `file://${tmp}/results/invalid`,
              results_env_var: "WT_RESULTS",
              extra: {},
            },
          );
        const rec = await run.wait();
        assert.equal(rec.status, "failed");
        assert.equal(rec.exit_code, 2);
        assert.match(rec.error ?? "", /exited with code 2/);
        assert.match(rec.error ?? "", /total/);
        await Deno.remove(run.logFile);
      },
    );

    await t.step(
      "the Cloud Batch default command runs the workspace where the generated Dockerfile puts it",
      async () => {
        const dockerfile = await Deno.readTextFile(
          join(workflowDir, "Dockerfile"),
        );
        const workdir = /^WORKDIR (\S+)$/m.exec(dockerfile)?.[1];
        assert.ok(workdir, dockerfile);
        const { job } = buildBatchJob(
          { config_json: "{}", execution_mode: "sequential", mock_io: false },
          {
            results_url: "gs://b/runs/r1",
            results_env_var: "WT_RESULTS",
            run_id: "r1",
            extra: {},
          },
          { project: "p", region: "r", image: "img:1", workflow: WF },
        );
        const commands =
          job.taskGroups?.[0]?.taskSpec?.runnables?.[0]?.container?.commands ??
            [];
        assert.deepEqual(commands.slice(0, 4), [
          "task",
          "--cwd",
          workdir,
          "workflow",
        ]);
      },
    );
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});
