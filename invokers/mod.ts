/**
 * Launch compiled wt workflows and follow them: {@linkcode LocalInvoker} runs a compiled
 * workspace's CLI as a local subprocess; `CloudBatchInvoker` (subpath
 * `@wt/invokers/cloud-batch`, which alone loads `npm:@google-cloud/batch`) runs it as a
 * Google Cloud Batch job. Both implement {@linkcode Invoker}: `run()` returns a
 * {@linkcode RunHandle} with `status()`, `wait()` and `cancel()`, and results come back
 * through the run's `result.json` ({@linkcode readResult}). Invokers never import workflow
 * code; they talk to it through the workflow CLI's arguments, environment and
 * `result.json`. {@linkcode processStartTime} and {@linkcode stopProcessTree} let a launcher
 * that was killed recognise and stop, at its next start, the local runs it left behind.
 *
 * @example Run a compiled workflow locally
 * ```ts ignore
 * import { LocalInvoker } from "@wt/invokers";
 *
 * const invoker = new LocalInvoker({ workflowDir: "./wt-add-workflow", timeoutMs: 60_000 });
 * const run = await invoker.run(
 *   { config_json: '{"total":{"a":1,"b":2}}', execution_mode: "sequential", mock_io: false },
 *   { results_url: "file:///tmp/wt-runs/r1", results_env_var: "WT_RESULTS", extra: {} },
 * );
 * const record = await run.wait();
 * console.log(record.status, record.result); // "succeeded" 3
 * ```
 *
 * @module
 */
export type { Invoker, RunHandle } from "./invoker.ts";
export { InvokerError, type InvokerErrorCode } from "./errors.ts";
export {
  DEFAULT_INHERITED_ENV,
  LocalInvoker,
  type LocalInvokerOptions,
  LocalRunHandle,
} from "./local.ts";
export {
  processStartTime,
  stopProcessTree,
  type StopProcessTreeOptions,
  type StopProcessTreeOutcome,
} from "./process_tree.ts";
export {
  type GcsReader,
  readResult,
  type ReadResultOptions,
  RESULT_FILE_NAME,
  type ResultLocation,
  resultLocation,
} from "./results.ts";
