/**
 * `deno task bench`: every benchmark of the repository, as ratios to baselines measured in
 * the same run. Prints a table and writes `bench/results.json`.
 *
 * Sections (`--only a,b` runs some of them):
 * - `baseline`: wall time of `deno run` of an empty script (the unit of whole-process figures).
 * - `runtime`: `deno bench --json scripts/bench/runtime_bench.ts` — per `call` and per `map`
 *   element overhead of `@wt/task` on 100 000 trivial elements vs plain loops.
 * - `discovery`: sandboxed task discovery (`discover()`), cold (empty cache: resolve +
 *   sandboxed registry CLI) and cached, vs an empty `deno run`.
 * - `compile`: `wt-compiler compile` of generated specs with 10, 100 and 500 task instances
 *   (warm discovery cache), vs an empty `deno run`.
 * - `dag`: the compiled parallel executor (`src/dag_parallel.ts` of a compiled workflow) on
 *   wide, deep and lattice DAGs of sleeping tasks: makespan / critical-path time (limit 1).
 * - `runner`: `POST /runs` accepted per second and `GET /runs/{id}` latency under a loopback
 *   load generator vs a bare `Deno.serve` handler.
 *
 * Options: `--only SECTIONS`, `--quick` (fewer repetitions), `--out FILE` (default
 * `bench/results.json`; `-` for none).
 *
 * @module
 */
import { join } from "node:path";
import { parseArgs } from "node:util";
import { discover } from "../../compiler/discovery.ts";
import { parseSpec } from "../../compiler/parse.ts";
import { type DagShape, dagSpec, sizedSpec } from "./specs.ts";
import { median, ROOT, timeDeno } from "./_process.ts";
import { benchRunner } from "./_runner_bench.ts";
import { onlyOf } from "../_only.ts";

/** One reported figure. */
export interface Figure {
  /** Section. */
  section: string;
  /** What was measured. */
  name: string;
  /** The measured value. */
  value: number;
  /** Unit of `value` and `baseline`. */
  unit: string;
  /** What the value is divided by. */
  baselineName: string;
  /** The baseline value (same unit). */
  baseline: number;
  /** value / baseline. */
  ratio: number;
  /** The best possible ratio, when there is one. */
  limit?: number | undefined;
  /** Where the remaining time goes, how it was measured. */
  note?: string | undefined;
}

const SECTIONS = [
  "baseline",
  "runtime",
  "discovery",
  "compile",
  "dag",
  "runner",
] as const;
type Section = typeof SECTIONS[number];

const { values: opts } = parseArgs({
  args: Deno.args,
  options: {
    only: { type: "string" },
    quick: { type: "boolean", default: false },
    out: { type: "string", default: join(ROOT, "bench", "results.json") },
  },
  strict: true,
});
const only = onlyOf("bench", "section", opts.only, SECTIONS);
const quick = opts.quick;
const figures: Figure[] = [];
const failures: string[] = [];
const log = (text: string) => console.error(`bench: ${text}`);

function add(f: Omit<Figure, "ratio"> & { ratio?: number }): void {
  const fig = { ...f, ratio: f.ratio ?? f.value / f.baseline };
  figures.push(fig);
  log(
    `${f.section} / ${f.name}: ${fmt(f.value)} ${f.unit} vs ${
      fmt(f.baseline)
    } → ×${fmt(fig.ratio)}`,
  );
}

function fmt(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (Math.abs(x) >= 100) return x.toFixed(0);
  if (Math.abs(x) >= 10) return x.toFixed(1);
  if (Math.abs(x) >= 1) return x.toFixed(2);
  return x.toPrecision(2);
}

const work = await Deno.makeTempDir({ prefix: "wt-bench-" });
// A private discovery cache, so "cold" and "warm" mean what they say.
const cacheHome = join(work, "xdg-cache");
// XDG_CACHE_HOME also moves Deno's own cache unless DENO_DIR is set: keep that one.
const denoDir = await (async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json"],
    stdout: "piped",
    stderr: "null",
  }).output();
  return (JSON.parse(new TextDecoder().decode(out.stdout)) as {
    denoDir: string;
  }).denoDir;
})();
const compilerEnv = { XDG_CACHE_HOME: cacheHome, DENO_DIR: denoDir };
const started = new Date();

async function emptyRun(): Promise<number> {
  const empty = join(work, "empty.ts");
  await Deno.writeTextFile(empty, "");
  await timeDeno(["run", empty]); // warm the file system cache
  const samples: number[] = [];
  for (let i = 0; i < (quick ? 5 : 9); i++) {
    samples.push(await timeDeno(["run", empty]));
  }
  return median(samples);
}

