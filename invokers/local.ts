/**
 * `LocalInvoker`: run a compiled workflow workspace's CLI as a local subprocess.
 *
 * @module
 */
import { basename, isAbsolute, resolve } from "node:path";
import {
  type RunRecord,
  type RunStatus,
  type WorkflowCLIArgs,
  workflowCliArgv,
  type WorkflowCLIEnv,
  workflowCliEnv,
} from "@wt/contracts";
import type { Invoker, RunHandle } from "./invoker.ts";
import { InvokerError } from "./errors.ts";
import { readResult, resultLocation } from "./results.ts";
import { descendants, signalAll } from "./_process_tree.ts";
import { RunSlot } from "./_run_slot.ts";
import { validatedRequest } from "./_request.ts";

/**
 * Variables copied from the invoker's own environment into the workflow process (when set),
 * because `deno` itself needs them: `PATH` (to find `deno` and tools), `HOME` and
 * `XDG_CACHE_HOME` (default module cache location), `DENO_DIR` (explicit module cache),
 * `TMPDIR` (temporary files), `NO_COLOR` (plain logs). Everything else is cleared; pass
 * further variables through `WorkflowCLIEnv.extra` or {@linkcode LocalInvokerOptions.inheritEnv}.
 *
 * @example
 * ```ts
 * import { DEFAULT_INHERITED_ENV, LocalInvoker } from "@wt/invokers";
 *
 * console.assert(DEFAULT_INHERITED_ENV.includes("PATH"));
 * // Also pass the proxy settings through to the workflow:
 * const invoker = new LocalInvoker({
 *   workflowDir: "./wt-add-workflow",
 *   inheritEnv: [...DEFAULT_INHERITED_ENV, "HTTPS_PROXY"],
 * });
 * console.assert(invoker.kind === "local");
 * ```
 */
export const DEFAULT_INHERITED_ENV: readonly string[] = [
  "PATH",
  "HOME",
  "XDG_CACHE_HOME",
  "DENO_DIR",
  "TMPDIR",
  "NO_COLOR",
];

/**
 * Options of {@linkcode LocalInvoker}.
 *
 * @example
 * ```ts
 * import { LocalInvoker, type LocalInvokerOptions } from "@wt/invokers";
 *
 * const options: LocalInvokerOptions = {
 *   workflowDir: "./wt-add-workflow",
 *   logDir: "./logs",
 *   timeoutMs: 10 * 60_000,
 *   killGraceMs: 5_000,
 * };
 * console.assert(new LocalInvoker(options).current === undefined);
 * ```
 */
export interface LocalInvokerOptions {
  /** Folder of a compiled workflow workspace (its `deno.json` has a `workflow` task). */
  workflowDir: string;
  /** Workflow name for run records; defaults to the folder's base name (the release name). */
  workflow?: string | undefined;
  /** Write each run's output to this exact file (truncated at each run). */
  logFile?: string | undefined;
  /** Write each run's output to `<logDir>/<run id>.log` (created when missing). */
  logDir?: string | undefined;
  /** Kill the run (and everything it started) after this many milliseconds. */
  timeoutMs?: number | undefined;
  /** Time between SIGTERM and SIGKILL when stopping a run; default 2000 ms. */
  killGraceMs?: number | undefined;
  /** The `deno` executable; defaults to `Deno.execPath()`. */
  denoPath?: string | undefined;
  /** Names of variables copied from this process; default {@linkcode DEFAULT_INHERITED_ENV}. */
  inheritEnv?: readonly string[] | undefined;
}

