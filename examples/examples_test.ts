/**
 * Every example spec compiled with `--link` (this checkout) and run in both execution modes
 * through its generated CLI, with the expected `result.json`.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  compileWithCli,
  runDeno,
  runWorkflowCli,
  skippedInstances,
} from "@wt/compiler/testing";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

interface Example {
  dir: string;
  release: string;
  config: string;
  expected: unknown;
  env?: Record<string, string>;
}

const EXAMPLES: Example[] = [
  {
    dir: "single-task",
    release: "wt-single-task-workflow",
    config: '{"total":{"a":1,"b":2}}',
    expected: 3,
  },
  {
    dir: "chaining-tasks",
    release: "wt-chaining-tasks-workflow",
    config: '{"total":{"a":3,"b":3}}',
    expected: 12,
  },
  {
    dir: "partial",
    release: "wt-partial-workflow",
    config: '{"total":{"a":1}}',
    expected: 6,
  },
  {
    dir: "chaining-with-partial",
    release: "wt-chaining-with-partial-workflow",
    config: "{}",
    expected: ["1", "2"],
  },
  { dir: "map", release: "wt-map-workflow", config: "{}", expected: [1, 2] },
  {
    dir: "features",
    release: "wt-features-workflow",
    config: '{"total":{"a":3,"b":3}}',
    expected: [["total", "#6"], ["doubled", "#12"]],
    env: { WT_EXAMPLE_NAME: "Ada" },
  },
];

Deno.test("examples compile and run in both execution modes", async (t) => {
  const out = await Deno.makeTempDir({ prefix: "wt-examples-" });
  try {
    for (const ex of EXAMPLES) {
      await t.step(ex.dir, async () => {
        const { outputDir: release } = await compileWithCli(
          join(ROOT, "examples", ex.dir, "spec.yaml"),
          out,
          { link: ROOT },
        );
        assert.equal(release, join(out, ex.release));
        for (const mode of ["sequential", "parallel"]) {
          const run = await runWorkflowCli(release, [
            "run",
            "--config-json",
            ex.config,
            "--execution-mode",
            mode,
          ], {
            results: join(out, `${ex.dir}-${mode}`),
            ...(ex.env === undefined ? {} : { env: ex.env }),
          });
          assert.equal(run.code, 0, run.stderr);
          assert.deepEqual(run.response, {
            result: ex.expected,
            error: null,
            trace: null,
          }, mode);
        }
      });
    }

    const features = join(out, "wt-features-workflow");
    await t.step(
      "a task failure fills error and trace naming the instance",
      async () => {
        const run = await runWorkflowCli(features, [
          "run",
          "--config-json",
          '{"total":{"a":3,"b":3}}',
        ], { results: join(out, "features-failure") });
        assert.equal(run.code, 1);
        const response = run.response;
        assert.ok(response, "result.json was written");
        assert.equal(response.result, null);
        assert.equal(typeof response.error, "string");
        assert.match(response.error!, /WT_EXAMPLE_NAME/);
        assert.match(response.error!, /greeting/);
        assert.equal(typeof response.trace, "string");
      },
    );
    await t.step(
      "features: the skipif tasks are skipped, the others run",
      async () => {
        // Each task instance span of the generated DAG modules says whether it was skipped.
        const skipped = ["doubled_sum", "empty_sum"];
        assert.deepEqual(
          await skippedInstances(features, { total: { a: 3, b: 3 } }, {
            WT_EXAMPLE_NAME: "Ada",
          }),
          { sequential: skipped, parallel: skipped },
        );
      },
    );
    await t.step(
      "the generated tests type-check and pass (test-cases.yaml, mock io)",
      async () => {
        const run = await runDeno(["task", "--quiet", "test"], {
          cwd: features,
          env: { WT_EXAMPLE_NAME: "Ada" },
        });
        assert.equal(run.code, 0, run.stdout + run.stderr);
        assert.match(run.stdout, /test case three-and-three/);
        assert.match(run.stdout, /test case custom-prefix/);
      },
    );
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});
