/**
 * Helpers for tests that need a compiled workflow: compile a spec with the `wt-compiler` CLI
 * in a subprocess, so the calling test never imports compiler or workflow code into its own
 * process (what the runner and invokers promise in production too), and run Deno or the
 * compiled workflow's CLI in a clean environment.
 *
 * @example
 * ```ts ignore
 * import { compileWithCli } from "@wt/compiler/testing";
 *
 * const { outputDir } = await compileWithCli("examples/chaining-tasks/spec.yaml", "/tmp/out", {
 *   link: Deno.cwd(),
 * });
 * console.log(outputDir); // /tmp/out/wt-chaining-tasks-workflow
 * ```
 *
 * @module
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { ResponseModel } from "@wt/contracts";

const DEC = new TextDecoder();

/** Options of {@linkcode compileWithCli}. */
export interface CompileWithCliOptions {
  /** A local checkout of wt to resolve every `@wt/*` package from (`--link`). */
  link?: string;
  /** Further `compile` options, e.g. `["--clobber"]`. */
  extraArgs?: readonly string[];
}

/**
 * Compile a spec by running `wt-compiler compile` (this package's CLI) in a subprocess with
 * `--no-progress`.
 *
 * @param spec Path of the `spec.yaml`.
 * @param outDir Folder that receives the release folder.
 * @param options `--link` and extra arguments.
 * @returns The compiler's JSON result (`releaseName`, `outputDir`, `status`, …).
 * @throws {Error} When the compiler exits non-zero; the message holds its stderr.
 *
 * @example Compile into a temporary folder
 * ```ts ignore
 * import { compileWithCli } from "@wt/compiler/testing";
 *
 * const out = await Deno.makeTempDir();
 * const { outputDir } = await compileWithCli("spec.yaml", out, { link: "/src/wt" });
 * console.assert(outputDir.startsWith(out));
 * ```
 */
