import assert from "node:assert/strict";
import { SpanStatusCode, trace } from "@opentelemetry/api";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import { anyDependencySkipped, SKIP, task } from "./mod.ts";
import { contextFromTraceparent, TRACER_NAME } from "./tracing.ts";
import { sleep } from "./testdata/fixtures.ts";

function setup() {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  return { exporter, tracer: provider.getTracer("test") };
}

function byName(spans: ReadableSpan[], name: string): ReadableSpan {
  const s = spans.find((s) => s.name === name);
  assert.ok(s, `span ${name} in ${spans.map((s) => s.name).join(", ")}`);
  return s;
}

Deno.test("withTracing records an instance span with method and ncalls, and per-call child spans", async () => {
  const { exporter, tracer } = setup();
  const double = task(async ({ n }: { n: number }) => {
    await sleep(1);
    return 2 * n;
  }).setTaskInstanceId("double").withTracing({ tracer });

  assert.deepEqual(await double.map("n", [1, 2, 3]), [2, 4, 6]);
  let spans = exporter.getFinishedSpans();
  assert.equal(spans.length, 4);
  const instance = byName(spans, "double");
  assert.equal(instance.attributes["method"], "map");
  assert.equal(instance.attributes["ncalls"], 3);
  assert.equal(instance.attributes["wt.task_instance_id"], "double");
  for (let i = 0; i < 3; i++) {
    const child = byName(spans, `double[${i}]`);
    assert.equal(child.attributes["wt.index"], i);
    assert.equal(
      child.parentSpanContext?.spanId,
      instance.spanContext().spanId,
    );
    assert.equal(child.spanContext().traceId, instance.spanContext().traceId);
  }

  exporter.reset();
  assert.equal(await double.call({ n: 5 }), 10);
  spans = exporter.getFinishedSpans();
  assert.equal(spans.length, 2);
  const callSpan = spans.find((s) => s.attributes["method"] === "call");
  assert.equal(callSpan?.attributes["ncalls"], 1);

  exporter.reset();
  await double.mapvalues("n", [["a", 1], [2, 2]]);
  spans = exporter.getFinishedSpans();
  const mv = byName(spans, "double");
  assert.equal(mv.attributes["method"], "mapvalues");
  assert.equal(mv.attributes["ncalls"], 2);
  assert.equal(byName(spans, "double[1]").attributes["wt.key"], "2");
});

Deno.test("withTracing records failures and skipped calls", async () => {
  const { exporter, tracer } = setup();
  const t = task(({ x }: { x: number }) => {
    if (x < 0) throw new Error("negative");
    return x;
  }).setTaskInstanceId("checked").skipif([anyDependencySkipped])
    .withTracing({ tracer });
  assert.deepEqual(await t.map("x", [1, SKIP]), [1, SKIP]);
  let spans = exporter.getFinishedSpans();
  assert.equal(byName(spans, "checked[1]").attributes["wt.skipped"], true);
  assert.equal(byName(spans, "checked[0]").attributes["wt.skipped"], undefined);

  exporter.reset();
  await assert.rejects(t.map("x", [1, -1]), /negative/);
  spans = exporter.getFinishedSpans();
  const failed = byName(spans, "checked[1]");
  assert.equal(failed.status.code, SpanStatusCode.ERROR);
  assert.equal(failed.status.message, "negative");
  assert.equal(failed.events[0]?.name, "exception");
  assert.equal(byName(spans, "checked").status.code, SpanStatusCode.ERROR);

  exporter.reset();
  const later = task(async ({ x }: { x: number }) => {
    await sleep(1);
    if (x < 0) throw new Error("negative later");
    return x;
  }).setTaskInstanceId("later").withTracing({ tracer });
  await assert.rejects(later.map("x", [1, -1]), /negative later/);
  spans = exporter.getFinishedSpans();
  const rejected = byName(spans, "later[1]");
  assert.equal(rejected.status.code, SpanStatusCode.ERROR);
  assert.equal(rejected.status.message, "negative later");
  assert.equal(rejected.events[0]?.name, "exception");
});

Deno.test("withTracing uses a parent context from a traceparent", async () => {
  const { exporter, tracer } = setup();
  const traceId = "0af7651916cd43dd8448eb211c80319c";
  const ctx = contextFromTraceparent(`00-${traceId}-b7ad6b7169203331-01`);
  await task(() => 1).setTaskInstanceId("one").withTracing({
    tracer,
    context: ctx,
  }).call();
  const instance = byName(exporter.getFinishedSpans(), "one");
  assert.equal(instance?.spanContext().traceId, traceId);
  assert.equal(instance?.parentSpanContext?.spanId, "b7ad6b7169203331");
});

Deno.test("contextFromTraceparent rejects malformed values", () => {
  for (
    const bad of [
      "",
      "00-xyz-b7ad6b7169203331-01",
      "ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
      "00-00000000000000000000000000000000-b7ad6b7169203331-01",
    ]
  ) {
    assert.throws(() => contextFromTraceparent(bad), TypeError, bad);
  }
  const ctx = contextFromTraceparent(
    "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00",
    "vendor=value",
  );
  assert.equal(trace.getSpanContext(ctx)?.traceState?.get("vendor"), "value");
});

Deno.test("without an SDK, tracing is a no-op that still returns results", async () => {
  assert.equal(TRACER_NAME, "@wt/task");
  const t = task(({ n }: { n: number }) => n + 1).withTracing();
  assert.equal(await t.call({ n: 1 }), 2);
  assert.deepEqual(await t.map("n", [1, 2]), [2, 3]);
});

Deno.test("the main module reaches OpenTelemetry only through a dynamic import", async () => {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", new URL("./mod.ts", import.meta.url).href],
    env: { NO_COLOR: "1" },
  }).output();
  assert.equal(code, 0, new TextDecoder().decode(stderr));
  interface Dep {
    code?: { specifier: string };
    isDynamic?: boolean;
  }
  const info = JSON.parse(new TextDecoder().decode(stdout)) as {
    roots: string[];
    modules: { specifier: string; dependencies?: Dep[] }[];
    redirects: Record<string, string>;
  };
  const bySpec = new Map(info.modules.map((m) => [m.specifier, m]));
  const reach = (dynamic: boolean): Set<string> => {
    const seen = new Set<string>();
    const todo = [...info.roots];
    while (todo.length) {
      const spec = todo.pop() as string;
      const resolved = info.redirects[spec] ?? spec;
      if (seen.has(resolved)) continue;
      seen.add(resolved);
      for (const d of bySpec.get(resolved)?.dependencies ?? []) {
        if (d.code && (dynamic || !d.isDynamic)) todo.push(d.code.specifier);
      }
    }
    return seen;
  };
  const isOtel = (s: string) => s.includes("@opentelemetry");
  assert.ok(![...reach(false)].some(isOtel), "no static path to OpenTelemetry");
  assert.ok([...reach(true)].some(isOtel), "the dynamic import does reach it");
});
