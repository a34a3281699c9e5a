/**
 * Runner throughput and latency against a bare `Deno.serve` handler, both as child
 * processes on loopback, driven by the same load generator.
 *
 * The runner gets one workflow (`scripts/stress/testdata/workflows/wt-fast-workflow`) and a
 * concurrency of 1; a first run that sleeps holds the only slot, so every run the load
 * submits is validated, stored (fsynced, `synchronous=FULL`) and queued, and no workflow
 * process competes with the measurement for the CPU.
 *
 * @module
 */
import { join } from "node:path";
import { load, type LoadResult } from "./_load.ts";
import {
  copyTree,
  ROOT,
  type ServerProcess,
  startRunner,
  startServer,
} from "./_process.ts";

/** Sizes of the runner benchmark. */
export interface RunnerBenchOptions {
  /** Connections of the load generator. */
  concurrency: number;
  /** Most requests per phase. */
  maxRequests: number;
  /** Most milliseconds per phase. */
  maxMs: number;
}

/** Results of one server under load. */
export interface ServerFigures {
  /** `POST /runs` under load. */
  post: LoadResult;
  /** `GET /runs/{id}` under load. */
  get: LoadResult;
}

const FIXTURE = join(
  ROOT,
  "scripts",
  "stress",
  "testdata",
  "workflows",
  "wt-fast-workflow",
);

async function drive(
  server: ServerProcess,
  o: RunnerBenchOptions,
): Promise<ServerFigures> {
  const body = (i: number) =>
    JSON.stringify({
      workflow: "wt-fast-workflow",
      params: { work: { value: i } },
    });
  const post = (i: number) =>
    fetch(`${server.url}/runs`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: body(i),
    });
  // Warm-up (JIT, SQLite page cache), not measured.
  await load({
    concurrency: o.concurrency,
    maxRequests: 200,
    maxMs: 5000,
    send: post,
  });
  const posted = await load({
    concurrency: o.concurrency,
    maxRequests: o.maxRequests,
    maxMs: o.maxMs,
    send: post,
    ok: (res) => res.status === 202,
  }, true);
  const ids = [...posted.bodies.values()].map((b) =>
    (JSON.parse(b) as { id: string }).id
  );
  if (ids.length === 0) {
    throw new Error(
      `no run was accepted: ${
        posted.errorSamples.join("; ")
      }\n${server.stderr()}`,
    );
  }
  const get = await load({
    concurrency: o.concurrency,
    maxRequests: o.maxRequests,
    maxMs: o.maxMs,
    send: (i) => fetch(`${server.url}/runs/${ids[i % ids.length]}`),
    ok: (res, text, i) =>
      res.status === 200 &&
      (JSON.parse(text) as { id: string }).id === ids[i % ids.length],
  });
  return { post: posted, get };
}

/**
 * Measure the runner and the bare baseline.
 *
 * @param work A temporary folder for the runner's workflows and data.
 * @param o Load sizes.
 * @returns Figures of both servers.
 */
export async function benchRunner(
  work: string,
  o: RunnerBenchOptions,
): Promise<{ runner: ServerFigures; bare: ServerFigures }> {
  const workflows = join(work, "workflows");
  await copyTree(FIXTURE, join(workflows, "wt-fast-workflow"));
  const bare = await startServer([
    "run",
    "--allow-net",
    join(ROOT, "scripts", "bench", "bare_server.ts"),
  ]);
  let bareFigures: ServerFigures;
  try {
    bareFigures = await drive(bare, o);
  } finally {
    await bare.stop();
  }
  const runner = await startRunner(workflows, join(work, "data"), [
    "--concurrency",
    "1",
  ]);
  let runnerFigures: ServerFigures;
  try {
    const res = await fetch(`${runner.url}/runs`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        workflow: "wt-fast-workflow",
        params: { work: { ms: 600_000 } },
      }),
    });
    await res.body?.cancel();
    if (res.status !== 202) {
      throw new Error(
        `the runner refused the blocking run: HTTP ${res.status}`,
      );
    }
    runnerFigures = await drive(runner, o);
  } finally {
    await runner.stop("SIGTERM", 20_000);
  }
  return { runner: runnerFigures, bare: bareFigures };
}
