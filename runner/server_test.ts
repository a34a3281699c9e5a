// The runner as a user starts it: `deno run <RUNNER_PERMISSION_FLAGS> runner/main.ts`, a real
// server on a free loopback port, the fixture workflow, a token; then SIGKILL and a restart.
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  eventually,
  RUNNER_DIR,
  startRunner,
  tempSetup,
} from "./testdata/helpers.ts";
import { RUNNER_PERMISSION_FLAGS } from "./permissions.ts";

const WF = "wt-add-workflow";

/** Whether a pid names a live process (not a zombie). */
async function alive(pid: number): Promise<boolean> {
  const text = await Deno.readTextFile(`/proc/${pid}/status`).catch(() => "");
  return text !== "" && !/State:\s+[ZX]/.test(text);
}

/** Kill a workflow process (and the `deno task` above it) that a killed runner left behind. */
async function killOrphan(p: { pid: number; ppid: number }): Promise<void> {
  for (const pid of [p.pid, p.ppid]) {
    // Guard: never signal a process group, init, or this test process.
    if (!Number.isInteger(pid) || pid <= 1 || pid === Deno.pid) continue;
    try {
      Deno.kill(pid, "SIGKILL");
    } catch {
      // gone already
    }
  }
  await eventually(
    async () => {
      try {
        const stat = await Deno.readTextFile(`/proc/${p.pid}/status`);
        return /State:\s+[ZX]/.test(stat) ? true : undefined;
      } catch {
        return true;
      }
    },
    10_000,
    `orphaned workflow process ${p.pid} to exit`,
  );
}
const TOKEN = "server-test-token";
const auth = { authorization: `Bearer ${TOKEN}` };

async function getJson(url: string, headers: Record<string, string> = auth) {
  const res = await fetch(url, { headers });
  return { status: res.status, body: await res.json() };
}

