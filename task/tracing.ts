/**
 * OpenTelemetry support of `@wt/task` (`npm:@opentelemetry/api`).
 *
 * `task(fn).withTracing()` records one span per task instance run (attributes `method` —
 * `call`, `map` or `mapvalues` — and `ncalls`, plus `wt.task` and `wt.task_instance_id`)
 * with one child span per call. Spans go to the tracer provider registered with
 * `@opentelemetry/api` (a no-op when no SDK is registered), or to the tracer passed as
 * `withTracing({ tracer })`. The main module of `@wt/task` loads this code only when a
 * traced task runs, so untraced workflows never load OpenTelemetry.
 *
 * {@linkcode spanExportFromEnv} sets up where a process's spans go from `WT_TRACE_FILE` (a
 * JSON-lines file, one span per line) and `OTEL_EXPORTER_OTLP_ENDPOINT` (an OTLP/HTTP
 * collector; `npm:@opentelemetry/exporter-trace-otlp-http` is loaded only then). The runner
 * and the generated workflow CLI both use it, so one run's spans land in one place.
 *
 * @example Record spans in memory
 * ```ts
 * import {
 *   BasicTracerProvider,
 *   InMemorySpanExporter,
 *   SimpleSpanProcessor,
 * } from "@opentelemetry/sdk-trace-base";
 * import { task } from "@wt/task";
 *
 * const exporter = new InMemorySpanExporter();
 * const provider = new BasicTracerProvider({
 *   spanProcessors: [new SimpleSpanProcessor(exporter)],
 * });
 * const double = task(({ n }: { n: number }) => 2 * n)
 *   .setTaskInstanceId("double")
 *   .withTracing({ tracer: provider.getTracer("example") });
 * await double.map("n", [1, 2]);
 * const spans = exporter.getFinishedSpans();
 * console.assert(spans.length === 3); // the instance span and two call spans
 * console.assert(spans.some((s) => s.attributes["ncalls"] === 2));
 * ```
 *
 * @module
 */
/** OpenTelemetry types referenced by {@linkcode TracingOptions}. */
export type { Context, Tracer } from "@opentelemetry/api";
export {
  contextFromTraceparent,
  TRACER_NAME,
  type TracingOptions,
} from "./_tracing.ts";
export {
  createSpanExport,
  JsonLinesSpanExporter,
  OTLP_ENDPOINT_ENV,
  type SpanExport,
  spanExportFromEnv,
  type SpanExportOptions,
  type SpanExportResult,
  TRACE_FILE_ENV,
} from "./_tracing_export.ts";
/** OpenTelemetry SDK types referenced by {@linkcode JsonLinesSpanExporter}. */
export type { ReadableSpan, SpanExporter } from "@opentelemetry/sdk-trace-base";
