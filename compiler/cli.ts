/**
 * The `wt-compiler` command line: `compile` writes a compiled workflow (also the bare form
 * `wt-compiler <spec.yaml>`), `check` validates a spec, `schema` prints its generated form
 * schemas, `scaffold` creates a new workflow project. Exit codes: 0 ok, 1 spec/catalogue
 * errors, 2 usage errors.
 *
 * Subcommands are added by functions of type {@linkcode SubcommandInstaller}; add one to
 * {@linkcode SUBCOMMANDS} to extend the CLI.
 *
 * @module
 */
import { dirname, resolve } from "node:path";
import {
  Command,
  CommanderError,
  Option,
  type OptionValues,
} from "@commander-js/extra-typings";
import type { RegistryOutput } from "@wt/contracts";

/** The commander program type that subcommand installers receive. */
export type { Command } from "@commander-js/extra-typings";
import type { Catalogue } from "./catalogue.ts";
import { type Diagnostic, formatDiagnostic, hasErrors } from "./diagnostics.ts";
import { CatalogueLoadError, loadCatalogue } from "./load_catalogue.ts";
import { generateSchemas } from "./schemas.ts";
import type { Spec } from "./spec_model.ts";
import { parseSpec } from "./parse.ts";
import { checkParsedSpec } from "./validate.ts";
import { discover } from "./discovery.ts";
import { compileCommand } from "./_cli_compile.ts";
import { scaffoldCommand } from "./_cli_scaffold.ts";

/**
 * Exit code: success.
 *
 * @example
 * ```ts
 * import { EXIT_INVALID, EXIT_OK, EXIT_USAGE } from "@wt/compiler/cli";
 *
 * console.assert([EXIT_OK, EXIT_INVALID, EXIT_USAGE].join() === "0,1,2");
 * ```
 */
export const EXIT_OK = 0;
/**
 * Exit code: the spec is invalid, or the catalogue could not be loaded.
 *
 * @example
 * ```ts
 * import { EXIT_INVALID, runCli } from "@wt/compiler/cli";
 *
 * const io = { stdout: () => {}, stderr: () => {}, readTextFile: () => Promise.resolve("id: w\nworkflow: 1\n") };
 * console.assert((await runCli(["check", "spec.yaml"], io)) === EXIT_INVALID);
 * ```
 */
export const EXIT_INVALID = 1;
/**
 * Exit code: bad command line (unknown option, missing argument, unreadable spec file).
 *
 * @example
 * ```ts
 * import { EXIT_USAGE, runCli } from "@wt/compiler/cli";
 *
 * const io = { stdout: () => {}, stderr: () => {}, readTextFile: () => Promise.resolve("") };
 * console.assert((await runCli(["check", "--no-such-option"], io)) === EXIT_USAGE);
 * ```
 */
export const EXIT_USAGE = 2;

/** Where the CLI reads files and writes output; replaceable in tests. */
export interface CliIO {
  /** Write to standard output. */
  stdout: (text: string) => void;
  /** Write to standard error. */
  stderr: (text: string) => void;
  /** Read a text file. */
  readTextFile: (path: string) => Promise<string>;
  /** Task discovery, when available (used when no `--registry` is given). */
  discover?:
    | ((spec: Spec, options: CliDiscoverOptions) => Promise<RegistryOutput>)
    | undefined;
}

/** What {@linkcode CliIO.discover} gets besides the spec. */
export interface CliDiscoverOptions {
  /** The folder of the spec file (relative requirement paths start there). */
  specDir: string;
  /** `--link DIR`: resolve every `@wt/*` package from this local checkout. */
  link: string | undefined;
}

/** State shared by subcommands while the CLI runs. */
export interface CliContext {
  /** I/O. */
  io: CliIO;
  /** The exit code to return; subcommands set it. */
  exitCode: number;
}

/** A function that adds one subcommand (with its action) to the program. */
export type SubcommandInstaller = (program: Command, ctx: CliContext) => void;

const encoder = new TextEncoder();

/**
 * I/O on the real process (stdout, stderr, file system).
 *
 * @example
 * ```ts
 * import { denoIO, runCli } from "@wt/compiler/cli";
 *
 * const code = await runCli(["check", "examples/chaining-tasks/spec.yaml", "--link", "."], denoIO);
 * console.assert(code === 0);
 * ```
 */
export const denoIO: CliIO = {
  stdout: (text) => {
    Deno.stdout.writeSync(encoder.encode(text));
  },
  stderr: (text) => {
    Deno.stderr.writeSync(encoder.encode(text));
  },
  readTextFile: (path) => Deno.readTextFile(path),
  discover: (spec, { specDir, link }) =>
    discover(spec.requirements, { specDir, link }),
};

class UsageError extends Error {}

/**
 * Read a spec file, parse, load the catalogue and validate. Prints nothing.
 *
 * @returns the check result, or an exit code when the spec file or catalogue failed.
 */
