/**
 * The runner's command line: `deno task runner --port P --workflows DIR --data DIR`.
 *
 * Options: `--port` (default 8000; `0` picks a free port), `--hostname` (default
 * `127.0.0.1`), `--workflows` (folder of compiled workflow workspaces), `--data` (run store,
 * logs, results), `--concurrency` (default 2), `--max-body-bytes` (default 1 MiB),
 * `--timeout` (default run timeout, seconds), `--trace-file` (JSON-lines spans),
 * `--deno` (the `deno` that runs workflow CLIs), and the `--cloud-batch-*` options, which let
 * runs ask for `"invoker": "cloud-batch"` (`@wt/runner/gcp`, imported only then).
 * `WT_RUNNER_TOKEN` turns on bearer-token
 * authentication for everything except `GET /`. `OTEL_EXPORTER_OTLP_ENDPOINT` sends spans
 * to an OTLP/HTTP collector. Workflow processes get the same trace destinations
 * (`WT_TRACE_FILE`, `OTEL_EXPORTER_OTLP_ENDPOINT`), so their task spans join the run's.
 *
 * Once listening it prints one JSON line to stdout:
 * `{"event":"listening","hostname":…,"port":…,"url":…}`. SIGINT/SIGTERM stop it
 * gracefully (local runs in flight are stopped and recorded `interrupted`; Cloud Batch runs
 * are left to their jobs and re-attached at the next start; queued runs stay queued).
 *
 * @example
 * ```sh
 * WT_RUNNER_TOKEN=s3cret deno task runner --port 8000 --workflows ./workflows --data ./data
 * ```
 *
 * @module
 */
import { parseArgs } from "node:util";
import { join, resolve } from "node:path";
import { createApp, DEFAULT_MAX_BODY_BYTES } from "./app.ts";
import { RunStore } from "./store.ts";
import { WorkflowRegistry } from "./workflows.ts";
import {
  combineInvokerFactories,
  localInvokerFactory,
} from "./invoker_factory.ts";
import type { InvokerFactory } from "./run_manager.ts";
import { createTracing, type RunnerTracing } from "./tracing.ts";

const USAGE =
  `usage: deno task runner --workflows DIR --data DIR [--port 8000] [--hostname 127.0.0.1]
       [--concurrency 2] [--max-body-bytes ${DEFAULT_MAX_BODY_BYTES}] [--timeout SECONDS]
       [--trace-file FILE] [--deno PATH]
       [--cloud-batch-project P --cloud-batch-region R --cloud-batch-results gs://BUCKET/PREFIX
        (--cloud-batch-image-prefix PREFIX | --cloud-batch-image IMAGE)
        [--cloud-batch-service-account EMAIL] [--cloud-batch-machine-type TYPE]]
       Cloud Batch: runs may ask for "invoker": "cloud-batch"; images are
       <PREFIX>/<release name>:<VERSION>; run <id> writes <results>/<id>/result.json
env:   WT_RUNNER_TOKEN  bearer token required by every request except GET /
       OTEL_EXPORTER_OTLP_ENDPOINT  OTLP/HTTP collector for spans (e.g. http://localhost:4318)`;

function fail(message: string): never {
  console.error(`wt-runner: ${message}\n${USAGE}`);
  Deno.exit(2);
}

function positive(name: string, text: string | undefined, integer: boolean) {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) {
    fail(
      `--${name} must be a positive ${
        integer ? "integer" : "number"
      }, got '${text}'`,
    );
  }
  return n;
}

