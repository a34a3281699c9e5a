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

/** A run in flight, as returned by {@linkcode Invoker.run}. */
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

/** Launches compiled workflow runs through the workflow CLI; never imports workflow code. */
export interface Invoker {
  /** Which kind of invoker this is. */
  readonly kind: InvokerKind;
  /** Start one run. Throws `InvokerError` on misuse (busy invoker) or launch failure. */
  run(args: WorkflowCLIArgs, env: WorkflowCLIEnv): Promise<RunHandle>;
}
