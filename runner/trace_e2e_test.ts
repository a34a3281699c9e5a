// One trace end to end: a request with a `traceparent` header → the runner's request span →
// its run span → one span per task instance, recorded by the workflow process into the same
// JSON-lines file (`--trace-file`, handed to the workflow as WT_TRACE_FILE). Real processes:
// the runner with its permission flags, and workflows compiled from examples/ by
// @wt/compiler (linked to this repository, so it runs offline).
import assert from "node:assert/strict";
import { join, relative } from "node:path";
import { eventually, RUNNER_DIR, startRunner } from "./testdata/helpers.ts";
import { compileWithCli } from "@wt/compiler/testing";

const ROOT = join(RUNNER_DIR, "..");
const TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
const CALLER_SPAN = "00f067aa0ba902b7";

interface SpanLine {
  service: string;
  trace_id: string;
  span_id: string;
  parent_span_id: string | null;
  name: string;
  status: string;
  attributes: Record<string, unknown>;
}

/** A workflow whose only task fails on non-numeric text (to see spans flushed on failure). */
async function writeFailingSpec(dir: string): Promise<string> {
  await Deno.mkdir(dir, { recursive: true });
  const lib = relative(dir, join(ROOT, "examples", "custom-tasks"));
  const spec = join(dir, "spec.yaml");
  await Deno.writeTextFile(
    spec,
    `id: parse_text
requirements:
  - name: "@wt-examples/custom-tasks"
    path: ${JSON.stringify(lib)}
workflow:
  - id: parsed
    name: Parse The Text
    task: parse_int
`,
  );
  return spec;
}

async function compile(spec: string, outDir: string): Promise<void> {
  await compileWithCli(spec, outDir, { link: ROOT });
}

Deno.test("one trace from the request through the run to every task instance", async (t) => {
  const tmp = await Deno.makeTempDir({ prefix: "wt-runner-trace-" });
  const workflows = join(tmp, "workflows");
  const traceFile = join(tmp, "spans.jsonl");
  await compile(
    join(ROOT, "examples", "chaining-tasks", "spec.yaml"),
    workflows,
  );
  await compile(join(ROOT, "examples", "map", "spec.yaml"), workflows);
  await compile(await writeFailingSpec(join(tmp, "spec")), workflows);
  const server = await startRunner({
    workflows,
    data: join(tmp, "data"),
    args: ["--trace-file", traceFile],
  });
  const runs: Record<string, string> = {};
  try {
    for (
      const [workflow, params, expected] of [
        ["wt-chaining-tasks-workflow", { total: { a: 1, b: 2 } }, "succeeded"],
        ["wt-map-workflow", {}, "succeeded"],
        ["wt-parse-text-workflow", { parsed: { s: "abc" } }, "failed"],
      ] as const
    ) {
      const res = await fetch(`${server.url}/runs`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          traceparent: `00-${TRACE_ID}-${CALLER_SPAN}-01`,
        },
        body: JSON.stringify({ workflow, params }),
      });
      const body = await res.json();
      assert.equal(res.status, 202, JSON.stringify(body));
      runs[workflow] = body.id;
      const run = await eventually(
        async () => {
          const r = await (await fetch(`${server.url}/runs/${body.id}`))
            .json();
          return ["succeeded", "failed", "cancelled"].includes(r.status)
            ? r
            : undefined;
        },
        120_000,
        `run ${body.id}`,
      );
      assert.equal(run.status, expected, `${workflow}: ${run.error}`);
    }
  } finally {
    await server.stop(); // flushes the runner's spans
  }
  try {
    const spans: SpanLine[] = (await Deno.readTextFile(traceFile)).trim()
      .split("\n").map((l) => JSON.parse(l));
    const byId = new Map(spans.map((s) => [s.span_id, s]));
    const parentOf = (s: SpanLine): SpanLine | undefined =>
      byId.get(s.parent_span_id ?? "");

    await t.step("every span of the runs is in the caller's trace", () => {
      // the status polls carry no traceparent: each starts a trace of its own
      const ours = spans.filter((s) => !s.name.startsWith("GET "));
      for (const s of ours) {
        assert.equal(s.trace_id, TRACE_ID, `span ${s.name}`);
      }
      // per run: request + run + instances + calls (chaining 2+2+2, map 2+3+4, failing 2+1+1)
      assert.equal(ours.length, 19, ours.map((s) => s.name).join(", "));
    });

    for (const [workflow, id] of Object.entries(runs)) {
      await t.step(`${workflow}: request → run → task instances`, () => {
        const run = spans.find((s) => s.attributes["wt.run.id"] === id);
        assert.ok(run, `run span of ${id} in ${traceFile}`);
        assert.equal(run.name, `run ${workflow}`);
        assert.equal(run.service, "wt-runner");
        const failed = workflow === "wt-parse-text-workflow";
        assert.equal(
          run.attributes["wt.run.status"],
          failed ? "failed" : "succeeded",
        );
        const request = parentOf(run);
        assert.ok(request, "the run span's parent is recorded");
        assert.equal(request.name, "POST /runs");
        assert.equal(request.parent_span_id, CALLER_SPAN);
        assert.equal(request.attributes["http.response.status_code"], 202);

        const instances = spans.filter((s) => s.parent_span_id === run.span_id);
        assert.ok(instances.length > 0, "task instance spans under the run");
        for (const s of instances) {
          assert.equal(s.service, workflow);
          assert.equal(s.trace_id, TRACE_ID);
          assert.equal(s.status, failed ? "ERROR" : "UNSET");
          assert.equal(s.attributes["wt.task_instance_id"], s.name);
          const calls = spans.filter((c) => c.parent_span_id === s.span_id);
          assert.equal(calls.length, s.attributes["ncalls"], s.name);
        }
        const summary = Object.fromEntries(
          instances.map((s) => [
            s.name,
            [s.attributes["method"], s.attributes["ncalls"]],
          ]),
        );
        assert.deepEqual(
          summary,
          {
            "wt-chaining-tasks-workflow": {
              total: ["call", 1],
              doubled: ["call", 1],
            },
            "wt-map-workflow": {
              total: ["call", 1],
              digits: ["call", 1],
              parsed: ["map", 2],
            },
            "wt-parse-text-workflow": { parsed: ["call", 1] },
          }[workflow],
        );
      });
    }
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});
