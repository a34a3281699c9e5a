/**
 * The run manager: accepts runs, keeps a FIFO queue bounded by a concurrency limit, launches
 * runs through an invoker, enforces timeouts, cancels, and records every state change in the
 * {@linkcode RunStore} before anyone is told about it.
 *
 * @module
 */
import * as v from "valibot";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import {
  type ExecutionMode,
  type InvokerKind,
  isTerminalStatus,
  type RunRecord,
  validateParams,
  WorkflowCLIArgs,
  WorkflowCLIEnv,
} from "@wt/contracts";
import {
  type Invoker,
  processStartTime,
  type RunHandle,
  stopProcessTree,
  type StopProcessTreeOutcome,
} from "@wt/invokers";
import type { RunOutcome, RunProcess, RunStore } from "./store.ts";
import type { WorkflowEntry, WorkflowRegistry } from "./workflows.ts";
import { writeFailureResult } from "./_results.ts";
import { ConflictError, NotFoundError, ParamsInvalidError } from "./errors.ts";

/** What an {@linkcode InvokerFactory} knows about the run it makes an invoker for. */
export interface InvokerContext {
  /** The invoker kind requested. */
  kind: InvokerKind;
  /** Run id. */
  run_id: string;
  /** The workflow to run. */
  workflow: WorkflowEntry;
  /** The run's folder under `--data/runs/`. */
  run_dir: string;
  /** Where the workflow's stdout and stderr go. */
  log_path: string;
  /** Timeout in milliseconds (`null`: none). The manager enforces it too. */
  timeout_ms: number | null;
}

/**
 * Makes one invoker per run (an invoker runs one workflow at a time). Give
 * {@linkcode createApp} your own to launch runs elsewhere (Cloud Batch) or differently.
 *
 * @example A factory of local invokers that also passes `NO_COLOR` on to workflows
 * ```ts
 * import { LocalInvoker } from "@wt/invokers";
 * import type { InvokerFactory } from "@wt/runner";
 *
 * const factory: InvokerFactory = {
 *   kinds: ["local"],
 *   create: (ctx) =>
 *     new LocalInvoker({
 *       workflowDir: ctx.workflow.dir,
 *       workflow: ctx.workflow.name,
 *       logFile: ctx.log_path,
 *       inheritEnv: ["PATH", "HOME", "DENO_DIR", "NO_COLOR"],
 *     }),
 * };
 * console.assert(factory.kinds.includes("local"));
 * ```
 */
export interface InvokerFactory {
  /** The invoker kinds this factory can make. */
  readonly kinds: readonly InvokerKind[];
  /**
   * Make an invoker for one run.
   *
   * @param ctx The run.
   * @returns An idle invoker.
   */
  create(ctx: InvokerContext): Invoker | Promise<Invoker>;
  /**
   * The results URL of a run of `kind` that gives none (for example `gs://bucket/runs/<id>`
   * for Cloud Batch, whose containers cannot write to the runner's disk). Absent, or
   * returning `undefined`: the run's local `results/` folder.
   *
   * @param kind The invoker kind of the run.
   * @param runId The run id.
   * @returns The results URL, or `undefined` for the default.
   */
  resultsUrl?(kind: InvokerKind, runId: string): string | undefined;
  /**
   * Kinds whose runs go on without the runner process (cloud jobs). At start, runs of these
   * kinds left `running` are re-attached through their invoker's `attach` (see
   * {@linkcode AttachableInvoker}) instead of being marked `interrupted`; at shutdown they
   * are left running (and recorded `running`) instead of being stopped.
   */
  readonly detachedKinds?: readonly InvokerKind[] | undefined;
}

