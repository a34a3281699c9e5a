/**
 * The durable run store: one SQLite database (`node:sqlite`) in write-ahead-log mode.
 *
 * Durability: `journal_mode=WAL` with `synchronous=FULL`, so every committed transaction is
 * fsynced to the WAL before the call returns. The runner acknowledges a state change (an HTTP
 * answer, a queue slot) only after the store call that records it returned, so an
 * acknowledged change survives a crash of the process and of the machine. Runs change state a
 * handful of times each, so the cost of a sync per commit is small; new runs, which arrive in
 * bursts, go through `insertBatched`, which commits every run submitted in the same turn of
 * the event loop in one transaction (group commit: one sync for the lot).
 *
 * @module
 */
import {
  DatabaseSync,
  type SQLInputValue,
  type StatementSync,
} from "node:sqlite";
import { clearImmediate, setImmediate } from "node:timers";
import type {
  ExecutionMode,
  InvokerKind,
  RunRecord,
  RunStatus,
} from "@wt/contracts";

/** Everything needed to create a run (state `queued`). */
export interface NewRun {
  /** Unique run id. */
  id: string;
  /** Release name of the workflow. */
  workflow: string;
  /** Invoker that will launch it. */
  invoker: InvokerKind;
  /** Execution mode. */
  execution_mode: ExecutionMode;
  /** Replace io tasks by canned data. */
  mock_io: boolean;
  /** Validated workflow parameters. */
  params: unknown;
  /** Where `result.json` goes. */
  results_url: string;
  /** When the run was accepted (ISO 8601). */
  created_at: string;
  /** Launch details kept for the run manager (never served by the API). */
  launch: LaunchInfo;
}

/** Launch details of a run that the API never shows (they may hold secrets). */
export interface LaunchInfo {
  /** Timeout in seconds, `null` for none. */
  timeout_s: number | null;
  /** W3C trace context of the request that submitted the run. */
  traceparent: string | null;
  /** W3C trace state of that request. */
  tracestate: string | null;
  /** Extra environment variables (data connections) for the workflow process. */
  env: Record<string, string>;
}

/** How a run ended. */
export interface RunOutcome {
  /** Terminal status. */
  status: "succeeded" | "failed" | "cancelled";
  /** When (ISO 8601). */
  finished_at: string;
  /** Exit code of the workflow process, when known. */
  exit_code?: number | null | undefined;
  /** The result (from `result.json`). */
  result?: unknown;
  /** The error message. */
  error?: string | null | undefined;
  /** The trace of the failing task instance. */
  trace?: string | null | undefined;
  /** Why the run ended when it is not the workflow's own doing (`timeout`, `cancelled`, `interrupted`). */
  reason?: string | null | undefined;
}

/** Filters and page position for {@linkcode RunStore.list}. */
export interface ListQuery {
  /** Only runs of this workflow. */
  workflow?: string | undefined;
  /** Only runs in this state. */
  status?: RunStatus | undefined;
  /** Page size (1–500). */
  limit: number;
  /** The `next_cursor` of the previous page. */
  cursor?: string | undefined;
}

/** One page of runs, newest first. */
export interface RunPage {
  /** The runs. */
  runs: RunRecord[];
  /** Pass as `cursor` to get the next page; `null` on the last page. */
  next_cursor: string | null;
}

type Row = Record<string, SQLInputValue>;

/**
 * Version 2 added `pid` and `pid_start`: the process of a local run (its pid and the start
 * time that tells it from a later process with the same pid), so that a runner restarted
 * after a crash can stop the processes it had launched.
 */
