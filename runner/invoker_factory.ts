/**
 * The default {@linkcode InvokerFactory}: a fresh `LocalInvoker` from `@wt/invokers` per run,
 * writing the run's output to `--data/runs/<id>/run.log`.
 *
 * @module
 */
import { LocalInvoker } from "@wt/invokers";
import type { InvokerFactory } from "./run_manager.ts";

/** Options of {@linkcode localInvokerFactory}. */
export interface LocalInvokerFactoryOptions {
  /** The `deno` executable that runs workflow CLIs (default `"deno"`, found on `PATH`). */
  denoPath?: string | undefined;
  /** Time between SIGTERM and SIGKILL when stopping a run (ms). */
  killGraceMs?: number | undefined;
  /** Names of variables the workflow process inherits from the runner. */
  inheritEnv?: readonly string[] | undefined;
}

/**
 * Make local invokers, one per run.
 *
 * @param options `deno` executable, kill grace period, inherited variables.
 * @returns A factory offering the `local` kind.
 *
 * @example
 * ```ts
 * import { localInvokerFactory } from "@wt/runner";
 *
 * const factory = localInvokerFactory({ denoPath: "deno" });
 * console.assert(factory.kinds[0] === "local");
 * ```
 */
export function localInvokerFactory(
  options: LocalInvokerFactoryOptions = {},
): InvokerFactory {
  return {
    kinds: ["local"],
    create: (ctx) =>
      new LocalInvoker({
        workflowDir: ctx.workflow.dir,
        workflow: ctx.workflow.name,
        logFile: ctx.log_path,
        denoPath: options.denoPath ?? "deno",
        ...(ctx.timeout_ms !== null ? { timeoutMs: ctx.timeout_ms } : {}),
        ...(options.killGraceMs !== undefined
          ? { killGraceMs: options.killGraceMs }
          : {}),
        ...(options.inheritEnv !== undefined
          ? { inheritEnv: options.inheritEnv }
          : {}),
      }),
  };
}