// --- runtime (Deno.bench) ----------------------------------------------------------------
interface BenchJson {
  benches: {
    origin: string;
    group: string | null;
    name: string;
    baseline: boolean;
    results: { ok?: { min: number; avg: number; n: number } }[];
  }[];
}

async function runtime(): Promise<void> {
  log("runtime: deno bench -A --json (every *_bench.ts of the workspace)");
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["bench", "-A", "--json"],
    cwd: ROOT,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  // A failing bench elsewhere in the workspace makes `deno bench` exit 1 but still prints
  // the JSON of every bench: use what ran, report the failure.
  let data: BenchJson;
  try {
    data = JSON.parse(new TextDecoder().decode(out.stdout)) as BenchJson;
  } catch {
    throw new Error(
      `deno bench failed (code ${out.code}):\n${
        new TextDecoder().decode(out.stderr)
      }`,
    );
  }
  if (!out.success) {
    failures.push(
      `runtime: deno bench exited ${out.code}; failed benches are left out`,
    );
  }
  const N = 100_000;
  const groups = new Map<string, BenchJson["benches"]>();
  for (const b of data.benches) {
    const g = `${b.origin}#${b.group ?? ""}`;
    groups.set(g, [...(groups.get(g) ?? []), b]);
  }
  for (const [key, benches] of groups) {
    const [origin, group] = key.split("#") as [string, string];
    const file = origin.replace(
      `file://${ROOT}/`,
      "",
    );
    const ours = file === "scripts/bench/runtime_bench.ts";
    const base = benches.find((b) => b.baseline);
    const baseOk = base?.results[0]?.ok;
    if (!base || !baseOk) continue;
    for (const b of benches) {
      const ok = b.results[0]?.ok;
      if (b === base || !ok) continue;
      const perElement = (ok.min - baseOk.min) / N;
      add({
        section: "runtime",
        name: ours
          ? `${group}: ${b.name} (100 000 elements)`
          : `${file} ${group}: ${b.name}`,
        value: ok.min / 1e6,
        unit: "ms",
        baselineName: base.name,
        baseline: baseOk.min / 1e6,
        note: ours
          ? `${
            perElement.toFixed(0)
          } ns overhead per element (fastest of ${ok.n} iterations)`
          : `fastest of ${ok.n} iterations`,
      });
    }
  }
}

// --- discovery ---------------------------------------------------------------------------
async function discovery(baseMs: number): Promise<void> {
  const specDir = join(ROOT, "examples", "chaining-tasks");
  const { spec } = parseSpec(
    await Deno.readTextFile(join(specDir, "spec.yaml")),
    "spec.yaml",
  );
  if (!spec) {
    throw new Error("examples/chaining-tasks/spec.yaml does not parse");
  }
  const cold: number[] = [];
  const cached: number[] = [];
  // Time per phase of the cold runs (prepare → resolve → sandbox → done).
  const phaseMs: Record<string, number[]> = {};
  for (let i = 0; i < (quick ? 1 : 3); i++) {
    const cacheDir = join(work, `discovery-cache-${i}`);
    let t0 = performance.now();
    let phase = "";
    let last = t0;
    const onPhase = (p: string) => {
      const now = performance.now();
      if (phase) (phaseMs[phase] ??= []).push(now - last);
      phase = p;
      last = now;
    };
    await discover(spec.requirements, {
      specDir,
      link: ROOT,
      cacheDir,
      onPhase,
    });
    cold.push(performance.now() - t0);
    for (let j = 0; j < 3; j++) {
      t0 = performance.now();
      await discover(spec.requirements, { specDir, link: ROOT, cacheDir });
      cached.push(performance.now() - t0);
    }
  }
  add({
    section: "discovery",
    name: "cold (empty cache: resolve + sandboxed registry CLI)",
    value: median(cold),
    unit: "ms",
    baselineName: "deno run of an empty script",
    baseline: baseMs,
    limit: 2,
    note:
      `two deno children (deno cache, then the sandboxed registry CLI importing the library), so about 2 empty runs plus the library's import time; median per phase: ${
        Object.entries(phaseMs).map(([p, ms]) =>
          `${p} ${median(ms).toFixed(0)} ms`
        )
          .join(", ")
      } (the first run also asks \`deno info\` where the module cache is, once per process)`,
  });
  add({
    section: "discovery",
    name: "cached (content hash of the requirement folders, cache hit)",
    value: median(cached),
    unit: "ms",
    baselineName: "deno run of an empty script",
    baseline: baseMs,
    note:
      "in-process: hashing the library and linked @wt folders, reading one JSON file",
  });
}