/**
 * Runs a compiled workflow as `deno task --cwd <workflowDir> workflow run …` in a subprocess
 * of its own process group: argument array (no shell), a cleared environment holding only
 * the run's variables ({@linkcode workflowCliEnv}) and {@linkcode DEFAULT_INHERITED_ENV},
 * stdout and stderr streamed into a log file, a timeout and `cancel()` that stop the process
 * and everything it started (SIGTERM, then SIGKILL after a grace period), and a
 * {@linkcode RunRecord} built from the exit code and `result.json`.
 *
 * One instance runs one workflow at a time (a second `run()` while busy throws
 * `InvokerError` `busy`); use several instances for concurrent runs. Needs `--allow-run`
 * (deno), `--allow-read`/`--allow-write` (log file, `file://` results folder) and
 * `--allow-env` (inherited variables).
 *
 * A `file://` results folder is created before launch and a stale `result.json` in it is
 * removed, so that a run never reports an earlier run's result.
 *
 * @example Run a compiled workflow and wait for its result
 * ```ts ignore
 * import { LocalInvoker } from "@wt/invokers";
 *
 * const invoker = new LocalInvoker({
 *   workflowDir: "./wt-add-workflow",
 *   logDir: "./logs",
 *   timeoutMs: 60_000,
 * });
 * const run = await invoker.run(
 *   { config_json: '{"total":{"a":1,"b":2}}', execution_mode: "sequential", mock_io: false },
 *   { results_url: "file:///tmp/wt-runs/r1", results_env_var: "WT_RESULTS", extra: {} },
 * );
 * const record = await run.wait();
 * console.log(record.status, record.result); // "succeeded" 3
 * ```
 */
export class LocalInvoker implements Invoker {
  /** Always `"local"`. */
  readonly kind: "local" = "local";
  readonly #options: LocalInvokerOptions;
  readonly #slot: RunSlot<LocalRunHandle>;

  /**
   * Create an invoker for one compiled workflow workspace.
   *
   * @param options Where the workflow is, where logs go, timeout and kill grace.
   * @throws {InvokerError} `invalid` when `workflowDir` is empty or the timeout is not positive.
   */
  constructor(options: LocalInvokerOptions) {
    if (!options.workflowDir) {
      throw new InvokerError(
        "invalid",
        "LocalInvoker needs workflowDir: the folder of a compiled workflow workspace",
      );
    }
    for (const key of ["timeoutMs", "killGraceMs"] as const) {
      const value = options[key];
      if (value !== undefined && !(value > 0 && Number.isFinite(value))) {
        throw new InvokerError(
          "invalid",
          `LocalInvoker option ${key} must be a positive number of milliseconds, got ${value}`,
        );
      }
    }
    this.#options = { ...options, workflowDir: resolve(options.workflowDir) };
    this.#slot = new RunSlot("LocalInvoker", this.#options.workflowDir);
  }

  /** The run in flight or the last run, if any. */
  get current(): LocalRunHandle | undefined {
    return this.#slot.current;
  }

  /**
   * Start one run.
   *
   * @param args The workflow CLI's `run` arguments; a relative `config_file` is resolved
   *   against this process's working directory.
   * @param env Results URL, run id (generated when absent), trace context, log level, extras.
   * @returns The handle of the started run.
   * @throws {InvokerError} `busy` while a previous run is in flight; `invalid` for bad
   *   arguments; `launch` when the process cannot be started.
   *
   * @example
   * ```ts ignore
   * import { LocalInvoker } from "@wt/invokers";
   *
   * const run = await new LocalInvoker({ workflowDir: "./wt-add-workflow" }).run(
   *   { config_json: "{}", execution_mode: "parallel", mock_io: true },
   *   { results_url: "file:///tmp/r2", results_env_var: "WT_RESULTS", extra: {} },
   * );
   * console.log(run.id, await run.status()); // "<uuid>" "running"
   * ```
   */
  async run(
    args: WorkflowCLIArgs,
    env: WorkflowCLIEnv,
  ): Promise<LocalRunHandle> {
    return await this.#slot.fill(() => this.#launch(args, env));
  }

