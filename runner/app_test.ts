import assert from "node:assert/strict";
import { join } from "node:path";
import { createApp, type RunnerApp } from "./app.ts";
import { RunStore } from "./store.ts";
import { WorkflowRegistry } from "./workflows.ts";
import { localInvokerFactory } from "./invoker_factory.ts";
import { createTracing } from "./tracing.ts";
import { eventually, tempSetup } from "./testdata/helpers.ts";

const WF = "wt-add-workflow";
const TOKEN = "t0ken";
const auth = { authorization: `Bearer ${TOKEN}` };
const json = { ...auth, "content-type": "application/json" };
const TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

async function assertError(
  res: Response,
  status: number,
  message?: RegExp,
): Promise<Record<string, unknown>> {
  assert.equal(res.status, status);
  assert.match(res.headers.get("content-type") ?? "", /application\/json/);
  const body = await res.json();
  assert.deepEqual(Object.keys(body), ["error"]);
  const keys = Object.keys(body.error).sort();
  assert.ok(
    keys.join() === "message,status" ||
      keys.join() === "details,message,status",
    `unexpected error keys ${keys}`,
  );
  assert.equal(body.error.status, status);
  assert.equal(typeof body.error.message, "string");
  if (message) assert.match(body.error.message, message);
  if (status === 422) assert.ok(Array.isArray(body.error.details));
  return body.error;
}

async function withRunner(
  fn: (
    r: RunnerApp,
    env: { data: string; workflows: string; root: string },
  ) => Promise<void>,
  opts: { second?: boolean; concurrency?: number; traceFile?: string } = {},
) {
  const env = await tempSetup();
  if (opts.second) {
    await Deno.mkdir(join(env.workflows, "wt-other-workflow"));
    for await (const e of Deno.readDir(join(env.workflows, WF))) {
      await Deno.copyFile(
        join(env.workflows, WF, e.name),
        join(env.workflows, "wt-other-workflow", e.name),
      );
    }
  }
  const store = new RunStore(join(env.data, "runs.db"));
  const tracing = opts.traceFile
    ? createTracing({ traceFile: opts.traceFile })
    : undefined;
  const runner = createApp({
    store,
    workflows: await WorkflowRegistry.fromDirectory(env.workflows),
    invokerFactory: localInvokerFactory({ killGraceMs: 500 }),
    dataDir: env.data,
    token: TOKEN,
    maxBodyBytes: 4096,
    concurrency: opts.concurrency ?? 2,
    tracing,
    log: () => {},
  });
  try {
    await fn(runner, env);
  } finally {
    await runner.close();
    store.close();
    await tracing?.shutdown();
    await env.cleanup();
  }
}

async function waitTerminal(r: RunnerApp, id: string) {
  return await eventually(
    async () => {
      const res = await r.app.request(`/runs/${id}`, { headers: auth });
      const run = await res.json();
      return ["succeeded", "failed", "cancelled"].includes(run.status)
        ? run
        : undefined;
    },
    60_000,
    `run ${id} to finish`,
  );
}