/**
 * An invoker that can follow a run launched earlier, by another runner process: what the
 * kinds in {@linkcode InvokerFactory.detachedKinds} make. The handle's optional `detach()`
 * stops following the run without stopping it.
 *
 * @example
 * ```ts
 * import type { AttachableInvoker } from "@wt/runner";
 *
 * function canAttach(invoker: object): invoker is AttachableInvoker {
 *   return typeof (invoker as Partial<AttachableInvoker>).attach === "function";
 * }
 * console.assert(!canAttach({ kind: "local", run: () => Promise.reject() }));
 * ```
 */
export interface AttachableInvoker extends Invoker {
  /**
   * Follow the run with this id (`env.run_id`) that was launched earlier.
   *
   * @param args The run's arguments.
   * @param env The run's environment (results URL, run id).
   * @returns A handle on the run.
   */
  attach(
    args: WorkflowCLIArgs,
    env: WorkflowCLIEnv,
  ): Promise<RunHandle & { detach?(): void }>;
}

/** The trace context handed to a workflow process, and the end of the run's span. */
export interface RunSpan {
  /** `TRACEPARENT` for the workflow process (`null`: none). */
  traceparent: string | null;
  /** `TRACESTATE` for the workflow process (`null`: none). */
  tracestate: string | null;
  /**
   * Further variables for the workflow process that make it export its spans to the same
   * place (`WT_TRACE_FILE`, `OTEL_EXPORTER_OTLP_ENDPOINT`); they override same-named
   * variables of the request.
   */
  env?: Record<string, string> | undefined;
  /**
   * End the span.
   *
   * @param run The terminal run record.
   */
  end(run: RunRecord): void;
}

/** Starts a span per run; see `createTracing`. */
export interface RunTracer {
  /**
   * Start the span of a run.
   *
   * @param run The run (state `running`).
   * @param traceparent Trace context of the submitting request.
   * @param tracestate Trace state of the submitting request.
   * @returns The span.
   */
  startRun(
    run: RunRecord,
    traceparent: string | null,
    tracestate: string | null,
  ): RunSpan;
}

/** A run to submit. */
export interface SubmitRun {
  /** Release name of the workflow. */
  workflow: string;
  /** Workflow parameters (validated against `params.json`). */
  params: unknown;
  /** Run id; generated when absent. */
  id?: string | undefined;
  /** Execution mode (default `sequential`). */
  execution_mode?: ExecutionMode | undefined;
  /** Replace io tasks by canned data. */
  mock_io?: boolean | undefined;
  /** Invoker kind (default: the factory's first kind). */
  invoker?: InvokerKind | undefined;
  /** Timeout in seconds. */
  timeout?: number | undefined;
  /** Where `result.json` goes (default: `--data/runs/<id>/results`). */
  results_url?: string | undefined;
  /** Extra variables for the workflow process (data connections). */
  env?: Record<string, string> | undefined;
  /** Trace context of the submitting request. */
  traceparent?: string | undefined;
  /** Trace state of the submitting request. */
  tracestate?: string | undefined;
}

/** Options of {@linkcode RunManager}. */
export interface RunManagerOptions {
  /** The run store. */
  store: RunStore;
  /** The workflows. */
  workflows: WorkflowRegistry;
  /** Makes invokers. */
  invokers: InvokerFactory;
  /** Folder for per-run folders (`<dataDir>/runs/<id>/`). */
  dataDir: string;
  /** How many runs may be in flight at once (≥ 1). */
  concurrency: number;
  /** Span per run, when tracing is on. */
  tracer?: RunTracer | undefined;
  /** Timeout in seconds for runs that give none. */
  defaultTimeout?: number | undefined;
  /** Where launch problems are reported (default `console.error`). */
  log?: ((message: string) => void) | undefined;
}

/**
 * Thrown when a run asks for an invoker kind the runner has not configured (the API answers
 * 400).
 *
 * @example
 * ```ts
 * import { UnsupportedInvokerError } from "@wt/runner";
 *
 * const err = new UnsupportedInvokerError("cloud-batch", ["local"]);
 * console.assert(err.message.includes("use one of: local"));
 * ```
 */
