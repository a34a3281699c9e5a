/**
 * The `compile` subcommand of `wt-compiler` (also the default: `wt-compiler <spec.yaml>`).
 *
 * @module
 */
import type { Command } from "@commander-js/extra-typings";
import { type Diagnostic, formatDiagnostic, SpecError } from "./diagnostics.ts";
import { CatalogueLoadError } from "./load_catalogue.ts";
import { DiscoveryError } from "./discovery.ts";
import { compile, CompileError, type CompilePhase } from "./compile.ts";
import {
  type CliContext,
  denoIO,
  EXIT_INVALID,
  EXIT_OK,
  EXIT_USAGE,
} from "./cli.ts";

const FRAMES = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

/** A progress display on stderr: a redrawn line on a TTY, plain lines otherwise. */
interface Progress {
  phase(phase: CompilePhase, description: string): void;
  done(ok?: boolean): void;
}

function makeProgress(ctx: CliContext, enabled: boolean): Progress {
  if (!enabled) return { phase() {}, done() {} };
  let tty = false;
  try {
    tty = Deno.stderr.isTerminal();
  } catch {
    tty = false;
  }
  if (!tty || ctx.io.stderr !== denoIO.stderr) {
    return {
      phase: (_p, d) => ctx.io.stderr(`wt-compiler: ${d}\n`),
      done() {},
    };
  }
  let i = 0;
  let current = "";
  let started = 0;
  let timer: ReturnType<typeof setInterval> | undefined;
  const draw = () => {
    ctx.io.stderr(`\r\x1b[2K${FRAMES[i++ % FRAMES.length]} ${current}`);
  };
  const finish = (mark: string) => {
    if (!current) return;
    const ms = Math.round(performance.now() - started);
    ctx.io.stderr(`\r\x1b[2K${mark} ${current} (${ms} ms)\n`);
    current = "";
  };
  return {
    phase(_p, description) {
      finish("✓");
      current = description;
      started = performance.now();
      draw();
      timer ??= setInterval(draw, 100);
    },
    done(ok = true) {
      if (timer !== undefined) clearInterval(timer);
      timer = undefined;
      finish(ok ? "✓" : "✗");
    },
  };
}

/** Most warnings a successful compile prints before summing up the rest. */
const MAX_COMPILE_WARNINGS = 5;

function printDiagnostics(
  ctx: CliContext,
  diagnostics: readonly Diagnostic[],
  json: boolean,
  spec?: string,
) {
  if (json) {
    ctx.io.stdout(JSON.stringify({ ok: false, diagnostics }, null, 2) + "\n");
    return;
  }
  if (diagnostics.length === 0) return;
  // Errors are always listed; on success, a long list of warnings is cut short (`check`
  // lists them all).
  const shown = spec === undefined
    ? diagnostics
    : diagnostics.slice(0, MAX_COMPILE_WARNINGS);
  const lines = shown.map(formatDiagnostic);
  const more = diagnostics.length - shown.length;
  if (more > 0) {
    lines.push(
      `… and ${more} more warning(s): \`wt-compiler check ${spec}\` lists them all`,
    );
  }
  ctx.io.stderr(lines.join("\n") + "\n");
}

/**
 * Install `compile <spec> [options]` on the program.
 *
 * @param program The commander program.
 * @param ctx Shared CLI state (I/O, exit code).
 */
export function compileCommand(program: Command, ctx: CliContext): void {
  program
    .command("compile")
    .description(
      "compile a spec into a workflow workspace <out-dir>/<prefix>-<id>-workflow (the default command)",
    )
    .argument("<spec>", "the spec.yaml file")
    .option(
      "--out-dir <dir>",
      "folder that receives the workflow (default: the spec's folder)",
    )
    .option("--clobber", "replace an existing output")
    .option(
      "--update",
      "update an existing output: keep its lockfile, bump its VERSION",
    )
    .option("--pkg-name-prefix <prefix>", "prefix of the release name", "wt")
    .option(
      "--results-env-var <name>",
      "environment variable the workflow reads the results URL from",
      "WT_RESULTS",
    )
    .option(
      "--registry <file>",
      "pre-computed RegistryOutput JSON (skips discovery; used as is: built-in conditions only if it lists them)",
    )
    .option(
      "--link <dir>",
      "resolve every @wt/* package from this local checkout",
    )
    .option("--no-progress", "print no progress")
    .option("--json", "print diagnostics and the result as JSON on stdout")
    .action(async (file, opts) => {
      const json = opts.json ?? false;
      const progress = makeProgress(ctx, opts.progress && !json);
      try {
        const result = await compile(file, {
          outDir: opts.outDir,
          clobber: opts.clobber,
          update: opts.update,
          pkgNamePrefix: opts.pkgNamePrefix,
          resultsEnvVar: opts.resultsEnvVar,
          registryFile: opts.registry,
          link: opts.link,
          onProgress: (p, d) => progress.phase(p, d),
        });
        progress.done();
        if (json) {
          ctx.io.stdout(
            JSON.stringify({ ok: true, ...result }, null, 2) + "\n",
          );
        } else {
          printDiagnostics(ctx, result.diagnostics, false, file);
          ctx.io.stderr(
            result.status === "unchanged"
              ? `${result.outputDir} is up to date (version ${result.version}): nothing changed\n`
              : `wrote ${result.outputDir} (version ${result.version}${
                result.previousVersion ? `, was ${result.previousVersion}` : ""
              })\n`,
          );
        }
        ctx.exitCode = EXIT_OK;
      } catch (err) {
        progress.done(false);
        if (err instanceof SpecError) {
          printDiagnostics(ctx, err.diagnostics, json);
          if (!json) ctx.io.stderr(`${file}: invalid spec, nothing written\n`);
          ctx.exitCode = EXIT_INVALID;
          return;
        }
        const known = err instanceof CompileError ||
          err instanceof CatalogueLoadError ||
          err instanceof DiscoveryError;
        if (!known) throw err;
        const message = (err as Error).message;
        if (json) {
          ctx.io.stdout(
            JSON.stringify(
              { ok: false, error: message, diagnostics: [] },
              null,
              2,
            ) + "\n",
          );
        } else {
          ctx.io.stderr(`error: ${message}\nnothing written\n`);
        }
        ctx.exitCode = err instanceof CompileError && err.usage
          ? EXIT_USAGE
          : EXIT_INVALID;
      }
    });
}
