/**
 * The runner's HTTP API as a Hono app: reference-compatible endpoints, the run resource and
 * the OpenAPI document. `createApp` wires the store, the workflows and the invokers into a
 * {@linkcode RunManager} and recovers runs a previous process left behind.
 *
 * @module
 */
import * as v from "valibot";
import { type Context, Hono } from "hono";
import {
  formatValidationErrors,
  formdataToParams,
  isTerminalStatus,
  paramsToFormdata,
  type ResponseModel,
  validateParams,
  type ValidationErrorItem,
} from "@wt/contracts";
import { join } from "node:path";
import {
  ApiError,
  ConflictError,
  errorBody,
  NotFoundError,
  ParamsInvalidError,
} from "./errors.ts";
import {
  bearerAuth,
  bodyLimit,
  requestContext,
  type RequestTracer,
  type RunnerEnv,
} from "./middleware.ts";
import {
  type InvokerFactory,
  RunManager,
  type RunTracer,
  UnsupportedInvokerError,
} from "./run_manager.ts";
import type { RunStore } from "./store.ts";
import type { WorkflowEntry, WorkflowRegistry } from "./workflows.ts";
import { openApiDocument } from "./openapi.ts";
import { writeFailureResult } from "./_results.ts";
import * as s from "./_schemas.ts";
import { uiRoutes } from "./ui.ts";

/**
 * Version of this runner (answered by `GET /` and in the OpenAPI document).
 *
 * @example
 * ```ts
 * import { openApiDocument, RUNNER_VERSION } from "@wt/runner";
 *
 * const doc = openApiDocument(RUNNER_VERSION) as { info: { version: string } };
 * console.assert(doc.info.version === RUNNER_VERSION);
 * ```
 */
export const RUNNER_VERSION = "0.1.0";

/** What {@linkcode createApp} needs. */
export interface AppDeps {
  /** The run store. */
  store: RunStore;
  /** The workflows served. */
  workflows: WorkflowRegistry;
  /** Makes one invoker per run. */
  invokerFactory: InvokerFactory;
  /** Folder for per-run folders (`runs/<id>/`: results and log). */
  dataDir: string;
  /** Bearer token; when set, every request except `GET /` needs it. */
  token?: string | undefined;
  /** Largest request body in bytes (default 1 MiB). */
  maxBodyBytes?: number | undefined;
  /** Runs in flight at once (default 2). */
  concurrency?: number | undefined;
  /** Timeout in seconds for runs that give none (default: none). */
  defaultTimeout?: number | undefined;
  /** Spans for requests and runs (see `createTracing`); omit when tracing is off. */
  tracing?: (RequestTracer & RunTracer) | undefined;
  /** The `deno` executable for the workflow CLI's `get` commands (default `"deno"`). */
  denoPath?: string | undefined;
  /** Where problems are reported (default `console.error`). */
  log?: ((message: string) => void) | undefined;
}

/** The app and the run manager behind it. */
export interface RunnerApp {
  /** The Hono app (`app.fetch` for `Deno.serve`, `app.request` in tests). */
  app: Hono<RunnerEnv>;
  /** The run manager. */
  manager: RunManager;
  /** Runs found `running` (now failed, `interrupted`) and re-queued at start-up. */
  recovered: {
    interrupted: string[];
    requeued: string[];
    reattached: string[];
  };
  /**
   * Stop launching, stop local runs in flight (Cloud Batch runs are left to their jobs),
   * keep queued runs for the next start.
   */
  close(): Promise<void>;
}

/**
 * Default for {@linkcode AppDeps.maxBodyBytes}: 1 MiB.
 *
 * @example
 * ```ts
 * import { createApp, DEFAULT_MAX_BODY_BYTES, RunStore, WorkflowRegistry } from "@wt/runner";
 *
 * const runner = createApp({
 *   store: new RunStore(":memory:"),
 *   workflows: new WorkflowRegistry(),
 *   invokerFactory: { kinds: ["local"], create: () => { throw new Error("no runs here"); } },
 *   dataDir: await Deno.makeTempDir(),
 * });
 * const res = await runner.app.request("/runs", {
 *   method: "POST",
 *   body: "x".repeat(DEFAULT_MAX_BODY_BYTES + 1),
 * });
 * console.assert(res.status === 413);
 * await runner.close();
 * ```
 */