async function main(argv: string[]): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        port: { type: "string", default: "8000" },
        hostname: { type: "string", default: "127.0.0.1" },
        workflows: { type: "string" },
        data: { type: "string" },
        concurrency: { type: "string" },
        "max-body-bytes": { type: "string" },
        timeout: { type: "string" },
        "trace-file": { type: "string" },
        deno: { type: "string" },
        "cloud-batch-project": { type: "string" },
        "cloud-batch-region": { type: "string" },
        "cloud-batch-image-prefix": { type: "string" },
        "cloud-batch-image": { type: "string" },
        "cloud-batch-results": { type: "string" },
        "cloud-batch-service-account": { type: "string" },
        "cloud-batch-machine-type": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    fail((e as Error).message);
  }
  if (values.help) {
    console.log(USAGE);
    return;
  }
  if (!values.workflows) fail("--workflows DIR is required");
  if (!values.data) fail("--data DIR is required");
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    fail(`--port must be 0–65535, got '${values.port}'`);
  }
  const maxBodyBytes = positive(
    "max-body-bytes",
    values["max-body-bytes"],
    true,
  );
  const concurrency = positive("concurrency", values.concurrency, true);
  const defaultTimeout = positive("timeout", values.timeout, false);
  const cloudBatchFlags = Object.keys(values).filter((k) =>
    k.startsWith("cloud-batch-")
  );
  if (cloudBatchFlags.length > 0) {
    const missing = ["project", "region", "results"].filter((k) =>
      !values[`cloud-batch-${k}` as "cloud-batch-project"]
    );
    if (!values["cloud-batch-image-prefix"] && !values["cloud-batch-image"]) {
      missing.push("image-prefix (or --cloud-batch-image)");
    }
    if (missing.length > 0) {
      fail(
        `Cloud Batch needs ${
          missing.map((m) => `--cloud-batch-${m}`).join(", ")
        } (given: ${cloudBatchFlags.map((f) => `--${f}`).join(", ")})`,
      );
    }
  }
  const dataDir = resolve(values.data);
  await Deno.mkdir(join(dataDir, "runs"), { recursive: true });
  let workflows: WorkflowRegistry;
  try {
    workflows = await WorkflowRegistry.fromDirectory(resolve(values.workflows));
  } catch (e) {
    fail(
      `cannot load workflows from ${values.workflows}: ${(e as Error).message}`,
    );
  }
  const store = new RunStore(join(dataDir, "runs.db"));
  const otlpEndpoint = Deno.env.get("OTEL_EXPORTER_OTLP_ENDPOINT") ||
    undefined;
  let tracing: RunnerTracing | undefined;
  if (values["trace-file"] || otlpEndpoint) {
    try {
      tracing = createTracing({
        traceFile: values["trace-file"] && resolve(values["trace-file"]),
        otlpEndpoint,
      });
    } catch (e) {
      fail(`cannot set up tracing: ${(e as Error).message}`);
    }
  }
  const token = Deno.env.get("WT_RUNNER_TOKEN") || undefined;
  if (!token && !/^(127\.|localhost$|::1$|\[::1\]$)/.test(values.hostname)) {
    console.error(
      `wt-runner: warning: listening on ${values.hostname} without WT_RUNNER_TOKEN: anyone who can reach it can run workflows`,
    );
  }
  let invokerFactory: InvokerFactory = localInvokerFactory({
    denoPath: values.deno ?? "deno",
  });
  let cloudBatch: { close(): Promise<void> } | undefined;
  if (cloudBatchFlags.length > 0) {
    // Loads @google-cloud/batch: only when Cloud Batch is configured.
    const gcp = await import("./gcp.ts");
    try {
      const factory = gcp.cloudBatchInvokerFactory({
        project: values["cloud-batch-project"]!,
        region: values["cloud-batch-region"]!,
        results: values["cloud-batch-results"]!,
        imagePrefix: values["cloud-batch-image-prefix"],
        image: values["cloud-batch-image"],
        serviceAccount: values["cloud-batch-service-account"],
        machineType: values["cloud-batch-machine-type"],
      });
      cloudBatch = factory;
      invokerFactory = combineInvokerFactories(invokerFactory, factory);
    } catch (e) {
      fail((e as Error).message);
    }
  }
  const runner = createApp({
    store,
    workflows,
    invokerFactory,
    dataDir,
    token,
    maxBodyBytes,
    concurrency,
    defaultTimeout,
    tracing,
    denoPath: values.deno ?? "deno",
  });
  const { interrupted, requeued, reattached } = runner.recovered;
  if (interrupted.length || requeued.length || reattached.length) {
    console.error(
      `wt-runner: recovered ${interrupted.length} interrupted run(s) (marked failed), re-queued ${requeued.length}` +
        ` and re-attached ${reattached.length} Cloud Batch run(s)`,
    );
  }
  // Listen once the workflow processes a killed runner left behind are stopped (and their
  // runs recorded `interrupted`): nothing new starts before that.
  await runner.manager.recovery;
  const server = Deno.serve({
    port,
    hostname: values.hostname,
    onListen: (addr) => {
      const url = `http://${addr.hostname}:${addr.port}/`;
      console.log(JSON.stringify({
        event: "listening",
        hostname: addr.hostname,
        port: addr.port,
        url,
        workflows: workflows.list().map((w) => w.name),
        auth: token !== undefined,
      }));
    },
  }, runner.app.fetch);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.error(`wt-runner: ${signal}, shutting down`);
    await server.shutdown();
    await runner.close();
    await cloudBatch?.close();
    store.close();
    await tracing?.shutdown();
    Deno.exit(0);
  };
  Deno.addSignalListener("SIGINT", () => void stop("SIGINT"));
  Deno.addSignalListener("SIGTERM", () => void stop("SIGTERM"));
  await server.finished;
}

if (import.meta.main) {
  await main(Deno.args);
}