Deno.test("app: health, auth, workflows, schemas, conversions", async (t) => {
  await withRunner(async (r) => {
    const req = (path: string, init?: RequestInit) => r.app.request(path, init);

    await t.step("GET / needs no token", async () => {
      const res = await req("/");
      assert.equal(res.status, 200);
      const body = await res.json();
      assert.equal(body.status, "ok");
      assert.equal(body.workflows, 2);
      assert.deepEqual(body.runs, { running: 0, queued: 0 });
      assert.ok(res.headers.get("x-request-id"));
      // uptime probes often send HEAD
      const head = await req("/", { method: "HEAD" });
      assert.equal(head.status, 200);
      await head.body?.cancel();
    });

    await t.step("everything else needs the bearer token", async () => {
      for (
        const [method, path] of [
          ["GET", "/workflows"],
          ["POST", "/runs"],
          ["GET", "/runs"],
          ["GET", "/openapi.json"],
          ["POST", "/"],
          ["POST", "/run-from-pubsub"],
        ] as const
      ) {
        const res = await req(path, { method });
        await assertError(res, 401, /bearer token/);
        assert.match(res.headers.get("www-authenticate") ?? "", /^Bearer/);
      }
      await assertError(
        await req("/workflows", { headers: { authorization: "Bearer wrong" } }),
        401,
        /not the one/,
      );
    });

    await t.step(
      "POST /run-from-pubsub also takes the token as ?token= (Pub/Sub push sends no header of ours)",
      async () => {
        const envelope = JSON.stringify({ message: { data: btoa("{}") } });
        const oidc = { authorization: "Bearer eyJhbGciOiJSUzI1NiJ9.e30.sig" };
        const ok = await req(`/run-from-pubsub?token=${TOKEN}`, {
          method: "POST",
          headers: oidc,
          body: envelope,
        });
        assert.equal(ok.status, 200);
        assert.equal((await ok.json()).acknowledged, true);
        await assertError(
          await req("/run-from-pubsub?token=wrong", {
            method: "POST",
            headers: auth,
            body: envelope,
          }),
          401,
          /\?token=/,
        );
        await assertError(
          await req("/run-from-pubsub", {
            method: "POST",
            headers: oidc,
            body: envelope,
          }),
          401,
          /\?token=/,
        );
        // only that route: elsewhere the token belongs in the header
        await assertError(await req(`/runs?token=${TOKEN}`), 401, /bearer/);
      },
    );

    await t.step("request id is echoed", async () => {
      const res = await req("/", { headers: { "x-request-id": "req-42" } });
      assert.equal(res.headers.get("x-request-id"), "req-42");
      await res.body?.cancel();
    });

    await t.step("GET /workflows", async () => {
      const body = await (await req("/workflows", { headers: auth })).json();
      assert.deepEqual(body.workflows.map((w: { name: string }) => w.name), [
        WF,
        "wt-other-workflow",
      ]);
      assert.equal(body.workflows[0].version, "1.0.0");
      assert.equal(body.workflows[0].title, "Add two numbers");
    });

    await t.step(
      "GET /params, /rjsf, /data-connection-property-names",
      async () => {
        const params =
          await (await req(`/params?workflow=${WF}`, { headers: auth })).json();
        assert.deepEqual(params.required, ["total"]);
        const rjsf =
          await (await req(`/rjsf?workflow=${WF}`, { headers: auth })).json();
        assert.equal(rjsf.properties.Options["ecoscope:task_group"], true);
        const names = await req(
          `/data-connection-property-names?workflow=${WF}`,
          {
            headers: auth,
          },
        );
        assert.equal(names.status, 200);
        assert.deepEqual(await names.json(), ["er_client_name"]);
        await assertError(
          await req("/params?workflow=nope", { headers: auth }),
          404,
          /nope/,
        );
        await assertError(
          await req("/rjsf", { headers: auth }),
          400,
          /serves 2 workflows.*\?workflow=/,
        );
      },
    );

    await t.step(
      "POST /formdata-to-params and /params-to-formdata",
      async () => {
        const formdata = {
          total: { a: 1, b: 2 },
          Options: { sleep: { seconds: 0 } },
        };
        const p = await req(`/formdata-to-params?workflow=${WF}`, {
          method: "POST",
          headers: json,
          body: JSON.stringify(formdata),
        });
        assert.equal(p.status, 200);
        const params = await p.json();
        assert.deepEqual(params, {
          total: { a: 1, b: 2 },
          sleep: { seconds: 0 },
        });
        const f = await req(`/params-to-formdata?workflow=${WF}`, {
          method: "POST",
          headers: json,
          body: JSON.stringify(params),
        });
        assert.deepEqual(await f.json(), formdata);

        const bad = await assertError(
          await req(`/formdata-to-params?workflow=${WF}`, {
            method: "POST",
            headers: json,
            body: JSON.stringify({ total: { a: "1" } }),
          }),
          422,
        );
        const details = bad["details"] as Array<
          { path: string[]; validator: string }
        >;
        assert.deepEqual(
          details.map((d) => `${d.path.join(".")}:${d.validator}`).sort(),
          ["total.a:type", "total.b:required"],
        );
        await assertError(
          await req(`/params-to-formdata?workflow=${WF}`, {
            method: "POST",
            headers: json,
            body: JSON.stringify({ total: { a: 1, b: 2 }, extra: 1 }),
          }),
          422,
          /extra/,
        );
        await assertError(
          await req(`/formdata-to-params?workflow=${WF}`, {
            method: "POST",
            headers: json,
            body: "{not json",
          }),
          400,
          /not valid JSON/,
        );
        await assertError(
          await req(`/formdata-to-params?workflow=${WF}`, {
            method: "POST",
            headers: json,
            body: "[1]",
          }),
          422,
        );
      },
    );

    await t.step("unknown routes answer 404 in the same shape", async () => {
      await assertError(
        await req("/nowhere", { headers: auth }),
        404,
        /GET \/nowhere/,
      );
    });

    await t.step("GET /openapi.json documents every route", async () => {
      const doc = await (await req("/openapi.json", { headers: auth })).json();
      assert.equal(doc.openapi, "3.1.0");
      for (const route of r.app.routes) {
        // Middleware, and the web UI's pages (HTML, not part of the JSON API).
        if (route.method === "ALL" || route.path.startsWith("/ui")) continue;
        const path = route.path.replace(/:([A-Za-z_]+)/g, "{$1}");
        assert.ok(
          doc.paths[path]?.[route.method.toLowerCase()],
          `${route.method} ${path} is in the OpenAPI document`,
        );
      }
      const post = doc.paths["/runs"].post;
      const schema = post.requestBody.content["application/json"].schema;
      assert.deepEqual(schema.required, ["workflow"]);
      assert.ok(schema.properties.execution_mode.enum.includes("parallel"));
      assert.deepEqual(doc.paths["/"].get.security, []);
      const listParams = doc.paths["/runs"].get.parameters.map((
        p: { name: string },
      ) => p.name);
      assert.deepEqual(listParams.sort(), [
        "cursor",
        "limit",
        "status",
        "workflow",
      ]);
    });
  }, { second: true });
});