export const DEFAULT_MAX_BODY_BYTES: number = 1024 * 1024;

type Ctx = Context<RunnerEnv>;

function issuesToItems(
  issues: readonly v.BaseIssue<unknown>[],
): ValidationErrorItem[] {
  return issues.map((i) => ({
    message: i.message,
    path: (i.path ?? []).map((p) =>
      typeof p.key === "number" ? p.key : String(p.key)
    ),
    schema_path: [],
    validator: i.type,
    input: i.input === undefined ? null : i.input,
  }));
}

function parseWith<T>(
  schema: v.GenericSchema<unknown, T>,
  value: unknown,
  what: string,
): T {
  const r = v.safeParse(schema, value);
  if (!r.success) {
    const items = issuesToItems(r.issues);
    throw new ApiError(
      422,
      `${what} is not valid: ${formatValidationErrors(items)}`,
      items,
    );
  }
  return r.output;
}

/**
 * The bytes of a file from `offset` on (only those are read: a UI following a log polls
 * with the last size as offset) and the size they end at; empty when there is no file.
 */
async function readFrom(
  path: string,
  offset: number,
): Promise<{ size: number; bytes: Uint8Array<ArrayBuffer> }> {
  let file: Deno.FsFile;
  try {
    file = await Deno.open(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      return { size: 0, bytes: new Uint8Array() };
    }
    throw e;
  }
  try {
    const size = (await file.stat()).size;
    const start = Math.min(offset, size);
    await file.seek(start, Deno.SeekMode.Start);
    const bytes = new Uint8Array(size - start);
    let n = 0;
    while (n < bytes.length) {
      const read = await file.read(bytes.subarray(n));
      if (read === null) break;
      n += read;
    }
    return { size: start + n, bytes: bytes.subarray(0, n) };
  } finally {
    file.close();
  }
}

async function readJson(c: Ctx): Promise<unknown> {
  const text = await c.req.text();
  if (text.trim() === "") {
    throw new ApiError(400, "the request body is empty; send a JSON document");
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new ApiError(
      400,
      `the request body is not valid JSON: ${(e as Error).message}`,
    );
  }
}

function query<T>(c: Ctx, schema: v.GenericSchema<unknown, T>): T {
  return parseWith(schema, c.req.query(), "the query string");
}

function cliEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of ["PATH", "HOME", "DENO_DIR", "XDG_CACHE_HOME", "TMPDIR"]) {
    const value = Deno.env.get(name);
    if (value !== undefined) env[name] = value;
  }
  return env;
}

/**
 * Build the runner: a Hono app over a {@linkcode RunManager} that has recovered the runs a
 * previous process left (running → failed `interrupted`; queued → queued again).
 *
 * @param deps Store, workflows, invoker factory, data folder, token, limits.
 * @returns The app, the manager and what was recovered.
 *
 * @example
 * ```ts
 * import { createApp, RunStore, WorkflowRegistry } from "@wt/runner";
 *
 * const runner = createApp({
 *   store: new RunStore(":memory:"),
 *   workflows: new WorkflowRegistry(),
 *   invokerFactory: { kinds: ["local"], create: () => { throw new Error("no runs here"); } },
 *   dataDir: await Deno.makeTempDir(),
 * });
 * const res = await runner.app.request("/");
 * console.assert(res.status === 200);
 * await runner.close();
 * ```
 */