// --- compile -----------------------------------------------------------------------------
function compileArgs(spec: string, outDir: string): string[] {
  return [
    "run",
    "-A",
    join(ROOT, "compiler", "mod.ts"),
    "compile",
    spec,
    "--out-dir",
    outDir,
    "--link",
    ROOT,
    "--no-progress",
  ];
}

async function compileSizes(baseMs: number): Promise<void> {
  const customTasks = join(ROOT, "examples", "custom-tasks");
  let k = 0;
  for (const n of [10, 100, 500]) {
    const dir = join(work, `spec-${n}`);
    await Deno.mkdir(dir, { recursive: true });
    const spec = join(dir, "spec.yaml");
    await Deno.writeTextFile(spec, sizedSpec(n, customTasks).yaml);
    // Warm-up: fills the discovery cache (first size) and the module cache.
    await timeDeno(compileArgs(spec, join(work, `out-${k++}`)), {
      env: compilerEnv,
    });
    const samples: number[] = [];
    for (let i = 0; i < (quick ? 1 : 3); i++) {
      samples.push(
        await timeDeno(compileArgs(spec, join(work, `out-${k++}`)), {
          env: compilerEnv,
        }),
      );
    }
    const phases = await compilePhases(spec, join(work, `out-${k++}`));
    const total = Object.values(phases).reduce((a, b) => a + b, 0);
    add({
      section: "compile",
      name: `${n} task instances (warm discovery cache)`,
      value: median(samples),
      unit: "ms",
      baselineName: "deno run of an empty script",
      baseline: baseMs,
      note: `whole process; one compilation in a fresh process spends ${
        Object.entries(phases).map(([p, ms]) =>
          `${p} ${ms.toFixed(0)} ms (${(100 * ms / total).toFixed(0)}%)`
        ).join(", ")
      }`,
    });
  }
}

/** Phase timings of one compilation (`scripts/bench/compile_phases.ts`). */
async function compilePhases(
  spec: string,
  outDir: string,
): Promise<Record<string, number>> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      join(ROOT, "scripts", "bench", "compile_phases.ts"),
      spec,
      outDir,
      "--link",
      ROOT,
    ],
    cwd: ROOT,
    env: { NO_COLOR: "1", ...compilerEnv },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) {
    throw new Error(
      `compile_phases.ts failed:\n${new TextDecoder().decode(out.stderr)}`,
    );
  }
  return (JSON.parse(new TextDecoder().decode(out.stdout)) as {
    phases: Record<string, number>;
  }).phases;
}

// --- parallel executor -------------------------------------------------------------------
const DRIVER =
  `// Written by scripts/bench/run.ts: times the parallel executor in-process, and the
// same DAG shape built from bare setTimeout promises (the floor any executor has here).
import { runWorkflow } from "./src/dag_parallel.ts";
const { reps, shape, width, depth, ms } = JSON.parse(Deno.args[0]);
const sleep = () =>
  ms === 0 ? Promise.resolve() : new Promise((r) => setTimeout(r, ms));
const layer = (n) => Promise.all(Array.from({ length: n }, sleep));
async function plain() {
  if (shape === "wide") {
    await sleep();
    await layer(width);
    await sleep();
  } else if (shape === "deep") {
    for (let i = 0; i < depth; i++) await sleep();
  } else {
    for (let i = 0; i < depth; i++) await layer(width);
    await sleep();
  }
}
async function time(f) {
  const t0 = performance.now();
  await f();
  return performance.now() - t0;
}
const run = () => runWorkflow({}, { mockIo: false, concurrency: 16 });
await run(); // warm-up
await plain();
const times = [];
const floor = [];
for (let i = 0; i < reps; i++) {
  times.push(await time(run));
  floor.push(await time(plain));
}
console.log(JSON.stringify({ times, floor }));
`;

