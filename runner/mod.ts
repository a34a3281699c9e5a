/**
 * `@wt/runner`: an HTTP service for compiled wt workflows. It lists the workflows of a
 * folder, validates parameters against each workflow's `params.json`, launches runs through
 * an invoker (`LocalInvoker` by default), records every run in SQLite so that runs survive a
 * restart, bounds concurrency with a FIFO queue, cancels, serves logs and results, checks a
 * bearer token, limits request sizes, propagates W3C trace context to the workflow process
 * and describes itself with an OpenAPI document. It never imports workflow code.
 *
 * Start it with `deno task runner --port 8000 --workflows ./workflows --data ./data`.
 *
 * @example Build the app and ask for its health
 * ```ts
 * import { createApp, localInvokerFactory, RunStore, WorkflowRegistry } from "@wt/runner";
 *
 * const dataDir = await Deno.makeTempDir();
 * const runner = createApp({
 *   store: new RunStore(":memory:"),
 *   workflows: new WorkflowRegistry(),
 *   invokerFactory: localInvokerFactory(),
 *   dataDir,
 * });
 * const health = await (await runner.app.request("/")).json();
 * console.assert(health.status === "ok");
 * await runner.close();
 * await Deno.remove(dataDir, { recursive: true });
 * ```
 *
 * @module
 */
export * from "./app.ts";
export * from "./errors.ts";
export * from "./middleware.ts";
export * from "./run_manager.ts";
export * from "./store.ts";
export * from "./workflows.ts";
export * from "./openapi.ts";
export * from "./invoker_factory.ts";
export * from "./tracing.ts";
export * from "./ui.ts";
/** Types of other packages that this package's API refers to. */
export type { Hono, MiddlewareHandler } from "hono";
export type { HTTPException } from "hono/http-exception";
export type { GenericSchema } from "valibot";
export type {
  ExecutionMode,
  InvokerKind,
  LogLevel,
  RunRecord,
  RunRecordInput,
  RunStatus,
  ValidationErrorItem,
  WorkflowCLIArgs,
  WorkflowCLIArgsInput,
  WorkflowCLIEnv,
  WorkflowCLIEnvInput,
} from "@wt/contracts";
export { RUN_STATUSES } from "@wt/contracts";
export type { Invoker, RunHandle } from "@wt/invokers";
export type { ReadableSpan, SpanExporter } from "@opentelemetry/sdk-trace-base";