async function post(
  url: string,
  body: unknown,
  headers: Record<string, string> = auth,
) {
  const res = await fetch(url, {
    method: "POST",
    headers: { ...headers, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

Deno.test("runner process: token, runs, validation, SIGKILL and restart", async (t) => {
  const env = await tempSetup();
  let orphan: { pid: number; ppid: number } | undefined;
  let server = await startRunner({
    workflows: env.workflows,
    data: env.data,
    token: TOKEN,
    args: ["--concurrency", "1"],
  });
  try {
    await t.step("GET / answers without the token", async () => {
      const { status, body } = await getJson(`${server.url}/`, {});
      assert.equal(status, 200);
      assert.equal(body.status, "ok");
    });

    await t.step("POST /runs without the token is 401", async () => {
      const { status, body } = await post(`${server.url}/runs`, {
        workflow: WF,
        params: { total: { a: 1, b: 2 } },
      }, {});
      assert.equal(status, 401);
      assert.equal(body.error.status, 401);
    });

    await t.step(
      "with the token: 202, then succeeded with the result",
      async () => {
        const { status, body } = await post(`${server.url}/runs`, {
          workflow: WF,
          params: { total: { a: 1, b: 2 } },
        });
        assert.equal(status, 202);
        const run = await eventually(
          async () => {
            const { body: r } = await getJson(`${server.url}/runs/${body.id}`);
            return r.status === "succeeded" || r.status === "failed"
              ? r
              : undefined;
          },
          60_000,
          "the run to finish",
        );
        assert.equal(run.status, "succeeded");
        assert.equal(run.result, 3);
      },
    );

    await t.step("invalid params: 422 with items", async () => {
      const { status, body } = await post(`${server.url}/runs`, {
        workflow: WF,
        params: { total: { a: 1 } },
      });
      assert.equal(status, 422);
      assert.deepEqual(
        body.error.details.map((d: { path: string[] }) => d.path),
        [[
          "total",
          "b",
        ]],
      );
    });

    const submitted: string[] = [];
    await t.step(
      "SIGKILL with a slow run in flight and runs queued",
      async () => {
        for (let i = 0; i < 3; i++) {
          const { status, body } = await post(`${server.url}/runs`, {
            workflow: WF,
            params: { total: { a: i, b: i }, sleep: { seconds: 30 } },
          });
          assert.equal(status, 202);
          submitted.push(body.id);
        }
        // In flight: the workflow process itself has started (it writes process.json).
        const processFile = join(
          env.data,
          "runs",
          submitted[0]!,
          "results",
          "process.json",
        );
        const text = await eventually(
          () => Deno.readTextFile(processFile).catch(() => undefined),
          60_000,
          "the slow run's workflow process to start",
        );
        orphan = JSON.parse(text);
        const { body } = await getJson(`${server.url}/runs/${submitted[0]}`);
        assert.equal(body.status, "running");
        const status = await server.stop("SIGKILL");
        assert.equal(status.signal, "SIGKILL");
        // The runner alone died: its workflow process (and `deno task` above it) go on.
        await new Promise((r) => setTimeout(r, 200));
        assert.ok(await alive(orphan!.pid), "the workflow process outlived it");
        assert.ok(await alive(orphan!.ppid), "so did its deno task");
      },
    );

    await t.step(
      "restart on the same --data: every run listed, none still running",
      async () => {
        server = await startRunner({
          workflows: env.workflows,
          data: env.data,
          token: TOKEN,
          args: ["--concurrency", "1"],
        });
        assert.match(
          server.stderr(),
          /recovered 1 interrupted run\(s\).*re-queued 2/,
        );
        // It listens only once the processes the killed runner left are stopped.
        assert.equal(await alive(orphan!.pid), false, "the orphan is gone");
        assert.equal(await alive(orphan!.ppid), false, "its deno task too");
        assert.match(server.stderr(), /were stopped when the runner restarted/);
        const written = JSON.parse(
          await Deno.readTextFile(
            join(env.data, "runs", submitted[0]!, "results", "result.json"),
          ),
        );
        assert.equal(written.result, null);
        assert.match(written.error, /in flight.*were stopped when the runner/);
        const { body } = await getJson(`${server.url}/runs?limit=100`);
        const byId = new Map<string, { status: string; reason: string | null }>(
          body.runs.map((r: { id: string }) => [r.id, r]),
        );
        for (const id of submitted) {
          assert.ok(byId.has(id), `run ${id} is listed`);
        }
        assert.equal(
          byId.size,
          4,
          "the earlier successful run is still there too",
        );
        const first = byId.get(submitted[0]!)!;
        assert.equal(first.status, "failed");
        assert.equal(first.reason, "interrupted");
        const { body: one } = await getJson(
          `${server.url}/runs/${submitted[0]}`,
        );
        assert.match(one.error, /pid \d+\) and everything it started/);
        // The queued runs were re-queued: the next one starts; cancel both to finish quickly.
        for (const id of submitted.slice(1)) {
          const { body: r } = await getJson(`${server.url}/runs/${id}`);
          assert.ok(
            ["queued", "running"].includes(r.status),
            `${id} is ${r.status}`,
          );
          const { status, body: c } = await post(
            `${server.url}/runs/${id}/cancel`,
            {},
          );
          assert.equal(status, 200);
          assert.equal(c.status, "cancelled");
        }
        const { body: after } = await getJson(
          `${server.url}/runs?status=running`,
        );
        assert.deepEqual(after.runs, []);
      },
    );

    await t.step(
      "SIGTERM stops gracefully: the run in flight is stopped and recorded",
      async () => {
        const { body } = await post(`${server.url}/runs`, {
          workflow: WF,
          params: { total: { a: 9, b: 9 }, sleep: { seconds: 30 } },
        });
        const processFile = join(
          env.data,
          "runs",
          body.id,
          "results",
          "process.json",
        );
        const proc = JSON.parse(
          await eventually(
            () => Deno.readTextFile(processFile).catch(() => undefined),
            60_000,
            "the slow run's workflow process to start",
          ),
        );
        const status = await server.stop("SIGTERM");
        assert.equal(status.code, 0, server.stderr());
        await eventually(
          async () => {
            const text = await Deno.readTextFile(`/proc/${proc.pid}/status`)
              .catch(() => "");
            return text === "" || /State:\s+[ZX]/.test(text) ? true : undefined;
          },
          10_000,
          "the workflow process to be gone",
        );
        server = await startRunner({
          workflows: env.workflows,
          data: env.data,
          token: TOKEN,
        });
        assert.doesNotMatch(server.stderr(), /recovered/);
        const { body: run } = await getJson(`${server.url}/runs/${body.id}`);
        assert.equal(run.status, "failed");
        assert.equal(run.reason, "interrupted");
        assert.match(
          run.error,
          /runner shut down/,
          "recorded by the graceful stop",
        );
      },
    );
  } finally {
    await server.stop("SIGTERM");
    // The killed runner left its workflow process behind.
    if (orphan) await killOrphan(orphan);
    await env.cleanup();
  }
});

Deno.test("runner command line: usage errors exit 2 with a message", async () => {
  const dir = await Deno.makeTempDir();
  const data = join(dir, "data");
  const cases: Array<[string[], RegExp]> = [
    [["--data", data], /--workflows DIR is required/],
    [["--workflows", dir], /--data DIR is required/],
    [["--workflows", dir, "--data", data, "--port", "99999"], /--port must be/],
    [
      ["--workflows", dir, "--data", data, "--concurrency", "0"],
      /--concurrency must be/,
    ],
    [
      ["--workflows", dir, "--data", data, "--timeout", "0"],
      /--timeout must be/,
    ],
    [["--bogus"], /Unknown option '--bogus'/],
    [
      ["--workflows", join(dir, "missing"), "--data", data],
      /cannot load workflows/,
    ],
  ];
  for (const [args, message] of cases) {
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        ...RUNNER_PERMISSION_FLAGS,
        join(RUNNER_DIR, "main.ts"),
        ...args,
      ],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      env: { NO_COLOR: "1" },
    }).output();
    const stderr = new TextDecoder().decode(out.stderr);
    assert.equal(out.code, 2, `${args.join(" ")}: ${stderr}`);
    assert.match(stderr, message);
    assert.match(stderr, /usage: deno task runner/);
  }
  await assert.rejects(Deno.stat(join(data, "runs.db")), Deno.errors.NotFound);
  await Deno.remove(dir, { recursive: true });
});
