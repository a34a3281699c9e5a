/**
 * Run records shared by the runner and the invokers.
 *
 * @module
 */
import * as v from "valibot";

/**
 * Every state a run can be in. `succeeded`, `failed` and `cancelled` are terminal.
 *
 * @example
 * ```ts
 * import { isTerminalStatus, RUN_STATUSES } from "@wt/contracts";
 *
 * console.assert(RUN_STATUSES.filter(isTerminalStatus).join() === "succeeded,failed,cancelled");
 * ```
 */
export const RUN_STATUSES = [
  "queued",
  "running",
  "succeeded",
  "failed",
  "cancelled",
] as const;

/**
 * The state of a run.
 *
 * @example
 * ```ts
 * import * as v from "valibot";
 * import { RunStatus } from "@wt/contracts";
 *
 * console.assert(v.is(RunStatus, "queued"));
 * ```
 */
export const RunStatus: v.GenericSchema<RunStatus> = v.picklist(RUN_STATUSES);
/** The state of a run. */
export type RunStatus = typeof RUN_STATUSES[number];

/**
 * Whether a status is final (the run will not change again).
 *
 * @param status A run status.
 * @returns `true` for `succeeded`, `failed` and `cancelled`.
 *
 * @example
 * ```ts
 * import { isTerminalStatus } from "@wt/contracts";
 *
 * console.assert(isTerminalStatus("failed") && !isTerminalStatus("running"));
 * ```
 */
export function isTerminalStatus(status: RunStatus): boolean {
  return status === "succeeded" || status === "failed" ||
    status === "cancelled";
}

/**
 * Which invoker launched a run.
 *
 * @example
 * ```ts
 * import * as v from "valibot";
 * import { InvokerKind } from "@wt/contracts";
 *
 * console.assert(v.is(InvokerKind, "local"));
 * ```
 */
export const InvokerKind: v.GenericSchema<InvokerKind> = v.picklist([
  "local",
  "cloud-batch",
]);
/** Which invoker launched a run. */
export type InvokerKind = "local" | "cloud-batch";

/**
 * Execution modes of a compiled workflow: spec order, or each task as soon as its inputs
 * are ready.
 *
 * @example
 * ```ts
 * import * as v from "valibot";
 * import { ExecutionMode } from "@wt/contracts";
 *
 * console.assert(v.is(ExecutionMode, "parallel"));
 * ```
 */
export const ExecutionMode: v.GenericSchema<ExecutionMode> = v.picklist([
  "sequential",
  "parallel",
]);
/** Execution mode of a compiled workflow. */
export type ExecutionMode = "sequential" | "parallel";

/**
 * One run of a workflow as the runner stores it and an invoker reports it. Timestamps are
 * ISO 8601 strings in UTC.
 *
 * @example
 * ```ts
 * import * as v from "valibot";
 * import { RunRecord } from "@wt/contracts";
 *
 * const run = v.parse(RunRecord, {
 *   id: "r1",
 *   workflow: "wt-add-workflow",
 *   status: "queued",
 *   invoker: "local",
 *   created_at: "2026-01-01T00:00:00.000Z",
 * });
 * console.assert(run.execution_mode === "sequential");
 * ```
 */
export const RunRecord: v.GenericSchema<RunRecordInput, RunRecord> = v.object({
  id: v.pipe(v.string(), v.minLength(1)),
  workflow: v.pipe(v.string(), v.minLength(1)),
  status: RunStatus,
  invoker: InvokerKind,
  execution_mode: v.optional(ExecutionMode, "sequential"),
  mock_io: v.optional(v.boolean(), false),
  params: v.optional(v.unknown()),
  created_at: v.string(),
  started_at: v.optional(v.nullable(v.string())),
  finished_at: v.optional(v.nullable(v.string())),
  exit_code: v.optional(v.nullable(v.number())),
  result: v.optional(v.unknown()),
  error: v.optional(v.nullable(v.string())),
  trace: v.optional(v.nullable(v.string())),
  reason: v.optional(v.nullable(v.string())),
  results_url: v.optional(v.nullable(v.string())),
});
/** One run of a workflow. */
export interface RunRecord {
  /** Run id (unique per runner). */
  id: string;
  /** Release name of the compiled workflow. */
  workflow: string;
  /** Current state. */
  status: RunStatus;
  /** Invoker that launched it. */
  invoker: InvokerKind;
  /** Execution mode requested. */
  execution_mode: ExecutionMode;
  /** Whether io tasks were replaced by canned data. */
  mock_io: boolean;
  /** The workflow parameters. */
  params?: unknown;
  /** When the run was accepted. */
  created_at: string;
  /** When the workflow process started. */
  started_at?: string | null | undefined;
  /** When the run reached a terminal state. */
  finished_at?: string | null | undefined;
  /** Exit code of the workflow process. */
  exit_code?: number | null | undefined;
  /** The workflow's result (from `result.json`). */
  result?: unknown;
  /** The workflow's error message. */
  error?: string | null | undefined;
  /** The trace of the failing task instance. */
  trace?: string | null | undefined;
  /** Why a run ended when it is not the workflow's own error: `timeout`, `interrupted`, `cancelled`. */
  reason?: string | null | undefined;
  /** Where the run's `result.json` goes. */
  results_url?: string | null | undefined;
}
/** Input accepted by {@linkcode RunRecord}: defaults may be omitted. */
export type RunRecordInput = Omit<RunRecord, "execution_mode" | "mock_io"> & {
  execution_mode?: ExecutionMode | undefined;
  mock_io?: boolean | undefined;
};