  async #launch(
    rawArgs: WorkflowCLIArgs,
    rawEnv: WorkflowCLIEnv,
  ): Promise<LocalRunHandle> {
    const { args: checked, env } = validatedRequest(rawArgs, rawEnv);
    const args = { ...checked };
    if (args.config_file !== undefined && !isAbsolute(args.config_file)) {
      args.config_file = resolve(args.config_file);
    }
    const id = env.run_id;
    const opts = this.#options;
    const createdAt = new Date().toISOString();

    if (!await hasDenoConfig(opts.workflowDir)) {
      throw new InvokerError(
        "launch",
        `${opts.workflowDir} is not a compiled workflow workspace (no deno.json): ` +
          `compile the spec with wt-compiler and pass its output folder as workflowDir`,
      );
    }

    // Results folder: create it, drop a stale result.json.
    const loc = resultLocation(env.results_url);
    if (loc.kind === "file") {
      const dir = loc.path.slice(0, loc.path.lastIndexOf("/"));
      try {
        await Deno.mkdir(dir, { recursive: true });
        await Deno.remove(loc.path).catch((e) => {
          if (!(e instanceof Deno.errors.NotFound)) throw e;
        });
      } catch (cause) {
        throw new InvokerError(
          "launch",
          `cannot prepare results folder ${dir}: ${(cause as Error).message}`,
          { cause },
        );
      }
    }

    const safeId = id.replace(/[^A-Za-z0-9._-]/g, "_");
    let logFile = opts.logFile !== undefined
      ? resolve(opts.logFile)
      : opts.logDir !== undefined
      ? resolve(opts.logDir, `${safeId}.log`)
      : "(a temporary file)";
    let log: Deno.FsFile;
    try {
      if (opts.logFile === undefined && opts.logDir !== undefined) {
        await Deno.mkdir(opts.logDir, { recursive: true });
      } else if (opts.logFile === undefined) {
        logFile = await Deno.makeTempFile({
          prefix: `wt-run-${safeId}-`,
          suffix: ".log",
        });
      }
      log = await Deno.open(logFile, {
        write: true,
        create: true,
        truncate: true,
      });
    } catch (cause) {
      throw new InvokerError(
        "launch",
        `cannot open log file ${logFile}: ${(cause as Error).message}`,
        { cause },
      );
    }

    const childEnv: Record<string, string> = {};
    for (const name of opts.inheritEnv ?? DEFAULT_INHERITED_ENV) {
      let value: string | undefined;
      try {
        value = Deno.env.get(name);
      } catch {
        value = undefined; // not permitted (--allow-env without this name): not inherited
      }
      if (value !== undefined) childEnv[name] = value;
    }
    Object.assign(childEnv, workflowCliEnv(env));

    const program = opts.denoPath ?? Deno.execPath();
    const argv = [
      "task",
      "--cwd",
      opts.workflowDir,
      "workflow",
      ...workflowCliArgv(args),
    ];
    let child: Deno.ChildProcess;
    try {
      child = new Deno.Command(program, {
        args: argv,
        cwd: opts.workflowDir,
        env: childEnv,
        clearEnv: true,
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
        detached: true,
      }).spawn();
    } catch (cause) {
      log.close();
      throw new InvokerError(
        "launch",
        `cannot start ${program} in ${opts.workflowDir}: ${
          (cause as Error).message
        } (check denoPath and --allow-run)`,
        { cause },
      );
    }
    return new LocalRunHandle({
      id,
      workflow: opts.workflow ?? basename(opts.workflowDir),
      args,
      env,
      child,
      log,
      logFile,
      createdAt,
      timeoutMs: opts.timeoutMs,
      killGraceMs: opts.killGraceMs ?? 2000,
    });
  }
}

async function hasDenoConfig(dir: string): Promise<boolean> {
  for (const name of ["deno.json", "deno.jsonc"]) {
    try {
      if ((await Deno.stat(`${dir}/${name}`)).isFile) return true;
    } catch {
      // try the next name
    }
  }
  return false;
}

interface HandleInit {
  id: string;
  workflow: string;
  args: WorkflowCLIArgs;
  env: WorkflowCLIEnv;
  child: Deno.ChildProcess;
  log: Deno.FsFile;
  logFile: string;
  createdAt: string;
  timeoutMs: number | undefined;
  killGraceMs: number;
}

const LOG_TAIL_BYTES = 2000;
const KILL_WAIT_MS = 10_000;
const DRAIN_MS = 1000;

/**
 * A run started by {@linkcode LocalInvoker}. Besides the {@linkcode RunHandle} methods it
 * exposes the process id and the log file.
 *
 * @example
 * ```ts ignore
 * import { LocalInvoker } from "@wt/invokers";
 *
 * const run = await new LocalInvoker({ workflowDir: "./wt-add-workflow" }).run(
 *   { config_json: "{}", execution_mode: "sequential", mock_io: false },
 *   { results_url: "file:///tmp/r3", results_env_var: "WT_RESULTS", extra: {} },
 * );
 * console.log(run.pid, run.logFile);
 * await run.cancel();
 * console.log((await run.wait()).status); // "cancelled"
 * ```
 */
