/**
 * Optional OpenTelemetry tracing for the runner: a span per HTTP request (continuing the
 * caller's `traceparent`) and a span per run (a child of the request that submitted it,
 * whose context is handed to the workflow process as `TRACEPARENT`). Spans go to a
 * JSON-lines file, one span per line, for local use.
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
import {
  BasicTracerProvider,
  type ReadableSpan,
  SimpleSpanProcessor,
  type SpanExporter,
} from "@opentelemetry/sdk-trace-base";
import type { RunRecord } from "@wt/contracts";
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
  /** Append spans as JSON lines to this file. */
  traceFile: string;
  /** `service.name` of the spans (default `wt-runner`). */
  serviceName?: string | undefined;
}

function hrToIso(t: [number, number]): string {
  return new Date(t[0] * 1000 + Math.floor(t[1] / 1e6)).toISOString();
}

/**
 * Writes finished spans to a file, one JSON object per line: trace id, span id, parent span
 * id, name, kind, start and end time, duration, status and attributes.
 *
 * @example
 * ```ts
 * import { JsonLinesSpanExporter } from "@wt/runner";
 *
 * const file = await Deno.makeTempFile();
 * const exporter = new JsonLinesSpanExporter(file, "wt-runner");
 * await exporter.shutdown();
 * await Deno.remove(file);
 * ```
 */
export class JsonLinesSpanExporter implements SpanExporter {
  #file: Deno.FsFile | undefined;
  #service: string;

  /**
   * Open the file.
   *
   * @param path File to append to (created when missing).
   * @param serviceName `service` field of every line.
   */
  constructor(path: string, serviceName: string) {
    this.#file = Deno.openSync(path, {
      append: true,
      create: true,
    });
    this.#service = serviceName;
  }

  /**
   * Write spans.
   *
   * @param spans Finished spans.
   * @param done Called with the outcome (`code` 0 on success, 1 on failure).
   */
  export(
    spans: ReadableSpan[],
    done: (result: { code: 0 | 1; error?: Error }) => void,
  ): void {
    if (!this.#file) {
      return done({ code: 1, error: new Error("exporter shut down") });
    }
    try {
      const text = spans.map((s) => {
        const ctx = s.spanContext();
        return JSON.stringify({
          service: this.#service,
          trace_id: ctx.traceId,
          span_id: ctx.spanId,
          parent_span_id: s.parentSpanContext?.spanId ?? null,
          name: s.name,
          kind: SpanKind[s.kind],
          start: hrToIso(s.startTime),
          end: hrToIso(s.endTime),
          duration_ms: s.duration[0] * 1000 + s.duration[1] / 1e6,
          status: SpanStatusCode[s.status.code],
          ...(s.status.message ? { status_message: s.status.message } : {}),
          attributes: s.attributes,
        }) + "\n";
      }).join("");
      const bytes = new TextEncoder().encode(text);
      let written = 0;
      while (written < bytes.length) {
        written += this.#file.writeSync(bytes.subarray(written));
      }
      done({ code: 0 });
    } catch (e) {
      done({ code: 1, error: e as Error });
    }
  }

  /** Close the file. */
  shutdown(): Promise<void> {
    this.#file?.close();
    this.#file = undefined;
    return Promise.resolve();
  }

  /** Nothing is buffered. */
  forceFlush(): Promise<void> {
    return Promise.resolve();
  }
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
 * Set up tracing to a JSON-lines file.
 *
 * @param options The file and the service name.
 * @returns Request and run tracers; call `shutdown()` before exiting.
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
  const service = options.serviceName ?? "wt-runner";
  const provider = new BasicTracerProvider({
    spanProcessors: [
      new SimpleSpanProcessor(
        new JsonLinesSpanExporter(options.traceFile, service),
      ),
    ],
  });
  const tracer: Tracer = provider.getTracer("@wt/runner");
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
    shutdown: () => provider.shutdown(),
  };
}
