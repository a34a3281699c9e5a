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
  FAST_WORKFLOW,
  FAST_WORKFLOW_DIR,
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

async function drive(
  server: ServerProcess,
  o: RunnerBenchOptions,
): Promise<ServerFigures> {
  const body = (i: number) =>
    JSON.stringify({
      workflow: FAST_WORKFLOW,
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

/** Figures of the three servers in one round. */
export interface RoundFigures {
  /** The bare handler. */
  bare: ServerFigures;
  /** The bare handler with one synced SQLite insert per `POST`. */
  bareDurable: ServerFigures;
  /** The runner. */
  runner: ServerFigures;
}

/** What {@linkcode benchRunner} measured: the median round of each server, and every round. */
export interface RunnerBenchResult extends RoundFigures {
  /** Every round, in order (ratios are best taken within a round). */
  rounds: RoundFigures[];
}

/** The figures of one server: the median round by requests per second / latency. */
function medianRound(rounds: ServerFigures[]): ServerFigures {
  const pick = (key: "post" | "get", by: "rps" | "p50Ms") => {
    const sorted = rounds.map((r) => r[key]).sort((a, b) => a[by] - b[by]);
    return sorted[sorted.length >> 1]!;
  };
  return { post: pick("post", "rps"), get: pick("get", "p50Ms") };
}

/**
 * Measure the runner and the bare baselines, in interleaved rounds (bare, bare durable,
 * runner, bare, …) so that other load on the machine hits them alike; each figure is the
 * median round.
 *
 * @param work A temporary folder for the runner's workflows and data.
 * @param o Load sizes (per phase of each round).
 * @param rounds Rounds.
 * @returns Figures of the three servers.
 */
export async function benchRunner(
  work: string,
  o: RunnerBenchOptions,
  rounds = 3,
): Promise<RunnerBenchResult> {
  const workflows = join(work, "workflows");
  await copyTree(FAST_WORKFLOW_DIR, join(workflows, FAST_WORKFLOW));
  const servers: ServerProcess[] = [];
  try {
    const bare = await startServer([
      "run",
      "--allow-net",
      join(ROOT, "scripts", "bench", "bare_server.ts"),
    ]);
    servers.push(bare);
    const durable = await startServer([
      "run",
      "--allow-net",
      "--allow-read",
      "--allow-write",
      join(ROOT, "scripts", "bench", "bare_server.ts"),
      "--durable",
      join(work, "bare.db"),
    ]);
    servers.push(durable);
    const runner = await startRunner(workflows, join(work, "data"), [
      "--concurrency",
      "1",
    ]);
    servers.push(runner);
    const res = await fetch(`${runner.url}/runs`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        workflow: FAST_WORKFLOW,
        params: { work: { ms: 600_000 } },
      }),
    });
    await res.body?.cancel();
    if (res.status !== 202) {
      throw new Error(
        `the runner refused the blocking run: HTTP ${res.status}`,
      );
    }
    const figures: ServerFigures[][] = [[], [], []];
    for (let r = 0; r < rounds; r++) {
      for (const [i, server] of servers.entries()) {
        figures[i]!.push(await drive(server, o));
      }
    }
    return {
      bare: medianRound(figures[0]!),
      bareDurable: medianRound(figures[1]!),
      runner: medianRound(figures[2]!),
      rounds: figures[0]!.map((bare, i) => ({
        bare,
        bareDurable: figures[1]![i]!,
        runner: figures[2]![i]!,
      })),
    };
  } finally {
    await Promise.all(servers.map((s) => s.stop("SIGTERM", 20_000)));
  }
}