async function dag(): Promise<void> {
  const sleepTasks = join(ROOT, "scripts", "bench", "tasks");
  const shapes: [DagShape, { width: number; depth: number; ms: number }][] = [
    ["wide", { width: 200, depth: 1, ms: 100 }],
    ["deep", { width: 1, depth: 40, ms: 25 }],
    ["lattice", { width: 20, depth: 10, ms: 50 }],
    // Instant tasks: what the executor costs per instance, with no timer in the way.
    ["deep", { width: 1, depth: 200, ms: 0 }],
  ];
  for (const [shape, size] of shapes) {
    const dir = join(work, `dag-${shape}-${size.ms}`);
    await Deno.mkdir(dir, { recursive: true });
    const d = dagSpec(shape, size, sleepTasks);
    const spec = join(dir, "spec.yaml");
    await Deno.writeTextFile(spec, d.yaml);
    const out = join(dir, "out");
    await timeDeno(compileArgs(spec, out), { env: compilerEnv });
    const ws = join(out, `wt-${d.id.replaceAll("_", "-")}-workflow`);
    await Deno.writeTextFile(join(ws, "bench_driver.js"), DRIVER);
    const res = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        "bench_driver.js",
        JSON.stringify({
          reps: size.ms === 0 ? 20 : quick ? 2 : 5,
          shape,
          ...size,
        }),
      ],
      cwd: ws,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      env: { NO_COLOR: "1" },
    }).output();
    if (!res.success) {
      throw new Error(
        `the ${shape} DAG driver failed:\n${
          new TextDecoder().decode(res.stderr)
        }`,
      );
    }
    const { times, floor } = JSON.parse(
      new TextDecoder().decode(res.stdout),
    ) as { times: number[]; floor: number[] };
    const makespan = median(times);
    const plain = median(floor);
    if (size.ms === 0) {
      add({
        section: "dag",
        name: `deep: chain of ${d.instances} instant instances`,
        value: makespan,
        unit: "ms",
        baselineName: "a plain chain of as many awaited promises",
        baseline: plain,
        note: `compiled parallel DAG, median of ${times.length}: ${
          (makespan / d.instances * 1000).toFixed(0)
        } µs per instance (building the instance's task wrapper, validating its arguments, error and tracing wrappers, awaiting its inputs)`,
      });
      continue;
    }
    add({
      section: "dag",
      name: `${shape}: ${d.instances} sleeping instances (${
        shape === "deep"
          ? `chain of ${size.depth} × ${size.ms} ms`
          : shape === "wide"
          ? `root → ${size.width} × ${size.ms} ms → join`
          : `${size.depth} layers × ${size.width}, all-to-all, ${size.ms} ms`
      })`,
      value: makespan,
      unit: "ms",
      baselineName: "critical-path time",
      baseline: d.criticalPathMs,
      limit: 1,
      note:
        `compiled parallel DAG (src/dag_parallel.ts), median of ${times.length}; ` +
        `the same shape as bare setTimeout promises takes ${
          plain.toFixed(0)
        } ms ` +
        `(×${
          (plain / d.criticalPathMs).toFixed(3)
        }: timer lateness), so the executor ` +
        `itself adds ${(makespan - plain).toFixed(0)} ms ` +
        `(${
          ((makespan - plain) / d.instances * 1000).toFixed(0)
        } µs per instance); ` +
        `one at a time it would take ${(d.totalSleepMs / 1000).toFixed(1)} s`,
    });
  }
}

// --- runner ------------------------------------------------------------------------------
async function runner(): Promise<void> {
  const rounds = quick ? 3 : 5;
  const o = {
    concurrency: 16,
    maxRequests: quick ? 1000 : 1500,
    maxMs: quick ? 3000 : 4000,
  };
  log(
    `runner: ${o.concurrency} connections, up to ${o.maxRequests} requests or ${o.maxMs} ms per phase, ${rounds} interleaved rounds`,
  );
  const r = await benchRunner(join(work, "runner"), o, rounds);
  for (const round of r.rounds) {
    for (
      const [what, f] of [["post", round.runner.post], [
        "get",
        round.runner.get,
      ]] as const
    ) {
      if (f.errors > 0) {
        throw new Error(
          `runner ${what}: ${f.errors} errors: ${f.errorSamples.join("; ")}`,
        );
      }
    }
  }
  // Ratios within each round (same machine load), then their median.
  const within = (f: (x: typeof r.rounds[number]) => number) =>
    median(r.rounds.map(f));
  const roundsNote = (f: (x: typeof r.rounds[number]) => number) =>
    `per-round ratios ${
      r.rounds.map((x) => f(x).toFixed(2)).join(", ")
    }; the median is reported`;
  const postRatio = (x: typeof r.rounds[number]) =>
    x.runner.post.rps / x.bare.post.rps;
  const durableRatio = (x: typeof r.rounds[number]) =>
    x.runner.post.rps / x.bareDurable.post.rps;
  const getRatio = (x: typeof r.rounds[number]) =>
    x.runner.get.p50Ms / x.bare.get.p50Ms;
  add({
    section: "runner",
    name: "POST /runs accepted per second",
    value: r.runner.post.rps,
    unit: "runs/s",
    baselineName: "bare Deno.serve handler (parse JSON, answer 202)",
    baseline: r.bare.post.rps,
    ratio: within(postRatio),
    limit: 1,
    note:
      `${rounds} interleaved rounds of up to ${o.maxRequests} runs; each run is validated against params.json and stored durably (SQLite WAL, synchronous=FULL) before the 202; median p50 ${
        r.runner.post.p50Ms.toFixed(2)
      } ms vs ${r.bare.post.p50Ms.toFixed(2)} ms; ${roundsNote(postRatio)}`,
  });
  add({
    section: "runner",
    name: "POST /runs accepted per second, vs a naive durable handler",
    value: r.runner.post.rps,
    unit: "runs/s",
    baselineName:
      "bare Deno.serve handler + one SQLite insert per request (WAL, synchronous=FULL)",
    baseline: r.bareDurable.post.rps,
    ratio: within(durableRatio),
    note:
      `the naive handler syncs to disk once per request and does nothing else; the runner syncs once per batch of runs that arrive together (group commit), and also validates and routes through Hono: above 1 when syncs are slow, below when they are cheap; ${
        roundsNote(durableRatio)
      }`,
  });
  add({
    section: "runner",
    name: "GET /runs/{id} median latency",
    value: r.runner.get.p50Ms,
    unit: "ms",
    baselineName: "bare Deno.serve handler (answer a JSON object)",
    baseline: r.bare.get.p50Ms,
    ratio: within(getRatio),
    limit: 1,
    note: `${o.concurrency} connections; p99 ${
      r.runner.get.p99Ms.toFixed(2)
    } ms vs ${r.bare.get.p99Ms.toFixed(2)} ms; ${
      r.runner.get.rps.toFixed(0)
    } vs ${r.bare.get.rps.toFixed(0)} requests/s; ${roundsNote(getRatio)}`,
  });
}

