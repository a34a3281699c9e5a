/**
 * Helpers for tests that need a compiled workflow: compile a spec with the `wt-compiler` CLI
 * in a subprocess, so the calling test never imports compiler or workflow code into its own
 * process (what the runner and invokers promise in production too).
 *
 * @example
 * ```ts ignore
 * import { compileWithCli } from "@wt/compiler/testing";
 *
 * const release = await compileWithCli("examples/chaining-tasks/spec.yaml", "/tmp/out", {
 *   link: Deno.cwd(),
 * });
 * console.log(release); // /tmp/out/wt-chaining-tasks-workflow
 * ```
 *
 * @module
 */
import { fileURLToPath } from "node:url";

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
  const stdout = new TextDecoder().decode(out.stdout);
  if (!out.success) {
    throw new Error(
      `compiling ${spec} failed (exit ${out.code}):\n${
        new TextDecoder().decode(out.stderr)
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
