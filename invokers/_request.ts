/**
 * Check a run request at the invoker boundary.
 *
 * @module
 */
import * as v from "valibot";
import { WorkflowCLIArgs, WorkflowCLIEnv } from "@wt/contracts";
import { InvokerError } from "./errors.ts";
import { resultLocation } from "./results.ts";

/**
 * Validate a run's arguments and environment (and its results URL), and give it a run id
 * (a UUID) when it has none.
 *
 * @param args The workflow CLI's `run` arguments.
 * @param env The run's environment.
 * @returns Both as validated, the environment with its `run_id`.
 * @throws {InvokerError} `invalid`, listing every problem.
 */
export function validatedRequest(
  args: WorkflowCLIArgs,
  env: WorkflowCLIEnv,
): { args: WorkflowCLIArgs; env: WorkflowCLIEnv & { run_id: string } } {
  const a = v.safeParse(WorkflowCLIArgs, args);
  const e = v.safeParse(WorkflowCLIEnv, env);
  if (!a.success || !e.success) {
    const issues = [...(a.issues ?? []), ...(e.issues ?? [])]
      .map((i) => `${v.getDotPath(i) ?? "(root)"}: ${i.message}`).join("; ");
    throw new InvokerError("invalid", `invalid run request: ${issues}`);
  }
  resultLocation(e.output.results_url);
  return {
    args: a.output,
    env: { ...e.output, run_id: e.output.run_id ?? crypto.randomUUID() },
  };
}