Deno.test("app: run resource with the real LocalInvoker", async (t) => {
  await withRunner(async (r, env) => {
    const req = (path: string, init?: RequestInit) => r.app.request(path, init);
    const submit = (body: unknown, headers: Record<string, string> = {}) =>
      req("/runs", {
        method: "POST",
        headers: { ...json, ...headers },
        body: typeof body === "string" ? body : JSON.stringify(body),
      });

    let okId = "";
    await t.step(
      "POST /runs → 202, then succeeded with the result",
      async () => {
        const res = await submit(
          {
            workflow: WF,
            params: { total: { a: 3, b: 4 } },
            execution_mode: "parallel",
          },
          { traceparent: TRACEPARENT },
        );
        assert.equal(res.status, 202);
        const body = await res.json();
        assert.deepEqual(Object.keys(body).sort(), ["id", "status"]);
        assert.ok(["queued", "running"].includes(body.status));
        assert.equal(res.headers.get("location"), `/runs/${body.id}`);
        okId = body.id;
        const run = await waitTerminal(r, okId);
        assert.equal(run.status, "succeeded");
        assert.equal(run.result, 7);
        assert.equal(run.exit_code, 0);
        assert.equal(run.execution_mode, "parallel");
        assert.ok(!("env" in run));
        const result =
          await (await req(`/runs/${okId}/result`, { headers: auth })).json();
        assert.deepEqual(result, {
          id: okId,
          status: "succeeded",
          result: 7,
          error: null,
          trace: null,
        });
      },
    );

    await t.step(
      "GET /runs/{id}/logs holds the workflow output and trace context",
      async () => {
        const res = await req(`/runs/${okId}/logs`, { headers: auth });
        assert.equal(res.status, 200);
        assert.match(res.headers.get("content-type") ?? "", /text\/plain/);
        const text = await res.text();
        assert.match(
          text,
          new RegExp(`run ${okId} mode=parallel mock_io=false`),
        );
        assert.match(text, new RegExp(`traceparent=${TRACEPARENT}`));
        assert.match(text, /done/);
        const size = Number(res.headers.get("x-log-size"));
        const tail = await req(`/runs/${okId}/logs?offset=${size - 5}`, {
          headers: auth,
        });
        assert.equal((await tail.text()).length, 5);
        assert.equal(tail.headers.get("x-log-size"), String(size));
        const past = await req(`/runs/${okId}/logs?offset=${size + 100}`, {
          headers: auth,
        });
        assert.equal(
          await past.text(),
          "",
          "an offset past the end reads nothing",
        );
        assert.equal(past.headers.get("x-log-size"), String(size));
      },
    );

    await t.step(
      "a failing workflow: failed, error and trace from result.json",
      async () => {
        const res = await submit({
          workflow: WF,
          params: { total: { a: 1, b: 1 }, fail: { message: "boom" } },
        });
        const run = await waitTerminal(r, (await res.json()).id);
        assert.equal(run.status, "failed");
        assert.equal(run.error, "boom");
        assert.match(run.trace, /task instance 'total'/);
        assert.equal(run.exit_code, 1);
      },
    );

    await t.step("request errors: 400, 404, 413, 422, 409", async () => {
      await assertError(await submit("{oops"), 400, /not valid JSON/);
      await assertError(await submit(""), 400, /empty/);
      const missing = await assertError(await submit({ params: {} }), 422);
      assert.deepEqual(
        (missing["details"] as Array<{ path: unknown[] }>)[0]!.path,
        [
          "workflow",
        ],
      );
      await assertError(
        await submit({ workflow: "nope", params: {} }),
        404,
        /no workflow 'nope'/,
      );
      // a misspelt or misplaced field is an error, not silently dropped
      const unknown = await assertError(
        await submit({
          workflow: WF,
          params: { total: { a: 1, b: 1 } },
          timout: 5,
          results_url: "file:///tmp/x",
        }),
        422,
        /unknown field "timout"/,
      );
      assert.deepEqual(
        (unknown["details"] as Array<{ path: unknown[] }>).map((i) => i.path),
        [["timout"]],
      );
      await assertError(await submit([1]), 422, /expected a JSON object/);
      const invalid = await assertError(
        await submit({ workflow: WF, params: { total: { a: "x", b: 1 } } }),
        422,
        /params\.json/,
      );
      const items = invalid["details"] as Array<Record<string, unknown>>;
      assert.deepEqual(items, [{
        message: "must be integer",
        path: ["total", "a"],
        schema_path: ["properties", "total", "properties", "a", "type"],
        validator: "type",
        input: "x",
      }]);
      await assertError(
        await submit({
          workflow: WF,
          params: { total: { a: 1, b: 1 } },
          invoker: "cloud-batch",
        }),
        400,
        /cloud-batch.*not configured/,
      );
      await assertError(
        await submit({
          workflow: WF,
          params: { total: { a: 1, b: 1 } },
          timeout: -1,
        }),
        422,
      );
      await assertError(
        await submit({
          workflow: WF,
          params: { total: { a: 1, b: 1 } },
          id: okId,
        }),
        409,
        /exists already/,
      );
      await assertError(
        await submit({
          workflow: WF,
          params: { total: { a: 1, b: 1 }, pad: "x".repeat(5000) },
        }),
        413,
        /4096 bytes/,
      );
      await assertError(
        await req("/runs/nope", { headers: auth }),
        404,
        /no run 'nope'/,
      );
      await assertError(await req("/runs/nope/result", { headers: auth }), 404);
      await assertError(await req("/runs/nope/logs", { headers: auth }), 404);
      await assertError(
        await req("/runs/nope/cancel", { method: "POST", headers: auth }),
        404,
      );
    });

    await t.step("cancel a running run; cancelling again is 409", async () => {
      const res = await submit({
        workflow: WF,
        params: { total: { a: 1, b: 1 }, sleep: { seconds: 30 } },
      });
      const { id } = await res.json();
      await eventually(async () => {
        const run = await (await req(`/runs/${id}`, { headers: auth })).json();
        return run.status === "running" ? run : undefined;
      });
      await assertError(
        await req(`/runs/${id}/result`, { headers: auth }),
        409,
        /running/,
      );
      const cancelled = await req(`/runs/${id}/cancel`, {
        method: "POST",
        headers: auth,
      });
      assert.equal(cancelled.status, 200);
      const run = await cancelled.json();
      assert.equal(run.status, "cancelled");
      assert.equal(run.reason, "cancelled");
      await assertError(
        await req(`/runs/${id}/cancel`, { method: "POST", headers: auth }),
        409,
        /cancelled already/,
      );
      const written = JSON.parse(
        await Deno.readTextFile(
          join(env.data, "runs", id, "results", "result.json"),
        ),
      );
      assert.equal(written.result, null);
    });

    await t.step(
      "timeout: the run is stopped and marked failed (timeout)",
      async () => {
        const res = await submit({
          workflow: WF,
          params: { total: { a: 1, b: 1 }, sleep: { seconds: 30 } },
          timeout: 1,
        });
        const run = await waitTerminal(r, (await res.json()).id);
        assert.equal(run.status, "failed");
        assert.equal(run.reason, "timeout");
      },
    );

    await t.step("GET /runs filters and paginates", async () => {
      const all = await (await req("/runs?limit=500", { headers: auth }))
        .json();
      assert.equal(all.runs.length, 4);
      assert.equal(all.next_cursor, null);
      const ok = await (await req(`/runs?workflow=${WF}&status=succeeded`, {
        headers: auth,
      }))
        .json();
      assert.deepEqual(ok.runs.map((x: { id: string }) => x.id), [okId]);
      const seen: string[] = [];
      let url = "/runs?limit=1";
      for (;;) {
        const page = await (await req(url, { headers: auth })).json();
        assert.ok(page.runs.length <= 1);
        seen.push(...page.runs.map((x: { id: string }) => x.id));
        if (!page.next_cursor) break;
        url = `/runs?limit=1&cursor=${page.next_cursor}`;
      }
      assert.deepEqual(seen, all.runs.map((x: { id: string }) => x.id));
      await assertError(await req("/runs?limit=0", { headers: auth }), 422);
      await assertError(
        await req("/runs?limit=abc", { headers: auth }),
        422,
        /whole number/,
      );
      await assertError(await req("/runs?status=done", { headers: auth }), 422);
      await assertError(
        await req("/runs?cursor=zz", { headers: auth }),
        400,
        /cursor/,
      );
    });
  });
});