export async function compileWithCli(
  spec: string,
  outDir: string,
  options: CompileWithCliOptions = {},
): Promise<{ outputDir: string; releaseName: string; status: string }> {
  const cli = fileURLToPath(new URL("./mod.ts", import.meta.url));
  const args = [
    "run",
    "-A",
    cli,
    "compile",
    spec,
    "--out-dir",
    outDir,
    "--no-progress",
  ];
  if (options.link !== undefined) args.push("--link", options.link);
  args.push("--json", ...(options.extraArgs ?? []));
  const out = await new Deno.Command(Deno.execPath(), {
    args,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stdout = DEC.decode(out.stdout);
  if (!out.success) {
    throw new Error(
      `compiling ${spec} failed (exit ${out.code}):\n${
        DEC.decode(out.stderr)
      }${stdout}`,
    );
  }
  const result = JSON.parse(stdout) as Record<string, unknown>;
  return {
    outputDir: String(result["outputDir"]),
    releaseName: String(result["releaseName"]),
    status: String(result["status"]),
  };
}

/**
 * A clean environment for a Deno subprocess: `PATH`, `HOME`, `DENO_DIR` and `XDG_CACHE_HOME`
 * of this process (so the module cache is shared), and `NO_COLOR=1`.
 *
 * @returns A fresh object; callers may add to it.
 *
 * @example
 * ```ts
 * import { testEnv } from "@wt/compiler/testing";
 *
 * const env = { ...testEnv(), WT_EXAMPLE_NAME: "Ada" };
 * console.assert(env["NO_COLOR"] === "1");
 * ```
 */
export function testEnv(): Record<string, string> {
  const env: Record<string, string> = { NO_COLOR: "1" };
  for (const k of ["PATH", "HOME", "DENO_DIR", "XDG_CACHE_HOME"]) {
    const value = Deno.env.get(k);
    if (value !== undefined) env[k] = value;
  }
  return env;
}

/** Options of {@linkcode runDeno}. */
export interface RunDenoOptions {
  /** Working folder (default: this process's). */
  cwd?: string;
  /** Variables added to {@linkcode testEnv}; nothing else of this process's is passed. */
  env?: Record<string, string>;
  /** Text written to the child's stdin (default: no stdin). */
  stdin?: string;
}

/** What a subprocess run by {@linkcode runDeno} did. */
export interface DenoRun {
  /** Exit code. */
  code: number;
  /** Its standard output. */
  stdout: string;
  /** Its standard error. */
  stderr: string;
}

/**
 * Run `deno <args>` in a subprocess with a cleared environment ({@linkcode testEnv} plus
 * `options.env`) and collect its output.
 *
 * @param args Arguments after `deno`.
 * @param options Working folder, added variables, stdin.
 * @returns Exit code, stdout and stderr.
 *
 * @example
 * ```ts ignore
 * import { runDeno } from "@wt/compiler/testing";
 *
 * const r = await runDeno(["task", "--quiet", "test"], { cwd: "/tmp/out/wt-add-workflow" });
 * console.assert(r.code === 0, r.stderr);
 * ```
 */
export async function runDeno(
  args: readonly string[],
  options: RunDenoOptions = {},
): Promise<DenoRun> {
  const child = new Deno.Command(Deno.execPath(), {
    args: [...args],
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    env: { ...testEnv(), ...options.env },
    clearEnv: true,
    stdin: options.stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (options.stdin !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(options.stdin));
    await writer.close();
  }
  const out = await child.output();
  return {
    code: out.code,
    stdout: DEC.decode(out.stdout),
    stderr: DEC.decode(out.stderr),
  };
}

/** Options of {@linkcode runWorkflowCli}. */
export interface RunWorkflowCliOptions {
  /**
   * Folder the run writes `result.json` to (`WT_RESULTS=file://<results>`); unset, the
   * workflow CLI has no `WT_RESULTS`.
   */
  results?: string;
  /** Variables added to {@linkcode testEnv}. */
  env?: Record<string, string>;
  /** Text written to the CLI's stdin. */
  stdin?: string;
}

/** What {@linkcode runWorkflowCli} saw. */
export interface WorkflowCliRun extends DenoRun {
  /** The parsed `result.json`, when `results` was given and the run wrote it. */
  response?: ResponseModel;
}

/**
 * Run a compiled workflow's CLI, `deno task --quiet workflow <args>` in its release folder,
 * and read the `result.json` it wrote.
 *
 * @param release The compiled workflow's folder.
 * @param args Arguments of the workflow CLI, e.g. `["run", "--config-json", "{}"]`.
 * @param options Results folder, added variables, stdin.
 * @returns Exit code, output and the parsed `result.json` (if any).
 *
 * @example
 * ```ts ignore
 * import { runWorkflowCli } from "@wt/compiler/testing";
 *
 * const r = await runWorkflowCli("/tmp/out/wt-add-workflow", ["run", "--config-json", "{}"], {
 *   results: "/tmp/results",
 * });
 * console.log(r.code, r.response?.result);
 * ```
 */
export async function runWorkflowCli(
  release: string,
  args: readonly string[],
  options: RunWorkflowCliOptions = {},
): Promise<WorkflowCliRun> {
  const { results } = options;
  const run = await runDeno(["task", "--quiet", "workflow", ...args], {
    cwd: release,
    env: {
      ...options.env,
      ...(results === undefined ? {} : { WT_RESULTS: `file://${results}` }),
    },
    ...(options.stdin === undefined ? {} : { stdin: options.stdin }),
  });
  if (results === undefined) return run;
  let text: string;
  try {
    text = await Deno.readTextFile(join(results, "result.json"));
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return run;
    throw err;
  }
  return { ...run, response: JSON.parse(text) as ResponseModel };
}

/**
 * Run a compiled workflow's two DAG modules (sequential and parallel) in a subprocess with an
 * in-memory tracer, and name the task instances each mode skipped (their span says
 * `wt.skipped`; instances inside a map are not listed).
 *
 * @param release The compiled workflow's folder.
 * @param config The workflow's parameters (params, not form values).
 * @param env Variables added to {@linkcode testEnv}.
 * @returns The skipped instance ids per mode, sorted.
 * @throws {Error} When the probe fails; the message holds its stderr.
 *
 * @example
 * ```ts ignore
 * import { skippedInstances } from "@wt/compiler/testing";
 *
 * const skipped = await skippedInstances("/tmp/out/wt-features-workflow", {});
 * console.log(skipped.sequential, skipped.parallel);
 * ```
 */
export async function skippedInstances(
  release: string,
  config: Record<string, unknown>,
  env: Record<string, string> = {},
): Promise<{ sequential: string[]; parallel: string[] }> {
  const probe = join(release, `skip_probe_${crypto.randomUUID()}.ts`);
  const params = JSON.stringify(config);
  await Deno.writeTextFile(
    probe,
    `import { runWorkflow as sequential } from "./src/dag_sequential.ts";
import { runWorkflow as parallel } from "./src/dag_parallel.ts";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";
const out: Record<string, string[]> = {};
for (const [mode, run] of [["sequential", sequential], ["parallel", parallel]] as const) {
  const exporter = new InMemorySpanExporter();
  const tracer = new BasicTracerProvider({
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  }).getTracer("probe");
  await run(${params}, { mockIo: false, concurrency: 4, tracing: { tracer } });
  out[mode] = exporter.getFinishedSpans()
    .filter((s) => s.attributes["wt.skipped"] === true && !s.parentSpanContext)
    .map((s) => s.name)
    .sort();
}
console.log(JSON.stringify(out));
`,
  );
  try {
    const run = await runDeno(["run", "-A", probe], { cwd: release, env });
    if (run.code !== 0) {
      throw new Error(`the skip probe in ${release} failed:\n${run.stderr}`);
    }
    return JSON.parse(run.stdout);
  } finally {
    await Deno.remove(probe);
  }
}
