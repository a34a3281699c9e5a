/**
 * Optional OpenTelemetry tracing for the runner: a span per HTTP request (continuing the
 * caller's `traceparent`) and a span per run (a child of the request that submitted it,
 * whose context is handed to the workflow process as `TRACEPARENT`). Spans go to a
 * JSON-lines file (one span per line, for local use) and/or an OTLP/HTTP collector, through
 * `createSpanExport` of `@wt/task/tracing`; the workflow process is told the same
 * destinations (`WT_TRACE_FILE`, `OTEL_EXPORTER_OTLP_ENDPOINT`) so that its task spans land
 * in the same place.
 *
 * @module
 */
import {
  type Context,
  createTraceState,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
  type Tracer,
} from "@opentelemetry/api";
import type { RunRecord } from "@wt/contracts";
import { createSpanExport } from "@wt/task/tracing";
import {
  isValidTraceparent,
  type RequestSpan,
  type RequestTracer,
} from "./middleware.ts";
import type { RunSpan, RunTracer } from "./run_manager.ts";

/** Request and run spans, and a way to flush them. */
export interface RunnerTracing extends RequestTracer, RunTracer {
  /** Flush and close the exporter. */
  shutdown(): Promise<void>;
}

/** Options of {@linkcode createTracing}. */
export interface TracingOptions {
  /** Append spans as JSON lines to this file (handed to workflows as `WT_TRACE_FILE`). */
  traceFile?: string | undefined;
  /**
   * Base URL of an OTLP/HTTP collector (handed to workflows as
   * `OTEL_EXPORTER_OTLP_ENDPOINT`). Give this or `traceFile`, or both.
   */
  otlpEndpoint?: string | undefined;
  /** `service.name` of the spans (default `wt-runner`). */
  serviceName?: string | undefined;
}

function parentContext(
  traceparent: string | null,
  tracestate: string | null,
): Context {
  if (!traceparent || !isValidTraceparent(traceparent)) return ROOT_CONTEXT;
  const [, traceId, spanId, flags] = traceparent.split("-");
  return trace.setSpanContext(ROOT_CONTEXT, {
    traceId: traceId!,
    spanId: spanId!,
    traceFlags: parseInt(flags!, 16),
    isRemote: true,
    ...(tracestate ? { traceState: createTraceState(tracestate) } : {}),
  });
}

function contextOf(
  span: Span,
): { traceparent: string; tracestate: string | null } {
  const sc = span.spanContext();
  return {
    traceparent: `00-${sc.traceId}-${sc.spanId}-${
      sc.traceFlags.toString(16).padStart(2, "0")
    }`,
    tracestate: sc.traceState?.serialize() || null,
  };
}

/**
 * Set up tracing to a JSON-lines file and/or an OTLP/HTTP collector.
 *
 * @param options The destinations and the service name.
 * @returns Request and run tracers; call `shutdown()` before exiting.
 * @throws {TypeError} When neither destination is given, or the endpoint is not an http(s) URL.
 *
 * @example
 * ```ts
 * import { createTracing } from "@wt/runner";
 *
 * const traceFile = await Deno.makeTempFile();
 * const tracing = createTracing({ traceFile });
 * const span = tracing.startRequest("GET /", null, null);
 * span.end(200);
 * await tracing.shutdown();
 * console.assert((await Deno.readTextFile(traceFile)).includes('"GET /"'));
 * await Deno.remove(traceFile);
 * ```
 */
export function createTracing(options: TracingOptions): RunnerTracing {
  const spans = createSpanExport({
    serviceName: options.serviceName ?? "wt-runner",
    traceFile: options.traceFile,
    otlpEndpoint: options.otlpEndpoint,
  });
  const tracer: Tracer = spans.getTracer("@wt/runner");
  return {
    startRequest(name, traceparent, tracestate): RequestSpan {
      const span = tracer.startSpan(
        name,
        { kind: SpanKind.SERVER },
        parentContext(traceparent, tracestate),
      );
      return {
        ...contextOf(span),
        end(status) {
          span.setAttribute("http.response.status_code", status);
          if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
          span.end();
        },
      };
    },
    startRun(run, traceparent, tracestate): RunSpan {
      const span = tracer.startSpan(
        `run ${run.workflow}`,
        {
          kind: SpanKind.INTERNAL,
          attributes: {
            "wt.run.id": run.id,
            "wt.workflow": run.workflow,
            "wt.execution_mode": run.execution_mode,
            "wt.invoker": run.invoker,
          },
        },
        parentContext(traceparent, tracestate),
      );
      return {
        ...contextOf(span),
        env: spans.env,
        end(done: RunRecord) {
          span.setAttribute("wt.run.status", done.status);
          if (done.reason) span.setAttribute("wt.run.reason", done.reason);
          if (done.status !== "succeeded") {
            span.setStatus({
              code: SpanStatusCode.ERROR,
              message: done.error ?? done.status,
            });
          }
          span.end();
        },
      };
    },
    shutdown: () => spans.shutdown(),
  };
}
/** The JSON-lines span exporter, now shared with the workflow CLI through `@wt/task/tracing`. */
export { JsonLinesSpanExporter } from "@wt/task/tracing";
