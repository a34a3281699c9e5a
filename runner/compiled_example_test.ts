// The runner with a workflow compiled by @wt/compiler from examples/chaining-tasks (linked to
// this repository, so it runs offline): started as a subprocess with the runner's permission
// flags and a token.
import assert from "node:assert/strict";
import { join } from "node:path";
import { eventually, RUNNER_DIR, startRunner } from "./testdata/helpers.ts";
import { compileWithCli } from "@wt/compiler/testing";

const ROOT = join(RUNNER_DIR, "..");
const WF = "wt-chaining-tasks-workflow";
const TOKEN = "compiled-example-token";
const headers = {
  authorization: `Bearer ${TOKEN}`,
  "content-type": "application/json",
};

async function compile(spec: string, outDir: string): Promise<void> {
  await compileWithCli(spec, outDir, { link: ROOT });
}

Deno.test("runner process with the compiled chaining-tasks example", async (t) => {
  const tmp = await Deno.makeTempDir({ prefix: "wt-runner-compiled-" });
  const workflows = join(tmp, "workflows");
  await compile(
    join(ROOT, "examples", "chaining-tasks", "spec.yaml"),
    workflows,
  );
  const server = await startRunner({
    workflows,
    data: join(tmp, "data"),
    token: TOKEN,
  });
  try {
    await t.step(
      "GET /workflows lists the compiled workflow with its version",
      async () => {
        const res = await fetch(`${server.url}/workflows`, { headers });
        const body = await res.json();
        assert.deepEqual(body.workflows.map((w: { name: string }) => w.name), [
          WF,
        ]);
        assert.match(body.workflows[0].version, /^\d+\.\d+\.\d+$/);
      },
    );

    for (const mode of ["sequential", "parallel"] as const) {
      await t.step(
        `POST /runs (${mode}) → 202, then succeeded with 12`,
        async () => {
          const res = await fetch(`${server.url}/runs`, {
            method: "POST",
            headers,
            body: JSON.stringify({
              workflow: WF,
              params: { total: { a: 3, b: 3 } },
              execution_mode: mode,
            }),
          });
          assert.equal(res.status, 202);
          const { id } = await res.json();
          const run = await eventually(
            async () => {
              const r =
                await (await fetch(`${server.url}/runs/${id}`, { headers }))
                  .json();
              return ["succeeded", "failed", "cancelled"].includes(r.status)
                ? r
                : undefined;
            },
            120_000,
            `run ${id}`,
          );
          const logs =
            await (await fetch(`${server.url}/runs/${id}/logs`, { headers }))
              .text();
          assert.equal(
            run.status,
            "succeeded",
            `run failed: ${run.error}\n${logs}`,
          );
          assert.equal(run.result, 12);
        },
      );
    }

    await t.step("invalid params → 422 with items", async () => {
      const res = await fetch(`${server.url}/runs`, {
        method: "POST",
        headers,
        body: JSON.stringify({
          workflow: WF,
          params: { total: { a: "three" } },
        }),
      });
      assert.equal(res.status, 422);
      const body = await res.json();
      const paths = body.error.details.map((d: { path: unknown[] }) =>
        d.path.join(".")
      );
      assert.ok(paths.includes("total.a"), `paths: ${paths}`);
    });

    await t.step("POST / answers the result synchronously", async () => {
      const res = await fetch(`${server.url}/?workflow=${WF}`, {
        method: "POST",
        headers,
        body: JSON.stringify({ params: { total: { a: 1, b: 2 } } }),
      });
      assert.equal(res.status, 200);
      assert.deepEqual(await res.json(), {
        result: 6,
        error: null,
        trace: null,
      });
    });

    await t.step(
      "GET /data-connection-property-names through the workflow CLI",
      async () => {
        const res = await fetch(
          `${server.url}/data-connection-property-names?workflow=${WF}`,
          { headers },
        );
        const body = await res.json();
        assert.equal(res.status, 200, JSON.stringify(body));
        assert.ok(Array.isArray(body), JSON.stringify(body));
      },
    );
  } finally {
    await server.stop("SIGTERM");
    await Deno.remove(tmp, { recursive: true });
  }
});