export class LocalRunHandle implements RunHandle {
  /** The run id (`WT_RUN_ID` of the process). */
  readonly id: string;
  /** Process id of the `deno task` process (leader of the run's process group). */
  readonly pid: number;
  /** The file holding the run's stdout and stderr. */
  readonly logFile: string;
  readonly #init: HandleInit;
  readonly #startedAt: string;
  #status: RunStatus = "running";
  #stopReason: "timeout" | "cancelled" | undefined;
  #exited = false;
  #stopping: Promise<void> | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  readonly #done: Promise<RunRecord>;

  /** @ignore Created by {@linkcode LocalInvoker.run}. */
  constructor(init: HandleInit) {
    this.#init = init;
    this.id = init.id;
    this.pid = init.child.pid;
    this.logFile = init.logFile;
    this.#startedAt = new Date().toISOString();
    if (init.timeoutMs !== undefined) {
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        this.#stop("timeout").catch((e) => this.#appendNote(String(e)));
      }, init.timeoutMs);
    }
    this.#done = this.#follow();
  }

  /** Whether the run has reached a terminal state. */
  get done(): boolean {
    return this.#status !== "running";
  }

  /**
   * The current state: `running` until the process ends, then the terminal state.
   *
   * @returns The run's status.
   */
  status(): Promise<RunStatus> {
    return Promise.resolve(this.#status);
  }

  /**
   * Wait for the run to end (the same record on every call).
   *
   * @returns The run record with exit code, result or error, and `reason` for timeouts and
   *   cancellations.
   */
  wait(): Promise<RunRecord> {
    return this.#done;
  }

  /**
   * Stop the run and everything it started (SIGTERM, then SIGKILL after the grace
   * period); resolves once the process has exited. Idempotent; a no-op after the run has
   * ended.
   *
   * @throws {InvokerError} `timeout` when the process does not exit even after SIGKILL.
   */
  async cancel(): Promise<void> {
    if (this.done) return;
    await this.#stop("cancelled");
    await this.#done.catch(() => {});
  }

  #stop(reason: "timeout" | "cancelled"): Promise<void> {
    if (this.#stopping) return this.#stopping;
    if (this.#exited) return Promise.resolve();
    this.#stopReason = reason;
    this.#stopping = (async () => {
      const pid = this.pid;
      const tree = await descendants(pid);
      const grace = this.#init.killGraceMs;
      this.#appendNote(
        `${
          reason === "timeout" ? "timed out" : "cancelled"
        }: stopping pid ${pid}` +
          (tree.length ? ` and descendants ${tree.join(", ")}` : ""),
      );
      signalAll(pid, tree, "SIGTERM");
      const exited = await settlesWithin(this.#init.child.status, grace);
      // Whatever survived SIGTERM (or was started meanwhile) gets SIGKILL.
      const late = exited ? [] : await descendants(pid);
      signalAll(pid, [...tree, ...late], "SIGKILL");
      const died = await settlesWithin(this.#init.child.status, KILL_WAIT_MS);
      if (!died) {
        throw new InvokerError(
          "timeout",
          `run ${this.id}: process ${pid} did not exit within ${KILL_WAIT_MS} ms ` +
            `of SIGKILL (uninterruptible I/O?); check it with ps -o stat ${pid}`,
        );
      }
    })();
    return this.#stopping;
  }

  #logChain: Promise<void> = Promise.resolve();

  #write(bytes: Uint8Array): Promise<void> {
    const log = this.#init.log;
    this.#logChain = this.#logChain.then(async () => {
      let off = 0;
      while (off < bytes.length) off += await log.write(bytes.subarray(off));
    }).catch(() => {});
    return this.#logChain;
  }

  #appendNote(text: string): void {
    void this.#write(
      new TextEncoder().encode(`[wt] ${new Date().toISOString()} ${text}\n`),
    );
  }

  readonly #readers: ReadableStreamDefaultReader<Uint8Array>[] = [];

  async #pump(stream: ReadableStream<Uint8Array>): Promise<void> {
    const reader = stream.getReader();
    this.#readers.push(reader);
    while (true) {
      const { done, value } = await reader.read();
      if (done) return;
      await this.#write(value);
    }
  }

  async #follow(): Promise<RunRecord> {
    const { child, args, env } = this.#init;
    this.#appendNote(
      `run ${this.id}: deno task workflow ${
        workflowCliArgv(args).map((a) => JSON.stringify(a)).join(" ")
      }`,
    );
    const pumps = Promise.all([
      this.#pump(child.stdout),
      this.#pump(child.stderr),
    ]);
    const status = await child.status;
    this.#exited = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    // Leftovers of the run's process group (background processes) do not outlive it.
    signalAll(this.pid, [], "SIGKILL");
    await this.#stopping?.catch(() => {});
    // A process that escaped the run's process group may still hold the output pipes open:
    // drain what is there, then stop reading rather than wait for it.
    const drained = await settlesWithin(pumps, DRAIN_MS);
    if (!drained) {
      await Promise.all(this.#readers.map((r) => r.cancel().catch(() => {})));
      await pumps.catch(() => {});
      this.#appendNote(
        `output pipes still open ${DRAIN_MS} ms after exit (a background process ` +
          `outside the run's process group?); stopped reading`,
      );
    }
    const finishedAt = new Date().toISOString();
    this.#appendNote(
      `process exited with code ${status.code}${
        status.signal ? ` (signal ${status.signal})` : ""
      }`,
    );
    await this.#logChain;

    let result: unknown = null;
    let error: string | null = null;
    let trace: string | null = null;
    let outcome: RunStatus;
    const reason = this.#stopReason ?? null;
    let response;
    let resultProblem: string | undefined;
    if (!reason) {
      try {
        response = await readResult(env.results_url);
      } catch (e) {
        resultProblem = (e as Error).message;
      }
    }
    if (reason === "cancelled") {
      outcome = "cancelled";
      error = "run cancelled";
    } else if (reason === "timeout") {
      outcome = "failed";
      error = `run timed out after ${this.#init.timeoutMs} ms and was killed ` +
        `with everything it started (log: ${this.logFile})`;
    } else if (response) {
      result = response.result;
      error = response.error;
      trace = response.trace;
      if (status.code === 0 && response.error === null) {
        outcome = "succeeded";
      } else {
        outcome = "failed";
        error ??= `workflow exited with code ${status.code}\n${await this
          .#logTail()}`;
      }
    } else {
      outcome = "failed";
      error = `workflow exited with code ${status.code} without a usable ` +
        `result.json (${resultProblem}); last output:\n${await this
          .#logTail()}`;
    }
    try {
      this.#init.log.close();
    } catch {
      // Already closed.
    }
    this.#status = outcome;

    let params: unknown;
    if (args.config_json !== undefined) {
      try {
        params = JSON.parse(args.config_json);
      } catch {
        params = undefined;
      }
    }
    const record: RunRecord = {
      id: this.id,
      workflow: this.#init.workflow,
      status: outcome,
      invoker: "local",
      execution_mode: args.execution_mode,
      mock_io: args.mock_io,
      created_at: this.#init.createdAt,
      started_at: this.#startedAt,
      finished_at: finishedAt,
      exit_code: status.code,
      result,
      error,
      trace,
      reason,
      results_url: env.results_url,
    };
    if (params !== undefined) record.params = params;
    return record;
  }

  async #logTail(): Promise<string> {
    try {
      // Only the last LOG_TAIL_BYTES are read: a failed run's log may be large.
      using file = await Deno.open(this.logFile);
      const size = (await file.stat()).size;
      const start = Math.max(0, size - LOG_TAIL_BYTES);
      await file.seek(start, Deno.SeekMode.Start);
      const bytes = new Uint8Array(size - start);
      let n = 0;
      while (n < bytes.length) {
        const read = await file.read(bytes.subarray(n));
        if (read === null) break;
        n += read;
      }
      return new TextDecoder().decode(bytes.subarray(0, n)).trimEnd();
    } catch {
      return `(log ${this.logFile} unreadable)`;
    }
  }
}

/** Whether `p` settles (either way) within `ms`; the timer is cleared in both cases. */
async function settlesWithin(
  p: Promise<unknown>,
  ms: number,
): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      p.then(() => true, () => true),
      new Promise<false>((r) => timer = setTimeout(() => r(false), ms)),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