try {
  log(`work folder ${work}`);
  const baseMs = await emptyRun();
  add({
    section: "baseline",
    name: "deno run of an empty script",
    value: baseMs,
    unit: "ms",
    baselineName: "itself",
    baseline: baseMs,
  });
  // A failing section is reported and the others still run.
  const sections: [Section, () => Promise<void>][] = [
    ["runtime", runtime],
    ["discovery", () => discovery(baseMs)],
    ["compile", () => compileSizes(baseMs)],
    ["dag", dag],
    ["runner", runner],
  ];
  for (const [name, fn] of sections) {
    if (!only.has(name)) continue;
    try {
      await fn();
    } catch (e) {
      failures.push(`${name}: ${(e as Error).stack ?? e}`);
      log(`section ${name} FAILED: ${(e as Error).message}`);
    }
  }
} finally {
  await Deno.remove(work, { recursive: true }).catch(() => {});
}

// --- report ------------------------------------------------------------------------------
const rows = figures.map((f) => [
  f.section,
  f.name,
  `${fmt(f.value)} ${f.unit}`,
  `${fmt(f.baseline)} ${f.unit}`,
  `×${fmt(f.ratio)}`,
  f.limit === undefined ? "" : `${f.limit}`,
]);
const header = ["section", "figure", "value", "baseline", "ratio", "limit"];
const widths = header.map((h, i) =>
  Math.max(h.length, ...rows.map((r) => r[i]!.length))
);
const line = (cells: string[]) =>
  cells.map((c, i) => c.padEnd(widths[i]!)).join("  ").trimEnd();
console.log(line(header));
console.log(widths.map((w) => "-".repeat(w)).join("  "));
for (const r of rows) console.log(line(r));
for (const f of figures.filter((f) => f.note)) {
  console.log(`- ${f.section} / ${f.name}: ${f.note}`);
}

if (opts.out !== "-") {
  const cpu = (() => {
    try {
      const info = Deno.readTextFileSync("/proc/cpuinfo");
      return /model name\s*:\s*(.*)/.exec(info)?.[1] ?? "unknown";
    } catch {
      return "unknown";
    }
  })();
  const results = {
    date: started.toISOString(),
    durationS: Math.round((Date.now() - started.getTime()) / 1000),
    deno: Deno.version.deno,
    os: Deno.build.os,
    cpu,
    cores: navigator.hardwareConcurrency,
    loadavg: Deno.loadavg(),
    quick,
    figures,
    failures,
  };
  await Deno.mkdir(join(opts.out, ".."), { recursive: true });
  await Deno.writeTextFile(opts.out, JSON.stringify(results, null, 2) + "\n");
  log(`wrote ${opts.out}`);
}
if (failures.length > 0) {
  console.error(
    `\nbench: ${failures.length} section(s) failed:\n${failures.join("\n")}`,
  );
  Deno.exit(1);
}
