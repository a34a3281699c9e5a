/**
 * OpenTelemetry spans for task instances. Loaded by `@wt/task` only when a task uses
 * `.withTracing()`, and re-exported in part by `@wt/task/tracing`.
 *
 * @module
 */
import {
  type Attributes,
  type Context,
  context as otelContext,
  createTraceState,
  isSpanContextValid,
  ROOT_CONTEXT,
  type Span,
  type SpanContext,
  SpanStatusCode,
  trace,
  type Tracer,
} from "@opentelemetry/api";
import { isSkip } from "./skip.ts";
import { isThenable } from "./_util.ts";

/**
 * Name of the tracer `@wt/task` asks the global tracer provider for.
 *
 * @example
 * ```ts
 * import { TRACER_NAME } from "@wt/task/tracing";
 *
 * console.assert(TRACER_NAME === "@wt/task");
 * ```
 */
export const TRACER_NAME: string = "@wt/task";

/** Options of `.withTracing()`. */
export interface TracingOptions {
  /** The tracer to record spans with (default: the global provider's `@wt/task` tracer). */
  tracer?: Tracer;
  /** The parent context of the instance span (default: the active context). */
  context?: Context;
}

/** Runs `run` inside a child span of the current instance span. */
export type ChildSpan = (
  name: string,
  attributes: Attributes,
  run: () => unknown,
) => unknown;

function fail(span: Span, e: unknown): void {
  span.recordException(e instanceof Error ? e : String(e));
  span.setStatus({
    code: SpanStatusCode.ERROR,
    message: e instanceof Error ? e.message : String(e),
  });
}

/**
 * Run `body` inside an instance span; `body` gets a function that opens per-call child
 * spans. Errors are recorded on the spans and rethrown.
 *
 * @param options Tracer and parent context.
 * @param name Span name (the task instance id or task name).
 * @param attributes Attributes of the instance span (`method`, `ncalls`, …).
 * @param body The work.
 * @returns What `body` returns.
 */
export async function withInstanceSpan<T>(
  options: TracingOptions,
  name: string,
  attributes: Attributes,
  body: (child: ChildSpan) => T | Promise<T>,
): Promise<T> {
  const tracer = options.tracer ?? trace.getTracer(TRACER_NAME);
  const parent = options.context ?? otelContext.active();
  const span = tracer.startSpan(name, { attributes }, parent);
  const ctx = trace.setSpan(parent, span);
  const child: ChildSpan = (childName, childAttributes, run) => {
    const s = tracer.startSpan(childName, { attributes: childAttributes }, ctx);
    const done = (r: unknown): unknown => {
      if (isSkip(r)) s.setAttribute("wt.skipped", true);
      s.end();
      return r;
    };
    const failed = (e: unknown): never => {
      fail(s, e);
      s.end();
      throw e;
    };
    let r: unknown;
    try {
      r = otelContext.with(trace.setSpan(ctx, s), run);
    } catch (e) {
      return failed(e);
    }
    return isThenable(r) ? Promise.resolve(r).then(done, failed) : done(r);
  };
  try {
    const out = await body(child);
    if (isSkip(out)) span.setAttribute("wt.skipped", true);
    return out;
  } catch (e) {
    fail(span, e);
    throw e;
  } finally {
    span.end();
  }
}

/**
 * A context whose remote parent span is given by a W3C `traceparent` header (as the
 * workflow CLI receives in `TRACEPARENT`), for `.withTracing({ context })`.
 *
 * @param traceparent `00-<32 hex trace id>-<16 hex span id>-<2 hex flags>`.
 * @param tracestate The W3C `tracestate` value, if any.
 * @returns A context carrying the remote span context.
 * @throws {TypeError} When `traceparent` is malformed.
 *
 * @example
 * ```ts
 * import { trace } from "@opentelemetry/api";
 * import { contextFromTraceparent } from "@wt/task/tracing";
 *
 * const ctx = contextFromTraceparent(
 *   "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
 * );
 * console.assert(
 *   trace.getSpanContext(ctx)?.traceId === "0af7651916cd43dd8448eb211c80319c",
 * );
 * ```
 */
export function contextFromTraceparent(
  traceparent: string,
  tracestate?: string,
): Context {
  const m = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/
    .exec(traceparent.trim());
  if (!m || m[1] === "ff") {
    throw new TypeError(
      `malformed traceparent ${JSON.stringify(traceparent)}: expected ` +
        "00-<32 hex trace id>-<16 hex span id>-<2 hex flags>",
    );
  }
  const sc: SpanContext = {
    traceId: m[2] ?? "",
    spanId: m[3] ?? "",
    traceFlags: parseInt(m[4] ?? "0", 16),
    isRemote: true,
  };
  if (tracestate) sc.traceState = createTraceState(tracestate);
  if (!isSpanContextValid(sc)) {
    throw new TypeError(
      `invalid traceparent ${
        JSON.stringify(traceparent)
      }: trace id and span id must not be all zeros`,
    );
  }
  return trace.setSpanContext(ROOT_CONTEXT, sc);
}
