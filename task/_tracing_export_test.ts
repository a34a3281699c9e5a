import assert from "node:assert/strict";
import { ROOT_CONTEXT, trace } from "@opentelemetry/api";
import {
  createSpanExport,
  OTLP_ENDPOINT_ENV,
  spanExportFromEnv,
  TRACE_FILE_ENV,
} from "./tracing.ts";

Deno.test("createSpanExport writes one JSON line per span with parent links", async () => {
  const traceFile = await Deno.makeTempFile({ suffix: ".jsonl" });
  try {
    const spans = createSpanExport({ serviceName: "svc", traceFile });
    assert.deepEqual(spans.env, { [TRACE_FILE_ENV]: traceFile });
    const tracer = spans.getTracer("t");
    const parent = tracer.startSpan("parent");
    tracer.startSpan(
      "child",
      { attributes: { n: 2 } },
      trace.setSpan(ROOT_CONTEXT, parent),
    ).end();
    parent.end();
    await spans.shutdown();
    const lines = (await Deno.readTextFile(traceFile)).trim().split("\n").map(
      (l) => JSON.parse(l),
    );
    assert.deepEqual(lines.map((l) => l.name), ["child", "parent"]);
    const [child, root] = lines;
    assert.equal(child.service, "svc");
    assert.equal(child.trace_id, root.trace_id);
    assert.equal(child.parent_span_id, root.span_id);
    assert.equal(root.parent_span_id, null);
    assert.deepEqual(child.attributes, { n: 2 });
  } finally {
    await Deno.remove(traceFile);
  }
});

/** How many file descriptors this process holds (Linux), or -1 when unknown. */
function openFiles(): number {
  try {
    return [...Deno.readDirSync("/proc/self/fd")].length;
  } catch {
    return -1;
  }
}

Deno.test("spanExportFromEnv reads WT_TRACE_FILE and OTEL_EXPORTER_OTLP_ENDPOINT", async (t) => {
  await t.step("nothing set: no export", () => {
    assert.equal(spanExportFromEnv("svc", () => undefined), undefined);
    assert.equal(spanExportFromEnv("svc", () => ""), undefined);
  });
  await t.step("a variable that may not be read counts as unset", () => {
    const denied = () => {
      throw new Deno.errors.NotCapable("no env access");
    };
    assert.equal(spanExportFromEnv("svc", denied), undefined);
  });
  await t.step("a malformed endpoint is a clear error", () => {
    const env = { [OTLP_ENDPOINT_ENV]: "localhost:4318" };
    assert.throws(
      () => spanExportFromEnv("svc", (n) => env[n]),
      (e: unknown) =>
        e instanceof TypeError &&
        /OTEL_EXPORTER_OTLP_ENDPOINT "localhost:4318"/.test(e.message),
    );
  });
  await t.step(
    "a malformed endpoint next to a trace file leaves no file open",
    async () => {
      const traceFile = await Deno.makeTempFile({ suffix: ".jsonl" });
      const before = openFiles();
      try {
        assert.throws(
          () =>
            createSpanExport({
              serviceName: "svc",
              traceFile,
              otlpEndpoint: "localhost:4318",
            }),
          TypeError,
        );
        assert.equal(openFiles(), before, "no file descriptor left open");
      } finally {
        await Deno.remove(traceFile);
      }
    },
  );
  await t.step("no destination at all is refused", () => {
    assert.throws(() => createSpanExport({ serviceName: "svc" }), TypeError);
  });
});

interface OtlpBody {
  resourceSpans: Array<{
    resource: {
      attributes: Array<{ key: string; value: { stringValue?: string } }>;
    };
    scopeSpans: Array<{
      spans: Array<
        {
          name: string;
          traceId: string;
          spanId: string;
          parentSpanId?: string;
        }
      >;
    }>;
  }>;
}

Deno.test("createSpanExport posts OTLP/HTTP JSON to <endpoint>/v1/traces", async () => {
  const received: Array<{ path: string; type: string | null; body: OtlpBody }> =
    [];
  const ac = new AbortController();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, signal: ac.signal, onListen: () => {} },
    async (req) => {
      received.push({
        path: new URL(req.url).pathname,
        type: req.headers.get("content-type"),
        body: await req.json(),
      });
      return Response.json({});
    },
  );
  try {
    const spans = createSpanExport({
      serviceName: "otlp-svc",
      otlpEndpoint: `http://127.0.0.1:${server.addr.port}/`,
    });
    assert.deepEqual(spans.env, {
      [OTLP_ENDPOINT_ENV]: `http://127.0.0.1:${server.addr.port}/`,
    });
    const tracer = spans.getTracer("t");
    const parent = tracer.startSpan("parent");
    tracer.startSpan("child", {}, trace.setSpan(ROOT_CONTEXT, parent)).end();
    parent.end();
    await spans.shutdown(); // flushes the batch
    assert.equal(received.length, 1, "one batch");
    const { path, type, body } = received[0]!;
    assert.equal(path, "/v1/traces");
    assert.match(type ?? "", /application\/json/);
    const rs = body.resourceSpans[0]!;
    assert.ok(
      rs.resource.attributes.some((a) =>
        a.key === "service.name" && a.value.stringValue === "otlp-svc"
      ),
    );
    const got = rs.scopeSpans.flatMap((s) => s.spans);
    const byName = Object.fromEntries(got.map((s) => [s.name, s]));
    assert.deepEqual(Object.keys(byName).sort(), ["child", "parent"]);
    assert.equal(byName.child!.traceId, parent.spanContext().traceId);
    assert.equal(byName.child!.parentSpanId, parent.spanContext().spanId);
  } finally {
    ac.abort();
    await server.finished;
  }
});