export class UnsupportedInvokerError extends Error {
  /**
   * Create the error.
   *
   * @param kind The requested kind.
   * @param kinds The kinds available.
   */
  constructor(kind: string, kinds: readonly string[]) {
    super(
      `invoker '${kind}' is not configured on this runner; use one of: ${
        kinds.join(", ")
      }`,
    );
    this.name = "UnsupportedInvokerError";
  }
}

/**
 * Run ids become folder names: keep them to a safe alphabet.
 *
 * @example
 * ```ts
 * import { RUN_ID_PATTERN } from "@wt/runner";
 *
 * console.assert(RUN_ID_PATTERN.test("nightly-2026.11.28"));
 * console.assert(!RUN_ID_PATTERN.test("../etc"));
 * ```
 */
export const RUN_ID_PATTERN: RegExp = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

/** Above this size the parameters go to the workflow as a file rather than an argument. */
const INLINE_CONFIG_LIMIT = 64 * 1024;

type CancelReason = "cancelled" | "timeout" | "interrupted";

interface Slot {
  handle?: RunHandle & { detach?(): void };
  cancelReason?: CancelReason;
  /** Set by close() for runs of detached kinds: stop following, leave them running. */
  detach?: () => void;
  timer?: ReturnType<typeof setTimeout>;
  done: Promise<void>;
}

function nowIso(): string {
  return new Date().toISOString();
}

/**
 * Accepts, queues, launches, times out and cancels runs; every state change is committed to
 * the store first.
 *
 * @example Parameters are checked against `params.json` before anything is recorded
 * ```ts
 * import {
 *   localInvokerFactory,
 *   ParamsInvalidError,
 *   RunManager,
 *   RunStore,
 *   WorkflowRegistry,
 * } from "@wt/runner";
 *
 * const store = new RunStore(":memory:");
 * const manager = new RunManager({
 *   store,
 *   workflows: new WorkflowRegistry([{
 *     name: "wt-add-workflow", dir: "/srv/workflows/wt-add-workflow", version: "1.0.0",
 *     params: { type: "object", required: ["total"] }, rjsf: {},
 *   }]),
 *   invokers: localInvokerFactory(),
 *   dataDir: await Deno.makeTempDir(),
 *   concurrency: 2,
 * });
 * manager.start();
 * try {
 *   await manager.submit({ workflow: "wt-add-workflow", params: {} });
 * } catch (e) {
 *   console.assert(e instanceof ParamsInvalidError && e.items[0]?.validator === "required");
 * }
 * console.assert(store.list({ limit: 10 }).runs.length === 0);
 * // a valid submission is recorded `queued`, then launched:
 * // const run = await manager.submit({ workflow: "wt-add-workflow", params: { total: { a: 1, b: 2 } } });
 * // console.log((await manager.wait(run.id)).result);
 * await manager.close();
 * store.close();
 * ```
 */
export class RunManager {
  #o: RunManagerOptions;
  #queue: string[] = [];
  #active = new Map<string, Slot>();
  #waiters = new Map<string, Array<(r: RunRecord) => void>>();
  #closed = false;
  #started = false;
  /**
   * Processes left by a previous runner process stopped, and failure `result.json` files
   * written for the runs it interrupted.
   */
  #recovery: Promise<void> = Promise.resolve();
  /** While processes left by a previous runner are being stopped, nothing is launched. */
  #stoppingOrphans = false;

  /**
   * Create a manager; call {@linkcode RunManager.start} to recover and start launching.
   *
   * @param options Store, workflows, invokers, data folder and concurrency.
   */
  constructor(options: RunManagerOptions) {
    if (!Number.isInteger(options.concurrency) || options.concurrency < 1) {
      throw new RangeError(
        `concurrency must be an integer ≥ 1, got ${options.concurrency}`,
      );
    }
    if (options.invokers.kinds.length === 0) {
      throw new RangeError("the invoker factory offers no invoker kind");
    }
    this.#o = options;
  }