async function loadAndCheck(
  file: string,
  registry: string | undefined,
  ctx: CliContext,
  link?: string | undefined,
): Promise<
  | { spec: Spec | undefined; diagnostics: Diagnostic[]; catalogue?: Catalogue }
  | { failure: string; diagnostics: Diagnostic[]; code: number }
> {
  let text: string;
  try {
    text = await ctx.io.readTextFile(file);
  } catch (err) {
    throw new UsageError(
      `cannot read spec file ${file}: ${
        err instanceof Error ? err.message : String(err)
      }`,
    );
  }
  // Parsed once: the same result is checked again once the catalogue is loaded.
  const parsed = parseSpec(text, file);
  const structural = checkParsedSpec(parsed);
  if (!structural.spec) return structural;
  let catalogue: Catalogue;
  try {
    catalogue = await loadCatalogue(structural.spec, {
      registry,
      discover: ctx.io.discover &&
        ((spec) =>
          ctx.io.discover!(spec, { specDir: dirname(resolve(file)), link })),
      readTextFile: ctx.io.readTextFile,
    });
  } catch (err) {
    if (err instanceof CatalogueLoadError) {
      // Still report what can be checked without tasks.
      return {
        failure: err.message,
        diagnostics: structural.diagnostics,
        code: EXIT_INVALID,
      };
    }
    throw err;
  }
  return { ...checkParsedSpec(parsed, catalogue), catalogue };
}

/** `--registry FILE` and `--link DIR` of `check` and `schema`: where the spec's tasks come from. */
function withCatalogueOptions<
  Args extends unknown[],
  Opts extends OptionValues,
  GlobalOpts extends OptionValues,
>(command: Command<Args, Opts, GlobalOpts>) {
  return command
    .option(
      "--registry <file>",
      "pre-computed RegistryOutput JSON (skips discovery; used as is: built-in conditions only if it lists them)",
    )
    .option(
      "--link <dir>",
      "discovery: resolve every @wt/* package from this local checkout",
    );
}

function printDiagnostics(diagnostics: Diagnostic[], io: CliIO): void {
  if (diagnostics.length === 0) return;
  io.stderr(diagnostics.map(formatDiagnostic).join("\n") + "\n");
}

function summary(diagnostics: Diagnostic[]): string {
  const e = diagnostics.filter((d) => d.severity === "error").length;
  const w = diagnostics.length - e;
  return `${e} error(s), ${w} warning(s)`;
}

/**
 * `check <spec.yaml> [--registry FILE | --link DIR] [--json]`.
 *
 * @example
 * ```ts
 * import { buildProgram, checkCommand, denoIO } from "@wt/compiler/cli";
 *
 * const program = buildProgram({ io: denoIO, exitCode: 0 }, [checkCommand]);
 * console.assert(program.commands.map((c) => c.name()).join() === "check");
 * ```
 */
export const checkCommand: SubcommandInstaller = (program, ctx) => {
  withCatalogueOptions(
    program
      .command("check")
      .description(
        "validate a spec without writing anything; exit 0 when valid, 1 when invalid",
      )
      .argument("<spec>", "the spec.yaml file"),
  )
    .option("--json", "print diagnostics as JSON on stdout")
    .action(async (file, opts) => {
      const r = await loadAndCheck(file, opts.registry, ctx, opts.link);
      if ("failure" in r) {
        if (opts.json) {
          ctx.io.stdout(
            JSON.stringify(
              { valid: false, error: r.failure, diagnostics: r.diagnostics },
              null,
              2,
            ) +
              "\n",
          );
        } else {
          printDiagnostics(r.diagnostics, ctx.io);
          ctx.io.stderr(`error: ${r.failure}\n`);
        }
        ctx.exitCode = r.code;
        return;
      }
      const valid = !hasErrors(r.diagnostics);
      if (opts.json) {
        ctx.io.stdout(
          JSON.stringify({ valid, diagnostics: r.diagnostics }, null, 2) + "\n",
        );
      } else {
        printDiagnostics(r.diagnostics, ctx.io);
        ctx.io.stderr(
          `${file}: ${valid ? "valid" : "invalid"} (${
            summary(r.diagnostics)
          })\n`,
        );
      }
      ctx.exitCode = valid ? EXIT_OK : EXIT_INVALID;
    });
};

/**
 * `schema <spec.yaml> [--registry FILE | --link DIR] --format params|rjsf`.
 *
 * @example
 * ```ts
 * import { buildProgram, denoIO, schemaCommand } from "@wt/compiler/cli";
 *
 * const program = buildProgram({ io: denoIO, exitCode: 0 }, [schemaCommand]);
 * console.assert(program.commands.map((c) => c.name()).join() === "schema");
 * ```
 */