export function createApp(deps: AppDeps): RunnerApp {
  const log = deps.log ?? ((m: string) => console.error(m));
  const manager = new RunManager({
    store: deps.store,
    workflows: deps.workflows,
    invokers: deps.invokerFactory,
    dataDir: deps.dataDir,
    concurrency: deps.concurrency ?? 2,
    tracer: deps.tracing,
    defaultTimeout: deps.defaultTimeout,
    log,
  });
  const recovered = manager.start();
  const cliCache = new Map<string, unknown>();

  const workflowOf = (name: string | undefined): WorkflowEntry => {
    if (name === undefined || name === "") {
      const all = deps.workflows.list();
      if (all.length === 1) return all[0]!;
      throw new ApiError(
        400,
        `this runner serves ${all.length} workflows: name one with ?workflow=<release name> (GET /workflows lists them)`,
      );
    }
    return deps.workflows.get(name);
  };

  const app = new Hono<RunnerEnv>();
  // Web UI (runner/ui.ts), mounted before the middleware on purpose: its pages and assets
  // hold no data and need no token (the page sends the token with each API call).
  app.route("/ui", uiRoutes(deps));
  app.use(requestContext(deps.tracing));
  app.use(bearerAuth(deps.token));
  app.use(bodyLimit(deps.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES));

  app.onError((err, c) => {
    let status = 500;
    let message = err.message;
    let details: ValidationErrorItem[] | undefined;
    if (
      err instanceof ApiError && err.status === 413 &&
      c.req.path === "/run-from-pubsub"
    ) {
      // Pub/Sub redelivers anything not acknowledged: a message too large to read is
      // acknowledged (and reported) rather than retried forever.
      log(`run-from-pubsub: dropped a push request: ${err.message}`);
      return c.json(
        { acknowledged: true, run_id: null, status: null, error: err.message },
        200,
      );
    }
    if (err instanceof ApiError) {
      status = err.status;
      details = err.details;
      for (const [k, val] of Object.entries(err.headers)) c.header(k, val);
    } else if (err instanceof ParamsInvalidError) {
      status = 422;
      details = err.items;
      message = `${err.message}:\n${formatValidationErrors(err.items)}`;
    } else if (err instanceof NotFoundError) {
      status = 404;
    } else if (err instanceof ConflictError) {
      status = 409;
    } else if (
      err instanceof UnsupportedInvokerError || err instanceof RangeError
    ) {
      status = 400;
    } else if (
      "status" in err && typeof err.status === "number" && err.status >= 400
    ) {
      status = err.status;
    } else {
      log(
        `request ${c.get("requestId")} ${c.req.method} ${c.req.path} failed: ${
          err.stack ?? err
        }`,
      );
      message = `internal error (request id ${
        c.get("requestId")
      }): ${err.message}`;
    }
    return c.json(
      errorBody(status, message, details),
      status as 400,
    );
  });
  app.notFound((c) =>
    c.json(
      errorBody(
        404,
        `no route ${c.req.method} ${c.req.path}; GET /openapi.json describes the API`,
      ),
      404,
    )
  );

  // --- health, documents -----------------------------------------------------------------
  app.get("/", (c) =>
    c.json({
      status: "ok",
      version: RUNNER_VERSION,
      workflows: deps.workflows.list().length,
      runs: manager.counts,
    }));
  // Built on first request, once: it does not change while the runner runs.
  let openapi: Record<string, unknown> | undefined;
  app.get(
    "/openapi.json",
    (c) => c.json(openapi ??= openApiDocument(RUNNER_VERSION)),
  );
  app.get(
    "/workflows",
    (c) => c.json({ workflows: deps.workflows.summaries() }),
  );
  app.get("/rjsf", (c) => {
    const q = query(c, s.WorkflowQuery);
    return c.json(workflowOf(q.workflow).rjsf);
  });
  app.get("/params", (c) => {
    const q = query(c, s.WorkflowQuery);
    return c.json(workflowOf(q.workflow).params);
  });
  app.get("/data-connection-property-names", async (c) => {
    const wf = workflowOf(query(c, s.WorkflowQuery).workflow);
    if (!cliCache.has(wf.name)) {
      cliCache.set(
        wf.name,
        await workflowCliGet(wf, "data-connection-property-names"),
      );
    }
    return c.json(cliCache.get(wf.name));
  });

  async function workflowCliGet(
    wf: WorkflowEntry,
    what: string,
  ): Promise<unknown> {
    const out = await new Deno.Command(deps.denoPath ?? "deno", {
      args: ["task", "--quiet", "--cwd", wf.dir, "workflow", "get", what],
      cwd: wf.dir,
      env: cliEnv(),
      clearEnv: true,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      signal: AbortSignal.timeout(120_000),
    }).output();
    const stdout = new TextDecoder().decode(out.stdout);
    if (!out.success) {
      throw new ApiError(
        502,
        `the CLI of workflow '${wf.name}' failed on 'get ${what}' (exit ${out.code}): ${
          new TextDecoder().decode(out.stderr).trim().slice(-2000)
        }`,
      );
    }
    try {
      const value = JSON.parse(stdout);
      if (
        value && typeof value === "object" && !Array.isArray(value) &&
        Object.keys(value).length === 1 && "result" in value
      ) return value.result;
      return value;
    } catch {
      throw new ApiError(
        502,
        `the CLI of workflow '${wf.name}' printed no JSON for 'get ${what}': ${
          stdout.slice(0, 500)
        }`,
      );
    }
  }

  // --- conversions -----------------------------------------------------------------------
  app.post("/formdata-to-params", async (c) => {
    const wf = workflowOf(query(c, s.WorkflowQuery).workflow);
    const formdata = parseWith(
      s.JsonObjectSchema,
      await readJson(c),
      "form data",
    );
    let params: Record<string, unknown>;
    try {
      params = formdataToParams(formdata, wf.rjsf);
    } catch (e) {
      throw new ApiError(422, (e as Error).message, [{
        message: (e as Error).message,
        path: [],
        schema_path: [],
        validator: "formdata",
        input: null,
      }]);
    }
    const items = validateParams(params, wf.params);
    if (items.length) throw new ParamsInvalidError(wf.name, items);
    return c.json(params);
  });
  app.post("/params-to-formdata", async (c) => {
    const wf = workflowOf(query(c, s.WorkflowQuery).workflow);
    const params = parseWith(s.JsonObjectSchema, await readJson(c), "params");
    const items = validateParams(params, wf.params);
    if (items.length) throw new ParamsInvalidError(wf.name, items);
    return c.json(paramsToFormdata(params, wf.rjsf));
  });

  // --- reference-compatible synchronous run -----------------------------------------------
  app.post("/", async (c) => {
    const q = query(c, s.LegacyRunQuery);
    const body = parseWith(
      s.LegacyRunBody,
      await readJson(c),
      "the request body",
    );
    const wf = workflowOf(q.workflow);
    const run = await manager.submit({
      workflow: wf.name,
      params: body.params,
      id: q.run_id,
      execution_mode: q.execution_mode,
      mock_io: q.mock_io,
      timeout: q.timeout,
      results_url: q.results_url,
      env: s.envRecord(body.data_connections_env_vars),
      traceparent: c.get("traceparent"),
      tracestate: c.get("tracestate"),
    });
    c.header("X-Run-Id", run.id);
    const done = await manager.wait(run.id);
    const response: ResponseModel = {
      result: done.result ?? null,
      error: done.error ?? null,
      trace: done.trace ?? null,
    };
    return c.json(response);
  });

  // --- Pub/Sub push ----------------------------------------------------------------------
  app.post("/run-from-pubsub", async (c) => {
    const ack = (
      run_id: string | null,
      status: s.PubsubAckStatus,
      error: string | null,
    ) => c.json({ acknowledged: true as const, run_id, status, error }, 200);
    let envelope: v.InferOutput<typeof s.PubsubEnvelope>;
    try {
      envelope = parseWith(
        s.PubsubEnvelope,
        await readJson(c),
        "the Pub/Sub envelope",
      );
    } catch (e) {
      log(
        `run-from-pubsub: dropped an unreadable push request: ${
          (e as Error).message
        }`,
      );
      return ack(null, null, (e as Error).message);
    }
    let command: v.InferOutput<typeof s.PubsubRunCommand>;
    let raw: unknown;
    try {
      raw = JSON.parse(
        new TextDecoder().decode(
          Uint8Array.from(
            atob(envelope.message.data),
            (ch) => ch.charCodeAt(0),
          ),
        ),
      );
    } catch (e) {
      const msg = `message data is not base64 of a JSON run command: ${
        (e as Error).message
      }`;
      log(`run-from-pubsub: ${msg}`);
      return ack(null, null, msg);
    }
    const resultsUrl = raw && typeof raw === "object" &&
        typeof (raw as Record<string, unknown>)["results_url"] === "string"
      ? (raw as Record<string, string>)["results_url"]!
      : undefined;
    const fail = async (runId: string | null, message: string) => {
      log(`run-from-pubsub: ${message}`);
      if (resultsUrl) {
        await writeFailureResult(resultsUrl, message, log);
      }
      return ack(runId, null, message);
    };
    try {
      command = parseWith(s.PubsubRunCommand, raw, "the run command");
    } catch (e) {
      return await fail(null, (e as Error).message);
    }
    const messageId = envelope.message.messageId ?? envelope.message.message_id;
    const runId = command.run_id ??
      (messageId
        ? `pubsub-${messageId.replace(/[^A-Za-z0-9_.-]/g, "_")}`
        : undefined);
    if (runId !== undefined) {
      const existing = deps.store.get(runId);
      if (existing) return ack(existing.id, existing.status, null); // redelivery
    }
    try {
      const wf = workflowOf(command.workflow);
      const run = await manager.submit({
        workflow: wf.name,
        params: command.params,
        id: runId,
        execution_mode: command.execution_mode,
        mock_io: command.mock_io,
        timeout: command.timeout,
        results_url: command.results_url,
        env: s.envRecord(command.data_connections_env_vars),
        traceparent: c.get("traceparent"),
        tracestate: c.get("tracestate"),
      });
      return ack(run.id, run.status, null);
    } catch (e) {
      const message = e instanceof ParamsInvalidError
        ? `${e.message}:\n${formatValidationErrors(e.items)}`
        : (e as Error).message;
      return await fail(runId ?? null, message);
    }
  });

  // --- run resource ----------------------------------------------------------------------
  app.post("/runs", async (c) => {
    const body = parseWith(
      s.CreateRunBody,
      await readJson(c),
      "the request body",
    );
    const run = await manager.submit({
      workflow: body.workflow,
      params: body.params,
      id: body.id,
      execution_mode: body.execution_mode,
      mock_io: body.mock_io,
      invoker: body.invoker,
      timeout: body.timeout,
      env: s.envRecord(body.data_connections_env_vars),
      traceparent: c.get("traceparent"),
      tracestate: c.get("tracestate"),
    });
    c.header("Location", `/runs/${run.id}`);
    return c.json({ id: run.id, status: run.status }, 202);
  });
  app.get("/runs", (c) => {
    const q = query(c, s.ListRunsQuery);
    return c.json(deps.store.list({
      workflow: q.workflow,
      status: q.status,
      limit: q.limit ?? 50,
      cursor: q.cursor,
    }));
  });
  const runOf = (id: string) => {
    const run = deps.store.get(id);
    if (!run) {
      throw new NotFoundError(
        `no run '${id}' on this runner (GET /runs lists runs)`,
      );
    }
    return run;
  };
  app.get("/runs/:id", (c) => c.json(runOf(c.req.param("id"))));
  app.get("/runs/:id/result", (c) => {
    const run = runOf(c.req.param("id"));
    if (!isTerminalStatus(run.status)) {
      throw new ApiError(
        409,
        `run '${run.id}' is ${run.status}; its result exists once it has finished (poll GET /runs/${run.id})`,
      );
    }
    return c.json({
      id: run.id,
      status: run.status,
      result: run.result ?? null,
      error: run.error ?? null,
      trace: run.trace ?? null,
    });
  });
  app.get("/runs/:id/logs", async (c) => {
    const run = runOf(c.req.param("id"));
    const offset = query(c, s.LogsQuery).offset ?? 0;
    const { size, bytes } = await readFrom(
      join(deps.dataDir, "runs", run.id, "run.log"),
      offset,
    );
    c.header("X-Log-Size", String(size));
    c.header("X-Run-Status", run.status);
    return c.body(bytes, 200, { "Content-Type": "text/plain; charset=utf-8" });
  });
  app.post("/runs/:id/cancel", async (c) => {
    const run = runOf(c.req.param("id"));
    return c.json(await manager.cancel(run.id));
  });

  return {
    app,
    manager,
    recovered,
    close: () => manager.close(),
  };
}