  /** The invoker kinds runs may ask for. */
  get invokerKinds(): readonly InvokerKind[] {
    return this.#o.invokers.kinds;
  }

  /**
   * Recover after a restart: runs left `running` by a crash become `failed` (reason
   * `interrupted`) and get a failure `result.json` in their results folder (unless one
   * exists), except runs of the factory's `detachedKinds`, which are re-attached; queued
   * runs are queued again in their original order. Then start launching.
   *
   * A local run whose recorded process is still alive (same pid and start time, see
   * `RunStore.recordProcess`) outlived a killed runner: its process tree is stopped
   * (SIGTERM, then SIGKILL) before the run is recorded `interrupted`, and its `result.json`
   * then says so; nothing new is launched until that is done. Await
   * {@linkcode RunManager.recovery} to know when.
   *
   * @returns The ids interrupted (including those whose processes are being stopped),
   *   re-queued and re-attached.
   */
  start(): { interrupted: string[]; requeued: string[]; reattached: string[] } {
    if (this.#started) throw new Error("RunManager.start() called twice");
    this.#started = true;
    const detached = this.#o.invokers.detachedKinds ?? [];
    const reattached = detached.length > 0
      ? this.#o.store.runningIds(detached)
      : [];
    // Runs with a recorded process: a killed runner may have left it behind. It is
    // stopped if the pid still names it (same start time), then the run is marked.
    const orphans = this.#o.store.runningProcesses().filter((p) =>
      !reattached.includes(p.id)
    );
    const interrupted = this.#o.store.interruptRunning(
      nowIso(),
      detached,
      orphans.map((o) => o.id),
    );
    // Whoever waits on the results folder (a Pub/Sub publisher, a script polling
    // result.json) learns that these runs ended; a result.json already there is kept.
    this.#recovery = Promise.all([
      ...interrupted.map(async (id) => {
        const rec = this.#o.store.get(id);
        if (rec) await this.#recordFailure(rec);
      }),
      ...orphans.map((o) => this.#stopOrphan(o)),
    ]).then(() => {});
    if (orphans.length > 0) {
      this.#stoppingOrphans = true;
      void this.#recovery.finally(() => {
        this.#stoppingOrphans = false;
        this.#pump();
      });
    }
    for (const id of reattached) {
      const rec = this.#o.store.get(id);
      if (rec) this.#launch(rec, true);
    }
    const requeued = this.#o.store.queuedIds();
    this.#queue.push(...requeued);
    this.#pump();
    return {
      interrupted: [...interrupted, ...orphans.map((o) => o.id)],
      requeued,
      reattached,
    };
  }

  /**
   * Settles once the recovery begun by {@linkcode RunManager.start} is done: processes a
   * killed runner left behind are stopped, their runs recorded `interrupted`, failure
   * `result.json` files written. Never rejects (problems are logged).
   */
  get recovery(): Promise<void> {
    return this.#recovery;
  }

  async #stopOrphan(o: RunProcess): Promise<void> {
    let outcome: StopProcessTreeOutcome | undefined;
    try {
      outcome = o.pid > 1 && o.pid !== Deno.pid
        ? await stopProcessTree(o.pid, o.start_time)
        : "not_running";
    } catch (e) {
      this.#log(`run ${o.id}: could not stop its process ${o.pid}: ${e}`);
    }
    const what = `its workflow process (pid ${o.pid})`;
    const fate = outcome === "stopped"
      ? `${what} and everything it started were stopped when the runner restarted`
      : outcome === "survived" || outcome === undefined
      ? `${what} could not be stopped when the runner restarted; check it with ps -o pid,stat,cmd -g ${o.pid}`
      : `${what} had ended before the runner restarted`;
    const error =
      `the runner stopped while this run was in flight; ${fate}; submit it again`;
    if (outcome !== "not_running" && outcome !== "pid_reused") {
      this.#log(`run ${o.id}: ${fate}`);
    }
    let done: RunRecord | undefined;
    try {
      done = this.#o.store.finish(o.id, {
        status: "failed",
        finished_at: nowIso(),
        reason: "interrupted",
        error,
      });
    } catch (e) {
      this.#log(`run ${o.id}: could not record its end: ${e}`);
      return;
    }
    if (!done) return; // cancelled meanwhile
    // Signalled processes may have left a partial result.json: this one says what happened.
    await this.#recordFailure(
      done,
      outcome === "stopped" || outcome === "survived",
    );
    this.#notify(done);
  }

  /** Record the process of a local run, so that a restarted runner can stop it. */
  async #recordProcess(id: string, handle: RunHandle): Promise<void> {
    const pid = (handle as { pid?: unknown }).pid;
    if (typeof pid !== "number" || !Number.isInteger(pid) || pid <= 1) return;
    try {
      const start = await processStartTime(pid);
      if (start !== undefined) this.#o.store.recordProcess(id, pid, start);
    } catch (e) {
      this.#log(`run ${id}: could not record its process ${pid}: ${e}`);
    }
  }

  /** Runs in flight and queued. */
  get counts(): { running: number; queued: number } {
    return { running: this.#active.size, queued: this.#queue.length };
  }

  /**
   * Check a submission without recording it: the workflow exists, the parameters match its
   * `params.json`, the invoker kind is configured and the id is free.
   *
   * @param req The submission.
   * @returns The workflow.
   * @throws {NotFoundError} Unknown workflow.
   * @throws {ParamsInvalidError} Parameters do not match.
   * @throws {UnsupportedInvokerError} Invoker kind not configured.
   * @throws {ConflictError} Run id taken.
   * @throws {RangeError} Malformed run id or timeout.
   */
  check(req: SubmitRun): WorkflowEntry {
    const wf = this.#o.workflows.get(req.workflow);
    const kind = req.invoker ?? this.#o.invokers.kinds[0]!;
    if (!this.#o.invokers.kinds.includes(kind)) {
      throw new UnsupportedInvokerError(kind, this.#o.invokers.kinds);
    }
    if (req.id !== undefined) {
      if (!RUN_ID_PATTERN.test(req.id)) {
        throw new RangeError(
          `run id '${req.id}' must match ${RUN_ID_PATTERN.source} (it names a folder)`,
        );
      }
      if (this.#o.store.get(req.id)) {
        throw new ConflictError(
          `run '${req.id}' exists already; choose another id or omit it`,
        );
      }
    }
    if (
      req.timeout !== undefined &&
      !(Number.isFinite(req.timeout) && req.timeout > 0)
    ) {
      throw new RangeError(
        `timeout must be a positive number of seconds, got ${req.timeout}`,
      );
    }
    const items = validateParams(req.params, wf.params);
    if (items.length) throw new ParamsInvalidError(wf.name, items);
    return wf;
  }

  /**
   * Validate and record a run (state `queued`, committed), then start it if a slot is free.
   *
   * @param req The submission.
   * @returns The record as stored (`queued`, or `running` if it started at once).
   * @throws See {@linkcode RunManager.check}.
   */
  async submit(req: SubmitRun): Promise<RunRecord> {
    if (this.#closed) throw new Error("the run manager is shut down");
    const wf = this.check(req);
    const id = req.id ?? crypto.randomUUID();
    // The run folder is created when the run starts (#execute): creating it here cost a
    // tenth of the CPU of POST /runs under load.
    const runDir = join(this.#o.dataDir, "runs", id);
    const timeout = req.timeout ?? this.#o.defaultTimeout;
    let rec: RunRecord;
    try {
      rec = await this.#insert(req, wf, id, runDir, timeout);
    } catch (e) {
      if (/UNIQUE/.test(String((e as Error).message))) {
        throw new ConflictError(
          `run '${id}' exists already; choose another id or omit it`,
        );
      }
      throw e;
    }
    this.#queue.push(id);
    this.#pump();
    // Read it again only when it started at once (its state changed).
    return this.#active.has(id) ? this.#o.store.get(id) ?? rec : rec;
  }

  #insert(
    req: SubmitRun,
    wf: WorkflowEntry,
    id: string,
    runDir: string,
    timeout: number | undefined,
  ): Promise<RunRecord> {
    const kind = req.invoker ?? this.#o.invokers.kinds[0]!;
    return this.#o.store.insertBatched({
      id,
      workflow: wf.name,
      invoker: kind,
      execution_mode: req.execution_mode ?? "sequential",
      mock_io: req.mock_io ?? false,
      params: req.params,
      results_url: req.results_url ??
        this.#o.invokers.resultsUrl?.(kind, id) ??
        pathToFileURL(join(runDir, "results")).href,
      created_at: nowIso(),
      launch: {
        timeout_s: timeout ?? null,
        traceparent: req.traceparent ?? null,
        tracestate: req.tracestate ?? null,
        env: req.env ?? {},
      },
    });
  }

  /**
   * Wait for a run to reach a terminal state.
   *
   * @param id Run id.
   * @returns The terminal record.
   * @throws {NotFoundError} Unknown run.
   */
  wait(id: string): Promise<RunRecord> {
    const rec = this.#o.store.get(id);
    if (!rec) return Promise.reject(new NotFoundError(`no run '${id}'`));
    if (isTerminalStatus(rec.status)) return Promise.resolve(rec);
    return new Promise((resolve) => {
      const list = this.#waiters.get(id) ?? [];
      list.push(resolve);
      this.#waiters.set(id, list);
    });
  }

  /**
   * Cancel a run: a queued run leaves the queue, a running one is stopped (process tree
   * killed, job deleted). Resolves once the run is terminal (at most `graceMs` later).
   *
   * @param id Run id.
   * @param graceMs How long to wait for a running run to stop.
   * @returns The record after cancelling.
   * @throws {NotFoundError} Unknown run.
   * @throws {ConflictError} The run is terminal already.
   */
  async cancel(id: string, graceMs = 10_000): Promise<RunRecord> {
    const rec = this.#o.store.get(id);
    if (!rec) throw new NotFoundError(`no run '${id}' (GET /runs lists runs)`);
    if (isTerminalStatus(rec.status)) {
      throw new ConflictError(
        `run '${id}' is ${rec.status} already; only queued or running runs can be cancelled`,
      );
    }
    const slot = this.#active.get(id);
    if (!slot) {
      const i = this.#queue.indexOf(id);
      if (i >= 0) this.#queue.splice(i, 1);
      const done = this.#o.store.finish(id, {
        status: "cancelled",
        finished_at: nowIso(),
        reason: "cancelled",
      });
      if (done) {
        await this.#recordFailure(done);
        this.#notify(done);
      }
      return this.#o.store.get(id)!;
    }
    slot.cancelReason ??= "cancelled";
    await slot.handle?.cancel();
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      slot.done,
      new Promise<void>((r) => timer = setTimeout(r, graceMs)),
    ]);
    clearTimeout(timer);
    return this.#o.store.get(id)!;
  }

  /**
   * Stop: launch nothing more, stop runs in flight (recorded `failed`, reason
   * `interrupted`) except runs of detached kinds (cloud jobs), which are left running and
   * re-attached at the next start; queued runs stay queued for the next start.
   */
  async close(): Promise<void> {
    this.#closed = true;
    const slots = [...this.#active.values()];
    for (const slot of slots) {
      if (slot.detach) {
        slot.detach();
        continue;
      }
      slot.cancelReason ??= "interrupted";
      await slot.handle?.cancel().catch(() => {});
    }
    await Promise.all(slots.map((s) => s.done));
    await this.#recovery;
  }

  #notify(rec: RunRecord): void {
    const list = this.#waiters.get(rec.id);
    this.#waiters.delete(rec.id);
    for (const resolve of list ?? []) resolve(rec);
  }

  #pump(): void {
    while (
      !this.#closed && this.#started && !this.#stoppingOrphans &&
      this.#active.size < this.#o.concurrency && this.#queue.length > 0
    ) {
      const id = this.#queue.shift()!;
      const rec = this.#o.store.markRunning(id, nowIso());
      if (!rec) continue;
      this.#launch(rec, false);
    }
  }

  #launch(rec: RunRecord, attach: boolean): void {
    let finish!: () => void;
    const slot: Slot = { done: new Promise<void>((r) => finish = r) };
    this.#active.set(rec.id, slot);
    this.#execute(rec, slot, attach).finally(finish);
  }

  async #execute(
    rec: RunRecord,
    slot: Slot,
    attach = false,
  ): Promise<void> {
    const runDir = join(this.#o.dataDir, "runs", rec.id);
    const logPath = join(runDir, "run.log");
    const info = this.#o.store.launchInfo(rec.id)!;
    let span: RunSpan | undefined;
    let outcome: RunOutcome;
    const detachable = (this.#o.invokers.detachedKinds ?? []).includes(
      rec.invoker,
    );
    let detached = false;
    const detach = new Promise<undefined>((resolve) => {
      if (detachable) {
        slot.detach = () => {
          detached = true;
          resolve(undefined);
        };
      }
    });
    try {
      // A re-attached run keeps the trace context it was launched with; no second span.
      if (!attach) {
        span = this.#o.tracer?.startRun(
          rec,
          info.traceparent,
          info.tracestate,
        );
      }
      const traceparent = span ? span.traceparent : info.traceparent;
      const tracestate = span ? span.tracestate : info.tracestate;
      const wf = this.#o.workflows.get(rec.workflow);
      await Deno.mkdir(join(runDir, "results"), { recursive: true });
      let timeoutMs = info.timeout_s === null
        ? null
        : Math.round(info.timeout_s * 1000);
      const invoker = await this.#o.invokers.create({
        kind: rec.invoker,
        run_id: rec.id,
        workflow: wf,
        run_dir: runDir,
        log_path: logPath,
        timeout_ms: timeoutMs,
      });
      const configJson = JSON.stringify(rec.params ?? {});
      let config: { config_json: string } | { config_file: string } = {
        config_json: configJson,
      };
      if (configJson.length > INLINE_CONFIG_LIMIT && rec.invoker === "local") {
        const file = join(runDir, "config.json");
        await Deno.writeTextFile(file, configJson);
        config = { config_file: file };
      }
      const args = v.parse(WorkflowCLIArgs, {
        ...config,
        execution_mode: rec.execution_mode,
        mock_io: rec.mock_io,
      });
      const env = v.parse(WorkflowCLIEnv, {
        results_url: rec.results_url ??
          pathToFileURL(join(runDir, "results")).href,
        run_id: rec.id,
        ...(traceparent ? { traceparent } : {}),
        ...(tracestate ? { tracestate } : {}),
        extra: { ...info.env, ...span?.env },
      });
      if (slot.cancelReason) throw new Error("cancelled before launch");
      let handle: RunHandle & { detach?(): void };
      if (attach) {
        const attachable = invoker as Partial<AttachableInvoker>;
        if (typeof attachable.attach !== "function") {
          throw new Error(
            `the '${rec.invoker}' invoker cannot re-attach to a run`,
          );
        }
        handle = await attachable.attach(args, env);
        // The timeout counts from the original start.
        if (timeoutMs !== null && rec.started_at) {
          timeoutMs = Math.max(
            0,
            timeoutMs - (Date.now() - Date.parse(rec.started_at)),
          );
        }
      } else {
        handle = await invoker.run(args, env);
        if (!detachable) await this.#recordProcess(rec.id, handle);
      }
      slot.handle = handle;
      if (slot.cancelReason) await handle.cancel();
      if (timeoutMs !== null) {
        slot.timer = setTimeout(() => {
          slot.cancelReason ??= "timeout";
          handle.cancel().catch((e) =>
            this.#log(`run ${rec.id}: cancel after timeout failed: ${e}`)
          );
        }, timeoutMs);
      }
      const final = await Promise.race([handle.wait(), detach]);
      if (final === undefined) {
        // close(): the run goes on without us; it stays `running` in the store.
        handle.detach?.();
        return;
      }
      outcome = this.#outcome(final, slot, info.timeout_s);
    } catch (e) {
      if (detached) return;
      outcome = slot.cancelReason
        ? this.#outcome(undefined, slot, info.timeout_s)
        : {
          status: "failed",
          finished_at: nowIso(),
          error: attach
            ? `could not re-attach to the run after a restart: ${
              (e as Error).message ?? e
            }`
            : `could not launch the run: ${(e as Error).message ?? e}`,
          reason: attach ? "interrupted" : "launch_failed",
        };
      if (!slot.cancelReason) {
        this.#log(`run ${rec.id}: ${outcome.error}`);
        await Deno.writeTextFile(logPath, `${outcome.error}\n`, {
          append: true,
        }).catch(() => {});
      }
    } finally {
      clearTimeout(slot.timer);
      if (detached) this.#active.delete(rec.id);
    }
    this.#active.delete(rec.id);
    let done: RunRecord;
    try {
      done = this.#o.store.finish(rec.id, outcome) ??
        this.#o.store.get(rec.id)!;
    } catch (e) {
      // The store is gone (shutting down): the run stays `running` on disk and is marked
      // `interrupted` at the next start. Nothing else can be recorded.
      this.#log(`run ${rec.id}: could not record its end: ${e}`);
      return;
    }
    await this.#recordFailure(done);
    try {
      span?.end(done);
    } catch (e) {
      this.#log(`run ${rec.id}: ending its span failed: ${e}`);
    }
    this.#notify(done);
    this.#pump();
  }

  #outcome(
    final: RunRecord | undefined,
    slot: Slot,
    timeoutS: number | null,
  ): RunOutcome {
    const base: RunOutcome = {
      status: "failed",
      finished_at: nowIso(),
      exit_code: final?.exit_code ?? null,
      result: final?.result ?? null,
      error: final?.error ?? null,
      trace: final?.trace ?? null,
      reason: final?.reason ?? null,
    };
    switch (slot.cancelReason) {
      case "cancelled":
        return { ...base, status: "cancelled", reason: "cancelled" };
      case "timeout":
        return {
          ...base,
          reason: "timeout",
          error:
            `the run exceeded its timeout of ${timeoutS} s and was stopped`,
        };
      case "interrupted":
        return {
          ...base,
          reason: "interrupted",
          error:
            "the runner shut down while this run was in flight; submit it again",
        };
    }
    if (!final) return base;
    if (isTerminalStatus(final.status)) {
      return { ...base, status: final.status as RunOutcome["status"] };
    }
    return {
      ...base,
      error:
        `the invoker reported non-terminal status '${final.status}' after the run ended`,
    };
  }

  /**
   * A run that did not succeed always leaves a `result.json` that says why (replacing one
   * that is there only when `overwrite`).
   */
  async #recordFailure(run: RunRecord, overwrite = false): Promise<void> {
    if (run.status === "succeeded" || !run.results_url) return;
    await writeFailureResult(
      run.results_url,
      run.error ?? `run ${run.status} (${run.reason ?? "no reason given"})`,
      (m) => this.#log(`run ${run.id}: ${m}`),
      overwrite,
    );
  }

  #log(message: string): void {
    (this.#o.log ?? console.error)(message);
  }
}