const SCHEMA_VERSION = 2;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS runs (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  workflow TEXT NOT NULL,
  status TEXT NOT NULL,
  invoker TEXT NOT NULL,
  execution_mode TEXT NOT NULL,
  mock_io INTEGER NOT NULL,
  params TEXT NOT NULL,
  created_at TEXT NOT NULL,
  started_at TEXT,
  finished_at TEXT,
  exit_code INTEGER,
  result TEXT,
  error TEXT,
  trace TEXT,
  reason TEXT,
  results_url TEXT NOT NULL,
  timeout_s REAL,
  traceparent TEXT,
  tracestate TEXT,
  env TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX IF NOT EXISTS runs_by_status ON runs (status, seq);
CREATE INDEX IF NOT EXISTS runs_by_workflow ON runs (workflow, seq);
`;

/** Columns added after version 1, in order (`ALTER TABLE … ADD COLUMN` on older files). */
const ADDED_COLUMNS: ReadonlyArray<readonly [name: string, type: string]> = [
  ["pid", "INTEGER"],
  ["pid_start", "INTEGER"],
];

/** The process of a run in flight, as recorded by {@linkcode RunStore.recordProcess}. */
export interface RunProcess {
  /** Run id. */
  id: string;
  /** Process id (leader of the run's process group). */
  pid: number;
  /** Its start time (`starttime` of `/proc/<pid>/stat`, clock ticks after boot). */
  start_time: number;
}

function str(x: SQLInputValue | undefined): string | null {
  return x === null || x === undefined ? null : String(x);
}

function toRecord(row: Row): RunRecord {
  const rec: RunRecord = {
    id: String(row["id"]),
    workflow: String(row["workflow"]),
    status: String(row["status"]) as RunStatus,
    invoker: String(row["invoker"]) as InvokerKind,
    execution_mode: String(row["execution_mode"]) as ExecutionMode,
    mock_io: Number(row["mock_io"]) === 1,
    params: JSON.parse(String(row["params"])),
    created_at: String(row["created_at"]),
    started_at: str(row["started_at"]),
    finished_at: str(row["finished_at"]),
    exit_code: row["exit_code"] === null ? null : Number(row["exit_code"]),
    error: str(row["error"]),
    trace: str(row["trace"]),
    reason: str(row["reason"]),
    results_url: str(row["results_url"]),
  };
  const result = str(row["result"]);
  rec.result = result === null ? null : JSON.parse(result);
  return rec;
}

/**
 * Runs in a SQLite database. Every method commits before it returns (or, for
 * {@linkcode RunStore.insertBatched}, before its promise settles).
 *
 * @example
 * ```ts
 * import { RunStore } from "@wt/runner";
 *
 * const store = new RunStore(":memory:");
 * store.insert({
 *   id: "r1", workflow: "wt-add-workflow", invoker: "local",
 *   execution_mode: "sequential", mock_io: false, params: {},
 *   results_url: "file:///tmp/r1", created_at: new Date().toISOString(),
 *   launch: { timeout_s: null, traceparent: null, tracestate: null, env: {} },
 * });
 * console.assert(store.get("r1")?.status === "queued");
 * store.close();
 * ```
 */
export class RunStore {
  #db: DatabaseSync;
  /** Prepared statements by SQL text (preparing costs more than running a lookup). */
  #statements = new Map<string, StatementSync>();

  #prepare(sql: string): StatementSync {
    let st = this.#statements.get(sql);
    if (st === undefined) {
      st = this.#db.prepare(sql);
      this.#statements.set(sql, st);
    }
    return st;
  }

  /**
   * Open (and create or migrate) the database.
   *
   * @param path Database file, or `":memory:"`.
   */
  constructor(path: string) {
    this.#db = new DatabaseSync(path);
    this.#db.exec("PRAGMA journal_mode = WAL");
    this.#db.exec("PRAGMA synchronous = FULL");
    this.#db.exec("PRAGMA busy_timeout = 5000");
    const version = Number(
      (this.#db.prepare("PRAGMA user_version").get() as Row)["user_version"],
    );
    if (version > SCHEMA_VERSION) {
      this.#db.close();
      throw new Error(
        `run store ${path} has schema version ${version}, newer than this runner understands (${SCHEMA_VERSION}); upgrade the runner`,
      );
    }
    this.#db.exec("BEGIN IMMEDIATE");
    try {
      this.#db.exec(SCHEMA);
      // Upgrade in place: add what later versions added (a fresh file gets it here too).
      const have = new Set(
        (this.#db.prepare("PRAGMA table_info(runs)").all() as Row[]).map((r) =>
          String(r["name"])
        ),
      );
      for (const [name, type] of ADDED_COLUMNS) {
        if (!have.has(name)) {
          this.#db.exec(`ALTER TABLE runs ADD COLUMN ${name} ${type}`);
        }
      }
      this.#db.exec(`PRAGMA user_version = ${SCHEMA_VERSION}`);
      this.#db.exec("COMMIT");
    } catch (e) {
      if (this.#db.isTransaction) this.#db.exec("ROLLBACK");
      this.#db.close();
      throw e;
    }
  }

  /**
   * Record a new run in state `queued`.
   *
   * @param run The run.
   * @returns The stored record.
   * @throws {Error} When a run with the same id exists.
   */
  insert(run: NewRun): RunRecord {
    this.#insertRow(run);
    return this.get(run.id)!;
  }

  #insertRow(run: NewRun): void {
    this.#prepare(
      `INSERT INTO runs (id, workflow, status, invoker, execution_mode, mock_io, params,
        created_at, results_url, timeout_s, traceparent, tracestate, env)
       VALUES (?, ?, 'queued', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      run.id,
      run.workflow,
      run.invoker,
      run.execution_mode,
      run.mock_io ? 1 : 0,
      JSON.stringify(run.params ?? null),
      run.created_at,
      run.results_url,
      run.launch.timeout_s,
      run.launch.traceparent,
      run.launch.tracestate,
      JSON.stringify(run.launch.env),
    );
  }

  /**
   * Record a new run in state `queued`, committed together with the other runs submitted in
   * the same turn of the event loop (group commit): one transaction, so one sync to disk for
   * all of them, instead of one each. Each run still succeeds or fails on its own (a
   * duplicate id rejects only its own promise), and every promise settles only after the
   * commit, so an acknowledged run is as durable as with {@linkcode RunStore.insert}.
   *
   * @param run The run.
   * @returns The stored record, once committed.
   * @throws {Error} When a run with the same id exists.
   *
   * @example
   * ```ts
   * import { RunStore } from "@wt/runner";
   *
   * const store = new RunStore(":memory:");
   * const launch = { timeout_s: null, traceparent: null, tracestate: null, env: {} };
   * const base = {
   *   workflow: "wt-add-workflow", invoker: "local", execution_mode: "sequential",
   *   mock_io: false, params: {}, results_url: "file:///tmp/r", launch,
   * } as const;
   * const [a, b] = await Promise.all([
   *   store.insertBatched({ ...base, id: "a", created_at: new Date().toISOString() }),
   *   store.insertBatched({ ...base, id: "b", created_at: new Date().toISOString() }),
   * ]);
   * console.assert(a.status === "queued" && b.status === "queued");
   * store.close();
   * ```
   */
  insertBatched(run: NewRun): Promise<RunRecord> {
    return new Promise((resolve, reject) => {
      this.#pending.push({ run, resolve, reject });
      // setImmediate runs once the I/O that is ready now has been handled (so the runs of
      // requests that arrived together join the batch) and costs microseconds, where
      // setTimeout(0) waits for the next millisecond tick.
      this.#flushTimer ??= setImmediate(() => this.#flush());
    });
  }

  #pending: {
    run: NewRun;
    resolve: (r: RunRecord) => void;
    reject: (e: unknown) => void;
  }[] = [];
  #flushTimer: ReturnType<typeof setImmediate> | undefined;

  #flush(): void {
    if (this.#flushTimer !== undefined) clearImmediate(this.#flushTimer);
    this.#flushTimer = undefined;
    const batch = this.#pending;
    this.#pending = [];
    if (batch.length === 0) return;
    const failed = new Map<number, unknown>();
    try {
      this.#db.exec("BEGIN IMMEDIATE");
      batch.forEach((p, i) => {
        this.#db.exec("SAVEPOINT one_run");
        try {
          this.#insertRow(p.run);
          this.#db.exec("RELEASE one_run");
        } catch (e) {
          this.#db.exec("ROLLBACK TO one_run");
          this.#db.exec("RELEASE one_run");
          failed.set(i, e);
        }
      });
      this.#db.exec("COMMIT");
    } catch (e) {
      if (this.#db.isTransaction) this.#db.exec("ROLLBACK");
      for (const p of batch) p.reject(e);
      return;
    }
    batch.forEach((p, i) => {
      if (failed.has(i)) p.reject(failed.get(i));
      else p.resolve(this.get(p.run.id)!);
    });
  }

  /**
   * One run.
   *
   * @param id Run id.
   * @returns The record, or `undefined`.
   */
  get(id: string): RunRecord | undefined {
    const row = this.#prepare("SELECT * FROM runs WHERE id = ?").get(id) as
      | Row
      | undefined;
    return row ? toRecord(row) : undefined;
  }

  /**
   * The launch details of a run.
   *
   * @param id Run id.
   * @returns The details, or `undefined` for an unknown run.
   */
  launchInfo(id: string): LaunchInfo | undefined {
    const row = this.#prepare(
      "SELECT timeout_s, traceparent, tracestate, env FROM runs WHERE id = ?",
    ).get(id) as Row | undefined;
    if (!row) return undefined;
    return {
      timeout_s: row["timeout_s"] === null ? null : Number(row["timeout_s"]),
      traceparent: str(row["traceparent"]),
      tracestate: str(row["tracestate"]),
      env: JSON.parse(String(row["env"])),
    };
  }

  /**
   * Runs, newest first, filtered and paginated.
   *
   * @param query Filters, page size and cursor.
   * @returns One page and the cursor of the next.
   * @throws {RangeError} On a malformed cursor.
   */
  list(query: ListQuery): RunPage {
    const where: string[] = [];
    const args: SQLInputValue[] = [];
    if (query.workflow !== undefined) {
      where.push("workflow = ?");
      args.push(query.workflow);
    }
    if (query.status !== undefined) {
      where.push("status = ?");
      args.push(query.status);
    }
    if (query.cursor !== undefined) {
      const seq = Number(query.cursor);
      if (!/^[0-9]+$/.test(query.cursor) || !Number.isSafeInteger(seq)) {
        throw new RangeError(
          `cursor '${query.cursor}' is not one this runner issued; pass the next_cursor of the previous page`,
        );
      }
      where.push("seq < ?");
      args.push(seq);
    }
    const sql = `SELECT * FROM runs ${
      where.length ? `WHERE ${where.join(" AND ")}` : ""
    } ORDER BY seq DESC LIMIT ?`;
    const rows = this.#prepare(sql).all(...args, query.limit + 1) as Row[];
    const more = rows.length > query.limit;
    const page = rows.slice(0, query.limit);
    const last = page.at(-1);
    return {
      runs: page.map(toRecord),
      next_cursor: more && last ? String(last["seq"]) : null,
    };
  }

  /**
   * Queued runs in the order they were accepted (the persisted FIFO queue).
   *
   * @returns Run ids, oldest first.
   */
  queuedIds(): string[] {
    const rows = this.#prepare(
      "SELECT id FROM runs WHERE status = 'queued' ORDER BY seq ASC",
    ).all() as Row[];
    return rows.map((r) => String(r["id"]));
  }

  /**
   * Move a queued run to `running`.
   *
   * @param id Run id.
   * @param startedAt When (ISO 8601).
   * @returns The record, or `undefined` when the run was not queued any more.
   */
  markRunning(id: string, startedAt: string): RunRecord | undefined {
    const { changes } = this.#prepare(
      "UPDATE runs SET status = 'running', started_at = ? WHERE id = ? AND status = 'queued'",
    ).run(startedAt, id);
    return Number(changes) === 1 ? this.get(id) : undefined;
  }

  /**
   * Record the process of a run in flight (local runs), so that a runner restarted after a
   * crash can recognise it and stop it (see {@linkcode RunStore.runningProcesses}).
   *
   * @param id Run id.
   * @param pid Process id (leader of the run's process group).
   * @param startTime Its start time (`processStartTime` of `@wt/invokers`).
   * @returns Whether the run was `running` (and so recorded).
   */
  recordProcess(id: string, pid: number, startTime: number): boolean {
    const { changes } = this.#prepare(
      "UPDATE runs SET pid = ?, pid_start = ? WHERE id = ? AND status = 'running'",
    ).run(pid, startTime, id);
    return Number(changes) === 1;
  }

  /**
   * The recorded processes of runs in state `running`.
   *
   * @returns One entry per running run with a recorded process, oldest run first.
   */
  runningProcesses(): RunProcess[] {
    const rows = this.#prepare(
      `SELECT id, pid, pid_start FROM runs
       WHERE status = 'running' AND pid IS NOT NULL AND pid_start IS NOT NULL
       ORDER BY seq`,
    ).all() as Row[];
    return rows.map((r) => ({
      id: String(r["id"]),
      pid: Number(r["pid"]),
      start_time: Number(r["pid_start"]),
    }));
  }

  /**
   * Move a run that is not terminal yet to its terminal state.
   *
   * @param id Run id.
   * @param outcome How it ended.
   * @returns The record, or `undefined` when the run was already terminal (or unknown).
   */
  finish(id: string, outcome: RunOutcome): RunRecord | undefined {
    const { changes } = this.#prepare(
      `UPDATE runs SET status = ?, finished_at = ?, exit_code = ?, result = ?, error = ?,
         trace = ?, reason = ?
       WHERE id = ? AND status IN ('queued', 'running')`,
    ).run(
      outcome.status,
      outcome.finished_at,
      outcome.exit_code ?? null,
      outcome.result === undefined ? null : JSON.stringify(outcome.result),
      outcome.error ?? null,
      outcome.trace ?? null,
      outcome.reason ?? null,
      id,
    );
    return Number(changes) === 1 ? this.get(id) : undefined;
  }

  /**
   * Mark every `running` run `failed` with reason `interrupted` (called at start-up: the
   * process that ran them is gone), except runs of the invoker kinds in `except` (cloud
   * jobs that go on without the runner).
   *
   * @param at When (ISO 8601).
   * @param except Invoker kinds whose running runs are left alone.
   * @param exceptIds Runs left alone too (their processes are being stopped first).
   * @returns The ids of the runs marked.
   */
  interruptRunning(
    at: string,
    except: readonly InvokerKind[] = [],
    exceptIds: readonly string[] = [],
  ): string[] {
    const skip =
      (except.length
        ? ` AND invoker NOT IN (${except.map(() => "?").join(", ")})`
        : "") +
      (exceptIds.length
        ? ` AND id NOT IN (${exceptIds.map(() => "?").join(", ")})`
        : "");
    const args = [...except, ...exceptIds];
    const ids = (this.#prepare(
      `SELECT id FROM runs WHERE status = 'running'${skip} ORDER BY seq`,
    ).all(...args) as Row[]).map((r) => String(r["id"]));
    this.#prepare(
      `UPDATE runs SET status = 'failed', finished_at = ?, reason = 'interrupted',
         error = COALESCE(error, 'the runner stopped while this run was in flight; submit it again')
       WHERE status = 'running'${skip}`,
    ).run(at, ...args);
    return ids;
  }

  /**
   * Runs in state `running` launched by one of the given invoker kinds.
   *
   * @param invokers Invoker kinds.
   * @returns Run ids, oldest first.
   */
  runningIds(invokers: readonly InvokerKind[]): string[] {
    if (invokers.length === 0) return [];
    const rows = this.#prepare(
      `SELECT id FROM runs WHERE status = 'running' AND invoker IN (${
        invokers.map(() => "?").join(", ")
      }) ORDER BY seq`,
    ).all(...invokers) as Row[];
    return rows.map((r) => String(r["id"]));
  }

  /** Close the database. */
  close(): void {
    if (this.#db.isOpen) this.#flush();
    if (this.#db.isOpen) this.#db.close();
  }
}
