/**
 * Every example spec compiled with `--link` (this checkout) and run in both execution modes
 * through its generated CLI, with the expected `result.json`.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const DEC = new TextDecoder();

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

function baseEnv(): Record<string, string> {
  const env: Record<string, string> = { NO_COLOR: "1" };
  for (const k of ["PATH", "HOME", "DENO_DIR", "XDG_CACHE_HOME"]) {
    const v = Deno.env.get(k);
    if (v !== undefined) env[k] = v;
  }
  return env;
}

async function deno(
  args: string[],
  env: Record<string, string>,
  cwd = ROOT,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args,
    cwd,
    env,
    clearEnv: true,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  return {
    code: out.code,
    stdout: DEC.decode(out.stdout),
    stderr: DEC.decode(out.stderr),
  };
}

Deno.test("examples compile and run in both execution modes", async (t) => {
  const out = await Deno.makeTempDir({ prefix: "wt-examples-" });
  try {
    for (const ex of EXAMPLES) {
      await t.step(ex.dir, async () => {
        const compiled = await deno([
          "run",
          "-A",
          join(ROOT, "compiler", "mod.ts"),
          "compile",
          join(ROOT, "examples", ex.dir, "spec.yaml"),
          "--out-dir",
          out,
          "--link",
          ROOT,
          "--no-progress",
        ], baseEnv());
        assert.equal(compiled.code, 0, compiled.stderr);
        const release = join(out, ex.release);
        for (const mode of ["sequential", "parallel"]) {
          const results = join(out, `${ex.dir}-${mode}`);
          const run = await deno(
            [
              "task",
              "--quiet",
              "workflow",
              "run",
              "--config-json",
              ex.config,
              "--execution-mode",
              mode,
            ],
            { ...baseEnv(), ...ex.env, WT_RESULTS: `file://${results}` },
            release,
          );
          assert.equal(run.code, 0, run.stderr);
          const response = JSON.parse(
            await Deno.readTextFile(join(results, "result.json")),
          );
          assert.deepEqual(response, {
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
        const results = join(out, "features-failure");
        const run = await deno(
          [
            "task",
            "--quiet",
            "workflow",
            "run",
            "--config-json",
            '{"total":{"a":3,"b":3}}',
          ],
          { ...baseEnv(), WT_RESULTS: `file://${results}` },
          features,
        );
        assert.equal(run.code, 1);
        const response = JSON.parse(
          await Deno.readTextFile(join(results, "result.json")),
        );
        assert.equal(response.result, null);
        assert.match(response.error, /WT_EXAMPLE_NAME/);
        assert.match(response.error, /greeting/);
        assert.equal(typeof response.trace, "string");
      },
    );
    await t.step(
      "features: the skipif tasks are skipped, the others run",
      async () => {
        // Run the generated DAG modules with an in-memory tracer: each task instance
        // span says whether it was skipped.
        const probe = join(features, "skip_probe.ts");
        await Deno.writeTextFile(
          probe,
          `import { runWorkflow as sequential } from "./src/dag_sequential.ts";
import { runWorkflow as parallel } from "./src/dag_parallel.ts";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";
const out: Record<string, string[]> = {};
for (const [mode, run] of [["sequential", sequential], ["parallel", parallel]] as const) {
  const exporter = new InMemorySpanExporter();
  const tracer = new BasicTracerProvider({
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  }).getTracer("probe");
  await run({ total: { a: 3, b: 3 } }, { mockIo: false, concurrency: 4, tracing: { tracer } });
  out[mode] = exporter.getFinishedSpans()
    .filter((s) => s.attributes["wt.skipped"] === true && !s.parentSpanContext)
    .map((s) => s.name)
    .sort();
}
console.log(JSON.stringify(out));
`,
        );
        const run = await deno(
          ["run", "-A", "skip_probe.ts"],
          { ...baseEnv(), WT_EXAMPLE_NAME: "Ada" },
          features,
        );
        await Deno.remove(probe);
        assert.equal(run.code, 0, run.stderr);
        const skipped = ["doubled_sum", "empty_sum"];
        assert.deepEqual(JSON.parse(run.stdout), {
          sequential: skipped,
          parallel: skipped,
        });
      },
    );
    await t.step(
      "the generated tests type-check and pass (test-cases.yaml, mock io)",
      async () => {
        const run = await deno(["task", "--quiet", "test"], {
          ...baseEnv(),
          WT_EXAMPLE_NAME: "Ada",
        }, features);
        assert.equal(run.code, 0, run.stdout + run.stderr);
        assert.match(run.stdout, /test case three-and-three/);
        assert.match(run.stdout, /test case custom-prefix/);
      },
    );
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});