export const schemaCommand: SubcommandInstaller = (program, ctx) => {
  withCatalogueOptions(
    program
      .command("schema")
      .description(
        "print the generated form schema (params.json or rjsf.json) of a spec on stdout",
      )
      .argument("<spec>", "the spec.yaml file"),
  )
    .addOption(
      new Option("--format <format>", "which schema to print")
        .choices(["params", "rjsf"] as const)
        .makeOptionMandatory(),
    )
    .action(async (file, opts) => {
      const r = await loadAndCheck(file, opts.registry, ctx, opts.link);
      if ("failure" in r) {
        printDiagnostics(r.diagnostics, ctx.io);
        ctx.io.stderr(`error: ${r.failure}\n`);
        ctx.exitCode = r.code;
        return;
      }
      printDiagnostics(r.diagnostics, ctx.io);
      if (!r.spec || !r.catalogue || hasErrors(r.diagnostics)) {
        ctx.io.stderr(`${file}: invalid (${summary(r.diagnostics)})\n`);
        ctx.exitCode = EXIT_INVALID;
        return;
      }
      const catalogue = r.catalogue;
      let schemas;
      try {
        schemas = generateSchemas(
          r.spec,
          (instance) => catalogue.entryFor(instance.task),
        );
      } catch (err) {
        ctx.io.stderr(
          `error: cannot generate schemas for ${file}: ${
            err instanceof Error ? err.message : String(err)
          }\n`,
        );
        ctx.exitCode = EXIT_INVALID;
        return;
      }
      const out = opts.format === "params" ? schemas.params : schemas.rjsf;
      ctx.io.stdout(JSON.stringify(out, null, 2) + "\n");
      ctx.exitCode = EXIT_OK;
    });
};

/**
 * The subcommands of `wt-compiler`, in help order.
 *
 * @example
 * ```ts
 * import { buildProgram, denoIO, SUBCOMMANDS } from "@wt/compiler/cli";
 *
 * const names = buildProgram({ io: denoIO, exitCode: 0 }, SUBCOMMANDS).commands.map((c) => c.name());
 * console.assert(names.join() === "compile,check,schema,scaffold");
 * ```
 */
export const SUBCOMMANDS: SubcommandInstaller[] = [
  compileCommand,
  checkCommand,
  schemaCommand,
  scaffoldCommand,
];

/**
 * Build the `wt-compiler` program (without running it).
 *
 * @param ctx Shared state: I/O and the exit code.
 * @param installers Subcommands to add (default {@linkcode SUBCOMMANDS}).
 * @returns The commander program; errors throw instead of exiting.
 *
 * @example
 * ```ts
 * import { buildProgram, denoIO } from "./cli.ts";
 *
 * const program = buildProgram({ io: denoIO, exitCode: 0 });
 * console.assert(program.commands.some((c) => c.name() === "check"));
 * ```
 */
export function buildProgram(
  ctx: CliContext,
  installers: readonly SubcommandInstaller[] = SUBCOMMANDS,
): Command {
  const program = new Command()
    .name("wt-compiler")
    .description(
      "compile a wt workflow spec (spec.yaml) into a standalone Deno workspace",
    )
    .exitOverride()
    .showHelpAfterError("(run with --help for usage)")
    .configureOutput({
      writeOut: (s) => ctx.io.stdout(s),
      writeErr: (s) => ctx.io.stderr(s),
    });
  for (const install of installers) install(program, ctx);
  return program;
}

/**
 * Run the `wt-compiler` CLI.
 *
 * @param args Command-line arguments (without the program name).
 * @param io Where to read and write (default: the real process).
 * @returns The exit code: 0 ok, 1 invalid spec or catalogue error, 2 usage error.
 *
 * @example
 * ```ts
 * import { runCli } from "./cli.ts";
 *
 * let err = "";
 * const code = await runCli(["check"], {
 *   stdout: () => {},
 *   stderr: (s) => { err += s; },
 *   readTextFile: () => Promise.reject(new Error("no files")),
 * });
 * console.assert(code === 2 && err.includes("missing required argument"));
 * ```
 */
export async function runCli(
  args: readonly string[],
  io: CliIO = denoIO,
): Promise<number> {
  const ctx: CliContext = { io, exitCode: EXIT_OK };
  const program = buildProgram(ctx);
  if (args.length === 0) {
    io.stderr(program.helpInformation());
    return EXIT_USAGE;
  }
  // `wt-compiler <spec.yaml> [options]` is `wt-compiler compile <spec.yaml> [options]`.
  const first = args[0];
  const argv = first !== undefined && !first.startsWith("-") &&
      !program.commands.some((c) =>
        c.name() === first || c.aliases().includes(first)
      )
    ? ["compile", ...args]
    : [...args];
  try {
    await program.parseAsync(argv, { from: "user" });
  } catch (err) {
    if (err instanceof CommanderError) {
      return err.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    }
    if (err instanceof UsageError) {
      io.stderr(`error: ${err.message}\n`);
      return EXIT_USAGE;
    }
    io.stderr(
      `internal error: ${
        err instanceof Error ? err.stack ?? err.message : String(err)
      }\n`,
    );
    return EXIT_INVALID;
  }
  return ctx.exitCode;
}