Deno.test("app: reference-compatible POST / and POST /run-from-pubsub", async (t) => {
  await withRunner(async (r, env) => {
    const req = (path: string, init?: RequestInit) => r.app.request(path, init);

    await t.step(
      "POST / runs synchronously and answers result.json",
      async () => {
        const results = join(env.root, "legacy-results");
        const res = await req(
          `/?results_url=file://${results}&execution_mode=parallel&mock_io=true&run_id=legacy-1&timeout=60`,
          {
            method: "POST",
            headers: json,
            body: JSON.stringify({
              params: { total: { a: 20, b: 22 } },
              data_connections_env_vars: [{
                name: "WT_ECHO_ENV",
                value: "hello",
              }],
            }),
          },
        );
        assert.equal(res.status, 200);
        assert.equal(res.headers.get("x-run-id"), "legacy-1");
        assert.deepEqual(await res.json(), {
          result: 42,
          error: null,
          trace: null,
        });
        assert.deepEqual(
          JSON.parse(await Deno.readTextFile(join(results, "result.json"))),
          { result: 42, error: null, trace: null },
        );
        const log = await (await req("/runs/legacy-1/logs", { headers: auth }))
          .text();
        assert.match(log, /mode=parallel mock_io=true/);
        assert.match(log, /echo=hello/);
        const run = await (await req("/runs/legacy-1", { headers: auth }))
          .json();
        assert.equal(run.mock_io, true);
      },
    );

    await t.step(
      "POST / with a failing workflow answers its error and trace",
      async () => {
        const res = await req("/", {
          method: "POST",
          headers: json,
          body: JSON.stringify({ params: { total: { a: 1, b: 1 }, fail: {} } }),
        });
        assert.equal(res.status, 200);
        const body = await res.json();
        assert.equal(body.result, null);
        assert.equal(body.error, "failed on purpose");
        assert.match(body.trace, /total/);
      },
    );

    await t.step("POST / validation and query errors", async () => {
      await assertError(
        await req("/", {
          method: "POST",
          headers: json,
          body: JSON.stringify({ params: { total: {} } }),
        }),
        422,
      );
      await assertError(
        await req("/?execution_mode=async", {
          method: "POST",
          headers: json,
          body: "{}",
        }),
        422,
        /query string/,
      );
      await assertError(
        await req("/?results_url=http://x", {
          method: "POST",
          headers: json,
          body: "{}",
        }),
        422,
      );
    });

    const push = (command: unknown, messageId: string = crypto.randomUUID()) =>
      req("/run-from-pubsub", {
        method: "POST",
        headers: json,
        body: JSON.stringify({
          message: {
            data: btoa(
              typeof command === "string" ? command : JSON.stringify(command),
            ),
            attributes: {},
            messageId,
          },
          subscription: "projects/p/subscriptions/s",
        }),
      });

    await t.step(
      "Pub/Sub: a good command is acknowledged and run",
      async () => {
        const results = join(env.root, "pubsub-ok");
        const res = await push({
          workflow: WF,
          params: { total: { a: 2, b: 2 } },
          results_url: `file://${results}`,
        }, "m-1");
        assert.equal(res.status, 200);
        const ack = await res.json();
        assert.equal(ack.acknowledged, true);
        assert.equal(ack.run_id, "pubsub-m-1");
        assert.equal(ack.error, null);
        const run = await waitTerminal(r, ack.run_id);
        assert.equal(run.result, 4);
        assert.equal(
          JSON.parse(await Deno.readTextFile(join(results, "result.json")))
            .result,
          4,
        );
        const again = await (await push({
          workflow: WF,
          params: { total: { a: 2, b: 2 } },
          results_url: `file://${results}`,
        }, "m-1")).json();
        assert.equal(
          again.run_id,
          "pubsub-m-1",
          "a redelivered message is not run twice",
        );
        assert.equal(again.status, "succeeded");
      },
    );

    await t.step(
      "Pub/Sub: invalid params are acknowledged and written to result.json",
      async () => {
        const results = join(env.root, "pubsub-bad");
        const res = await push({
          workflow: WF,
          params: { total: { a: "x", b: 1 } },
          results_url: `file://${results}`,
        });
        assert.equal(res.status, 200);
        const ack = await res.json();
        assert.match(ack.error, /total\.a: must be integer/);
        const written = JSON.parse(
          await Deno.readTextFile(join(results, "result.json")),
        );
        assert.equal(written.result, null);
        assert.match(written.error, /total\.a: must be integer/);
      },
    );

    await t.step(
      "Pub/Sub: undecodable messages are still acknowledged",
      async () => {
        const bad = await req("/run-from-pubsub", {
          method: "POST",
          headers: json,
          body: JSON.stringify({ message: { data: "%%%" } }),
        });
        assert.equal(bad.status, 200);
        assert.match((await bad.json()).error, /base64/);
        const notJson = await req("/run-from-pubsub", {
          method: "POST",
          headers: json,
          body: "nope",
        });
        assert.equal(notJson.status, 200);
        const huge = await push({
          workflow: WF,
          params: { pad: "x".repeat(8000) },
        });
        assert.equal(
          huge.status,
          200,
          "an oversized message is acknowledged, not retried",
        );
        assert.match((await huge.json()).error, /exceeds the limit/);
        const noUrl = await push({ workflow: WF, params: {} });
        assert.equal(noUrl.status, 200);
        assert.match((await noUrl.json()).error, /results_url/);
      },
    );
  });
});

