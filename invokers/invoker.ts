/**
 * The `Invoker` interface: launch one compiled workflow run and follow it.
 *
 * @module
 */
import type {
  InvokerKind,
  RunRecord,
  RunStatus,
  WorkflowCLIArgs,
  WorkflowCLIEnv,
} from "@wt/contracts";

/**
 * A run in flight, as returned by {@linkcode Invoker.run}.
 *
 * @example
 * ```ts
 * import type { RunHandle } from "@wt/invokers";
 * import type { RunRecord } from "@wt/contracts";
 *
 * // Wait for a run, cancelling it when it takes longer than `ms`.
 * async function waitAtMost(run: RunHandle, ms: number): Promise<RunRecord> {
 *   const timer = setTimeout(() => run.cancel(), ms);
 *   try {
 *     return await run.wait();
 *   } finally {
 *     clearTimeout(timer);
 *   }
 * }
 * console.assert(typeof waitAtMost === "function");
 * ```
 */
export interface RunHandle {
  /** The run id (from `WorkflowCLIEnv.run_id`, or generated). */
  readonly id: string;
  /** Current state, without blocking. Cloud invokers poll their service. */
  status(): Promise<RunStatus>;
  /** Resolve when the run is terminal, with the complete record (result, error, exit code). */
  wait(): Promise<RunRecord>;
  /** Stop the run (kill the process tree, delete the job). Idempotent. */
  cancel(): Promise<void>;
}

/**
 * Launches compiled workflow runs through the workflow CLI; never imports workflow code.
 *
 * @example
 * ```ts
 * import { type Invoker, LocalInvoker } from "@wt/invokers";
 *
 * const invoker: Invoker = new LocalInvoker({ workflowDir: "./wt-add-workflow" });
 * console.assert(invoker.kind === "local");
 * ```
 */
export interface Invoker {
  /** Which kind of invoker this is. */
  readonly kind: InvokerKind;
  /** Start one run. Throws `InvokerError` on misuse (busy invoker) or launch failure. */
  run(args: WorkflowCLIArgs, env: WorkflowCLIEnv): Promise<RunHandle>;
}
