/**
 * Where a process's spans go: a JSON-lines file (`WT_TRACE_FILE`) and/or an OTLP/HTTP
 * collector (`OTEL_EXPORTER_OTLP_ENDPOINT`). Shared by the runner and the generated workflow
 * CLI so that the spans of one run land in the same place.
 *
 * @module
 */
import { SpanKind, SpanStatusCode, type Tracer } from "@opentelemetry/api";
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  type ReadableSpan,
  SimpleSpanProcessor,
  type SpanExporter,
  type SpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import { resourceFromAttributes } from "@opentelemetry/resources";

/** Result of a span export, as OpenTelemetry's `SpanExporter` reports it. */
export interface SpanExportResult {
  /** 0 on success, 1 on failure. */
  code: 0 | 1;
  /** What failed. */
  error?: Error;
}

/**
 * Name of the variable that names a JSON-lines span file.
 *
 * @example
 * ```ts
 * import { TRACE_FILE_ENV } from "@wt/task/tracing";
 *
 * console.assert(TRACE_FILE_ENV === "WT_TRACE_FILE");
 * ```
 */
export const TRACE_FILE_ENV: string = "WT_TRACE_FILE";

/**
 * Name of the variable that gives the base URL of an OTLP/HTTP collector (spans are posted
 * as JSON to `<endpoint>/v1/traces`).
 *
 * @example
 * ```ts
 * import { OTLP_ENDPOINT_ENV } from "@wt/task/tracing";
 *
 * console.assert(OTLP_ENDPOINT_ENV === "OTEL_EXPORTER_OTLP_ENDPOINT");
 * ```
 */
export const OTLP_ENDPOINT_ENV: string = "OTEL_EXPORTER_OTLP_ENDPOINT";

function hrToIso(t: [number, number]): string {
  return new Date(t[0] * 1000 + Math.floor(t[1] / 1e6)).toISOString();
}

/**
 * Writes finished spans to a file, one JSON object per line: service, trace id, span id,
 * parent span id, name, kind, start and end time, duration, status and attributes. Several
 * processes may append to the same file (each batch is one append).
 *
 * @example
 * ```ts
 * import { JsonLinesSpanExporter } from "@wt/task/tracing";
 *
 * const file = await Deno.makeTempFile();
 * const exporter = new JsonLinesSpanExporter(file, "my-service");
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
    this.#file = Deno.openSync(path, { append: true, create: true });
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
    done: (result: SpanExportResult) => void,
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

/**
 * An OTLP/HTTP (JSON) exporter whose npm package is imported on construction, in the
 * background, so that callers stay synchronous and untraced processes never load it.
 */
class LazyOtlpSpanExporter implements SpanExporter {
  #ready: Promise<SpanExporter>;

  constructor(url: string) {
    this.#ready = import("@opentelemetry/exporter-trace-otlp-http").then((m) =>
      new m.OTLPTraceExporter({ url })
    );
    this.#ready.catch(() => {}); // reported by export()/shutdown()
  }

  export(
    spans: ReadableSpan[],
    done: (result: SpanExportResult) => void,
  ): void {
    this.#ready.then(
      (e) => e.export(spans, done),
      (error) => done({ code: 1, error }),
    );
  }

  async shutdown(): Promise<void> {
    await (await this.#ready).shutdown();
  }

  async forceFlush(): Promise<void> {
    await (await this.#ready).forceFlush?.();
  }
}

/** Options of {@linkcode createSpanExport}. */
export interface SpanExportOptions {
  /** `service.name` of the spans. */
  serviceName: string;
  /** Append spans as JSON lines to this file. */
  traceFile?: string | undefined;
  /** Base URL of an OTLP/HTTP collector; spans are posted as JSON to `<url>/v1/traces`. */
  otlpEndpoint?: string | undefined;
}

/** A tracer provider wired to the configured exporters. */
export interface SpanExport {
  /**
   * A tracer of the provider.
   *
   * @param name Instrumentation name.
   * @returns The tracer.
   */
  getTracer(name: string): Tracer;
  /** Export what is pending, then close the exporters; call it before the process exits. */
  shutdown(): Promise<void>;
  /** The variables that make a child process export to the same place. */
  env: Record<string, string>;
}

function otlpUrl(endpoint: string): URL {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new TypeError(
      `${OTLP_ENDPOINT_ENV} ${
        JSON.stringify(endpoint)
      } is not a URL: give the collector's base URL, e.g. http://localhost:4318`,
    );
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new TypeError(
      `${OTLP_ENDPOINT_ENV} ${
        JSON.stringify(endpoint)
      } must be an http:// or https:// URL (OTLP/HTTP)`,
    );
  }
  return new URL(`${url.pathname.replace(/\/+$/, "")}/v1/traces`, url);
}