Deno.test("app: tracing writes request and run spans in one trace", async () => {
  const dir = await Deno.makeTempDir();
  const traceFile = join(dir, "spans.jsonl");
  try {
    let logText = "";
    await withRunner(async (r) => {
      const res = await r.app.request("/runs", {
        method: "POST",
        headers: { ...json, traceparent: TRACEPARENT },
        body: JSON.stringify({
          workflow: WF,
          params: { total: { a: 1, b: 1 } },
        }),
      });
      const { id } = await res.json();
      const run = await waitTerminal(r, id);
      assert.equal(run.status, "succeeded");
      logText =
        await (await r.app.request(`/runs/${id}/logs`, { headers: auth }))
          .text();
    }, { traceFile });
    const spans = (await Deno.readTextFile(traceFile)).trim().split("\n").map((
      l,
    ) => JSON.parse(l));
    const request = spans.find((s) => s.name === "POST /runs");
    const run = spans.find((s) => s.name === `run ${WF}`);
    assert.ok(request && run, `spans: ${spans.map((s) => s.name)}`);
    assert.equal(request.trace_id, "4bf92f3577b34da6a3ce929d0e0e4736");
    assert.equal(request.parent_span_id, "00f067aa0ba902b7");
    assert.equal(run.trace_id, request.trace_id);
    assert.equal(run.parent_span_id, request.span_id);
    assert.equal(run.attributes["wt.run.status"], "succeeded");
    assert.match(
      logText,
      new RegExp(`traceparent=00-${run.trace_id}-${run.span_id}-01`),
      "the workflow continues the run's span",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
