/**
 * The arguments and environment an invoker hands to a compiled workflow's CLI, and the
 * functions that turn them into a command line and an environment.
 *
 * @module
 */
import * as v from "valibot";
import { ExecutionMode } from "./runs.ts";

/**
 * Default name of the environment variable that carries the results URL.
 *
 * @example
 * ```ts
 * import * as v from "valibot";
 * import { DEFAULT_RESULTS_ENV_VAR, WorkflowCLIEnv, workflowCliEnv } from "@wt/contracts";
 *
 * const env = v.parse(WorkflowCLIEnv, { results_url: "file:///tmp/run1" });
 * console.assert(workflowCliEnv(env)[DEFAULT_RESULTS_ENV_VAR] === "file:///tmp/run1");
 * ```
 */
export const DEFAULT_RESULTS_ENV_VAR = "WT_RESULTS";

/**
 * Log levels the workflow CLI understands.
 *
 * @example
 * ```ts
 * import * as v from "valibot";
 * import { LogLevel } from "@wt/contracts";
 *
 * console.assert(v.is(LogLevel, "debug"));
 * ```
 */
export const LogLevel: v.GenericSchema<LogLevel> = v.picklist([
  "debug",
  "info",
  "warn",
  "error",
]);
/** Log level of a workflow run. */
export type LogLevel = "debug" | "info" | "warn" | "error";

/**
 * Arguments of the workflow CLI's `run` command: the configuration (inline JSON text or a
 * file), the execution mode and whether io tasks are replaced by canned data.
 *
 * @example
 * ```ts
 * import * as v from "valibot";
 * import { WorkflowCLIArgs } from "@wt/contracts";
 *
 * const args = v.parse(WorkflowCLIArgs, { config_json: '{"total":{"a":1,"b":2}}' });
 * console.assert(args.execution_mode === "sequential" && args.mock_io === false);
 * ```
 */
export const WorkflowCLIArgs: v.GenericSchema<
  WorkflowCLIArgsInput,
  WorkflowCLIArgs
> = v.pipe(
  v.object({
    config_json: v.optional(v.string()),
    config_file: v.optional(v.pipe(v.string(), v.minLength(1))),
    execution_mode: v.optional(ExecutionMode, "sequential"),
    mock_io: v.optional(v.boolean(), false),
  }),
  v.check(
    (a) => (a.config_json === undefined) !== (a.config_file === undefined),
    "give exactly one of config_json and config_file",
  ),
);
/** Arguments of the workflow CLI's `run` command. */
export interface WorkflowCLIArgs {
  /** The configuration as JSON text (exclusive with `config_file`). */
  config_json?: string | undefined;
  /** Path of a JSON configuration file (exclusive with `config_json`). */
  config_file?: string | undefined;
  /** Execution mode. */
  execution_mode: ExecutionMode;
  /** Replace io-tagged tasks by their canned data. */
  mock_io: boolean;
}
/** Input accepted by {@linkcode WorkflowCLIArgs}: defaults may be omitted. */
export type WorkflowCLIArgsInput =
  & Omit<WorkflowCLIArgs, "execution_mode" | "mock_io">
  & {
    execution_mode?: ExecutionMode | undefined;
    mock_io?: boolean | undefined;
  };

/**
 * The environment of a workflow run: where results go, the run id, W3C trace context, log
 * level, and extra variables (data connections, secrets) passed through unchanged.
 *
 * @example
 * ```ts
 * import * as v from "valibot";
 * import { WorkflowCLIEnv } from "@wt/contracts";
 *
 * const env = v.parse(WorkflowCLIEnv, { results_url: "file:///tmp/run1" });
 * console.assert(env.results_env_var === "WT_RESULTS");
 * ```
 */
export const WorkflowCLIEnv: v.GenericSchema<
  WorkflowCLIEnvInput,
  WorkflowCLIEnv
> = v.object({
  results_url: v.pipe(v.string(), v.minLength(1)),
  results_env_var: v.optional(
    v.pipe(v.string(), v.regex(/^[A-Za-z_][A-Za-z0-9_]*$/)),
    DEFAULT_RESULTS_ENV_VAR,
  ),
  run_id: v.optional(v.string()),
  traceparent: v.optional(v.string()),
  tracestate: v.optional(v.string()),
  log_level: v.optional(LogLevel),
  extra: v.optional(v.record(v.string(), v.string()), () => ({})),
});
/** The environment of a workflow run. */
export interface WorkflowCLIEnv {
  /** Where the run writes `result.json` (`file://` or `gs://` URL of a folder). */
  results_url: string;
  /** Name of the variable that carries `results_url`. */
  results_env_var: string;
  /** The run id, as `WT_RUN_ID`. */
  run_id?: string | undefined;
  /** W3C trace context, as `TRACEPARENT`. */
  traceparent?: string | undefined;
  /** W3C trace state, as `TRACESTATE`. */
  tracestate?: string | undefined;
  /** Log level, as `WT_LOG_LEVEL`. */
  log_level?: LogLevel | undefined;
  /** Further variables passed through unchanged (data connections, secrets). */
  extra: Record<string, string>;
}
/** Input accepted by {@linkcode WorkflowCLIEnv}: defaults may be omitted. */
export type WorkflowCLIEnvInput =
  & Omit<WorkflowCLIEnv, "results_env_var" | "extra">
  & {
    results_env_var?: string | undefined;
    extra?: Record<string, string> | undefined;
  };

/**
 * The argument vector of the workflow CLI's `run` command (without the program itself).
 *
 * @param args Validated CLI arguments.
 * @returns Arguments to append to the command that starts the workflow CLI.
 *
 * @example
 * ```ts
 * import { workflowCliArgv } from "@wt/contracts";
 *
 * const argv = workflowCliArgv({ config_json: "{}", execution_mode: "parallel", mock_io: true });
 * console.assert(argv.join(" ") === "run --config-json {} --execution-mode parallel --mock-io");
 * ```
 */
export function workflowCliArgv(args: WorkflowCLIArgs): string[] {
  const argv = ["run"];
  if (args.config_json !== undefined) {
    argv.push("--config-json", args.config_json);
  }
  if (args.config_file !== undefined) {
    argv.push("--config-file", args.config_file);
  }
  argv.push("--execution-mode", args.execution_mode);
  if (args.mock_io) argv.push("--mock-io");
  return argv;
}

/**
 * The environment variables for a workflow run. `extra` comes first so that it can never
 * override the results URL, run id or trace context.
 *
 * @param env Validated environment description.
 * @returns Variable name → value.
 *
 * @example
 * ```ts
 * import { workflowCliEnv } from "@wt/contracts";
 *
 * const vars = workflowCliEnv({
 *   results_url: "file:///tmp/r",
 *   results_env_var: "WT_RESULTS",
 *   run_id: "r1",
 *   extra: {},
 * });
 * console.assert(vars.WT_RESULTS === "file:///tmp/r" && vars.WT_RUN_ID === "r1");
 * ```
 */
export function workflowCliEnv(env: WorkflowCLIEnv): Record<string, string> {
  const out: Record<string, string> = { ...env.extra };
  out[env.results_env_var] = env.results_url;
  if (env.run_id !== undefined) out["WT_RUN_ID"] = env.run_id;
  if (env.traceparent !== undefined) out["TRACEPARENT"] = env.traceparent;
  if (env.tracestate !== undefined) out["TRACESTATE"] = env.tracestate;
  if (env.log_level !== undefined) out["WT_LOG_LEVEL"] = env.log_level;
  return out;
}