/**
 * Set up span export to a JSON-lines file and/or an OTLP/HTTP collector. The OTLP exporter
 * (`npm:@opentelemetry/exporter-trace-otlp-http`) is loaded only when an endpoint is given.
 * When this process may not connect to the collector (Deno `--allow-net`), a warning names
 * the flag to add and only the file is used.
 *
 * @param options Service name and destinations (at least one).
 * @returns The tracer provider; call `shutdown()` before exiting.
 * @throws {TypeError} When no destination is given or the endpoint is not an http(s) URL.
 *
 * @example
 * ```ts
 * import { createSpanExport } from "@wt/task/tracing";
 *
 * const traceFile = await Deno.makeTempFile();
 * const spans = createSpanExport({ serviceName: "demo", traceFile });
 * spans.getTracer("demo").startSpan("hello").end();
 * await spans.shutdown();
 * console.assert((await Deno.readTextFile(traceFile)).includes('"hello"'));
 * await Deno.remove(traceFile);
 * ```
 */
export function createSpanExport(options: SpanExportOptions): SpanExport {
  if (!options.traceFile && !options.otlpEndpoint) {
    throw new TypeError(
      "createSpanExport needs traceFile or otlpEndpoint (or both)",
    );
  }
  // Check the endpoint before the trace file is opened, so a bad one leaves no file open.
  const url = options.otlpEndpoint ? otlpUrl(options.otlpEndpoint) : undefined;
  const processors: SpanProcessor[] = [];
  const env: Record<string, string> = {};
  if (options.traceFile) {
    processors.push(
      new SimpleSpanProcessor(
        new JsonLinesSpanExporter(options.traceFile, options.serviceName),
      ),
    );
    env[TRACE_FILE_ENV] = options.traceFile;
  }
  if (url && options.otlpEndpoint) {
    const net = Deno.permissions.querySync({ name: "net", host: url.host });
    if (net.state === "granted") {
      processors.push(
        new BatchSpanProcessor(new LazyOtlpSpanExporter(url.href)),
      );
    } else {
      console.error(
        `warning: not exporting spans to ${url.href}: this process may not connect to ` +
          `${url.host}; run it with --allow-net=${url.host}`,
      );
    }
    env[OTLP_ENDPOINT_ENV] = options.otlpEndpoint;
  }
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ "service.name": options.serviceName }),
    spanProcessors: processors,
  });
  return {
    getTracer: (name) => provider.getTracer(name),
    shutdown: () => provider.shutdown(),
    env,
  };
}

/**
 * Set up span export from the environment: `WT_TRACE_FILE` (JSON-lines file) and
 * `OTEL_EXPORTER_OTLP_ENDPOINT` (OTLP/HTTP collector). Reading a variable this process may
 * not read (Deno `--allow-env`) counts as unset.
 *
 * @param serviceName `service.name` of the spans.
 * @param getEnv Reads a variable (default `Deno.env.get`).
 * @returns The tracer provider, or `undefined` when neither variable is set.
 * @throws {TypeError} When `OTEL_EXPORTER_OTLP_ENDPOINT` is not an http(s) URL.
 *
 * @example
 * ```ts
 * import { spanExportFromEnv } from "@wt/task/tracing";
 *
 * console.assert(spanExportFromEnv("demo", () => undefined) === undefined);
 * ```
 */
export function spanExportFromEnv(
  serviceName: string,
  getEnv: (name: string) => string | undefined = (name) => Deno.env.get(name),
): SpanExport | undefined {
  const read = (name: string): string | undefined => {
    try {
      return getEnv(name) || undefined;
    } catch {
      return undefined;
    }
  };
  const traceFile = read(TRACE_FILE_ENV);
  const otlpEndpoint = read(OTLP_ENDPOINT_ENV);
  if (!traceFile && !otlpEndpoint) return undefined;
  return createSpanExport({ serviceName, traceFile, otlpEndpoint });
}
