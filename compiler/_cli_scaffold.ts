/**
 * The `scaffold` subcommand of `wt-compiler`: create a new workflow project, with prompts on
 * a terminal (`@clack/prompts`) or from flags (`--yes` accepts the defaults).
 *
 * @module
 */
import { join, relative, resolve } from "node:path";
import * as clack from "@clack/prompts";
import type { Command } from "@commander-js/extra-typings";
import { Option } from "@commander-js/extra-typings";
import type { RegistryOutput } from "@wt/contracts";
import {
  type CliContext,
  denoIO,
  EXIT_INVALID,
  EXIT_OK,
  EXIT_USAGE,
} from "./cli.ts";
import { formatDiagnostic } from "./diagnostics.ts";
import { DiscoveryError } from "./discovery.ts";
import { CatalogueLoadError, readRegistryFile } from "./load_catalogue.ts";
import {
  defaultWorkflowId,
  EXAMPLE_LIBRARY_NAME,
  EXAMPLE_STARTER,
  exampleLibraryPath,
  isEmptyDir,
  pathFrom,
  planScaffold,
  ScaffoldError,
  type ScaffoldLibrary,
  type ScaffoldPlan,
  type ScaffoldTask,
  taskChoices,
  workflowIdProblem,
  writeScaffold,
} from "./scaffold.ts";
import type { Requirement, Spec } from "./spec_model.ts";

/** One choice of a select or multiselect prompt. */
export interface PromptOption<T extends string> {
  /** The value returned when chosen. */
  value: T;
  /** What the user sees. */
  label: string;
  /** A dimmed explanation. */
  hint?: string;
}

/**
 * The prompts `scaffold` asks, in the shape of `@clack/prompts`; a prompt returns a symbol
 * when the user cancels. Replaceable in tests.
 */
export interface ScaffoldPrompter {
  /** Start the session. */
  intro(title: string): void;
  /** End the session. */
  outro(message: string): void;
  /** End the session after a cancel or failure. */
  cancel(message: string): void;
  /** Show a boxed note. */
  note(message: string, title: string): void;
  /** Ask for a line of text. */
  text(opts: {
    message: string;
    placeholder?: string;
    initialValue?: string;
    /** Returned when the answer is empty. */
    defaultValue?: string;
    validate?: (value: string | undefined) => string | undefined;
  }): Promise<string | symbol>;
  /** Ask for one of several options. */
  select<T extends string>(opts: {
    message: string;
    options: PromptOption<T>[];
    initialValue?: T;
  }): Promise<T | symbol>;
  /** Ask for some of several options. */
  multiselect<T extends string>(opts: {
    message: string;
    options: PromptOption<T>[];
    initialValues?: T[];
    required?: boolean;
  }): Promise<T[] | symbol>;
  /** Ask yes or no. */
  confirm(opts: {
    message: string;
    initialValue?: boolean;
  }): Promise<boolean | symbol>;
  /** A spinner for slow steps (task discovery). */
  spinner(): { start(message: string): void; stop(message: string): void };
}

/** The real prompts on the terminal. */
export const clackPrompter: ScaffoldPrompter = {
  intro: (title) => clack.intro(title),
  outro: (message) => clack.outro(message),
  cancel: (message) => clack.cancel(message),
  note: (message, title) => clack.note(message, title),
  text: (opts) => clack.text(opts),
  select: <T extends string>(opts: {
    message: string;
    options: PromptOption<T>[];
    initialValue?: T;
  }) => clack.select<T>(opts as unknown as clack.SelectOptions<T>),
  multiselect: <T extends string>(opts: {
    message: string;
    options: PromptOption<T>[];
    initialValues?: T[];
    required?: boolean;
  }) =>
    clack.multiselect<T>(
      opts as unknown as clack.MultiSelectOptions<T>,
    ),
  confirm: (opts) => clack.confirm(opts),
  spinner: () => {
    const s = clack.spinner();
    return {
      start: (m) => s.start(m),
      stop: (m) => s.stop(m),
    };
  },
};

/** What the scaffold command needs besides the CLI context; replaceable in tests. */
export interface ScaffoldCommandDeps {
  /** Whether to ask (stdin and stdout are terminals). */
  isInteractive: () => boolean;
  /** The prompts. */
  prompter: ScaffoldPrompter;
  /** The working folder (relative paths start there). */
  cwd: () => string;
}

function realInteractive(ctx: CliContext): boolean {
  if (ctx.io.stdout !== denoIO.stdout) return false;
  try {
    return Deno.stdin.isTerminal() && Deno.stdout.isTerminal();
  } catch {
    return false;
  }
}

class Cancelled extends Error {}

function answer<T>(value: T | symbol): T {
  if (typeof value === "symbol") throw new Cancelled("cancelled");
  return value;
}

function parseTask(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function toTask(flag: string): ScaffoldTask {
  const eq = flag.indexOf("=");
  if (eq > 0) return { id: flag.slice(0, eq), task: flag.slice(eq + 1) };
  return { task: flag };
}

function requirementOf(lib: ScaffoldLibrary, cwd: string): Requirement {
  const pos = { line: 1, col: 1 };
  if (lib.path !== undefined) {
    return { name: lib.name ?? "", path: resolve(cwd, lib.path), pos };
  }
  return {
    name: lib.name ?? "",
    ...(lib.version !== undefined ? { version: lib.version } : {}),
    registry: lib.registry ?? "jsr",
    pos,
  };
}

async function libraryName(lib: ScaffoldLibrary, cwd: string): Promise<string> {
  if (lib.name !== undefined || lib.path === undefined) return lib.name ?? "";
  try {
    const text = await Deno.readTextFile(
      join(resolve(cwd, lib.path), "deno.json"),
    );
    const name = (JSON.parse(text) as { name?: unknown }).name;
    return typeof name === "string" ? name : "";
  } catch {
    return "";
  }
}

/** Discover the tasks of one library (for prompts and checks), through the CLI's discovery. */
async function discoverLibrary(
  ctx: CliContext,
  lib: ScaffoldLibrary,
  dir: string,
  cwd: string,
  link: string,
): Promise<RegistryOutput> {
  if (!ctx.io.discover) {
    throw new CatalogueLoadError(
      "task discovery is not available here; pass --registry FILE",
    );
  }
  const req = requirementOf(lib, cwd);
  req.name = await libraryName(lib, cwd);
  if (req.name === "") {
    throw new ScaffoldError(
      req.path !== undefined
        ? `task library folder ${req.path} has no deno.json with a "name": give the folder of a Deno package`
        : "give the library's package name (--library-name)",
      { usage: true },
    );
  }
  const spec: Spec = {
    id: "scaffold",
    requirements: [req],
    rjsf_overrides: { properties: {}, $defs: {}, uiSchema: {} },
    task_instance_defaults: {},
    workflow: [],
    file: join(dir, "spec.yaml"),
  };
  return await ctx.io.discover(spec, { specDir: dir, link });
}

function nextSteps(plan: ScaffoldPlan, cwd: string, link?: string): string {
  const rel = relative(cwd, plan.dir) || ".";
  const linkFlag = link !== undefined
    ? ` --link ${pathFrom(plan.dir, resolve(cwd, link))}`
    : "";
  const lines = [
    `cd ${rel}`,
    `wt-compiler check spec.yaml${linkFlag}`,
    `wt-compiler spec.yaml${linkFlag}`,
    `cd ${plan.releaseName} && WT_RESULTS=file://$PWD/../results deno task workflow run --config-json '${
      plan.exampleConfig.replaceAll("'", "'\\''")
    }'`,
  ];
  return lines.join("\n");
}

interface Flags {
  id?: string;
  libraryPath?: string;
  libraryName?: string;
  libraryVersion?: string;
  libraryRegistry?: "jsr" | "npm";
  registry?: string;
  link?: string;
  task: string[];
  yes?: true;
  force?: true;
}

async function interactive(
  dir: string,
  flags: Flags,
  ctx: CliContext,
  deps: ScaffoldCommandDeps,
  registryFromFile: RegistryOutput | undefined,
): Promise<number> {
  const p = deps.prompter;
  const cwd = deps.cwd();
  const target = resolve(cwd, dir);
  p.intro("wt-compiler scaffold: a new workflow project");
  let force = flags.force ?? false;
  if (!force && !(await isEmptyDir(target))) {
    force = answer(
      await p.confirm({
        message:
          `${target} is not empty. Write spec.yaml, test-cases.yaml, README.md and .gitignore into it (replacing files with those names)?`,
        initialValue: false,
      }),
    );
    if (!force) throw new Cancelled("the folder is not empty");
  }
  const id = flags.id ?? answer(
    await p.text({
      message: "Workflow id",
      placeholder: defaultWorkflowId(target),
      defaultValue: defaultWorkflowId(target),
      // Empty: the default.
      validate: (v) => (v ? workflowIdProblem(v) : undefined),
    }),
  );

  let library: ScaffoldLibrary;
  if (
    flags.libraryPath !== undefined || flags.libraryName !== undefined
  ) {
    library = libraryFromFlags(flags) ?? {};
  } else {
    const example = exampleLibraryPath();
    const options: PromptOption<"example" | "path" | "package">[] = [];
    if (example !== undefined) {
      options.push({
        value: "example",
        label: `The example library ${EXAMPLE_LIBRARY_NAME}`,
        hint: relative(target, example),
      });
    }
    options.push(
      { value: "path", label: "A task library in a local folder" },
      { value: "package", label: "A published package (JSR or npm)" },
    );
    const kind = answer(
      await p.select({ message: "Task library", options }),
    );
    if (kind === "example") library = { path: example! };
    else if (kind === "path") {
      const path = answer(
        await p.text({
          message: "Library folder (with its deno.json)",
          validate: (v) => {
            if (!v) return "give a folder";
            try {
              Deno.statSync(join(resolve(cwd, v), "deno.json"));
              return undefined;
            } catch {
              return `${resolve(cwd, v)} has no deno.json`;
            }
          },
        }),
      );
      library = { path };
    } else {
      const name = answer(
        await p.text({
          message: "Package name",
          placeholder: "@scope/tasks",
          validate: (v) => (v ? undefined : "give a package name"),
        }),
      );
      const registry = answer(
        await p.select({
          message: "Package registry",
          options: [
            { value: "jsr" as const, label: "JSR" },
            { value: "npm" as const, label: "npm" },
          ],
        }),
      );
      const version = answer(
        await p.text({
          message: "Version range (empty: any)",
          placeholder: "^1.0.0",
        }),
      ).trim();
      library = { name, registry, ...(version ? { version } : {}) };
    }
  }

  let registry = registryFromFile;
  if (registry === undefined && flags.link !== undefined) {
    const s = p.spinner();
    s.start("Discovering the library's tasks (sandboxed)");
    try {
      registry = await discoverLibrary(ctx, library, target, cwd, flags.link);
      s.stop(`Found ${Object.keys(registry.entries).length} task(s)`);
    } catch (err) {
      s.stop("Task discovery failed");
      p.note(
        `${
          err instanceof Error ? err.message : String(err)
        }\nType the task names instead; \`wt-compiler check\` checks them later.`,
        "Discovery",
      );
    }
  }

  let tasks: ScaffoldTask[] = flags.task.map(toTask);
  if (tasks.length === 0) {
    const name = await libraryName(library, cwd);
    const isExample = name === EXAMPLE_LIBRARY_NAME;
    if (registry !== undefined) {
      const choices = taskChoices(registry, name);
      const initial = choices.find((c) =>
        isExample && c.task === EXAMPLE_STARTER.task
      ) ?? choices[0];
      const picked = answer(
        await p.multiselect({
          message: "Tasks to start with (one instance each)",
          options: choices.map((c) => ({
            value: c.task,
            label: c.task,
            hint: c.description !== undefined
              ? `${c.title}: ${c.description}`
              : c.title,
          })),
          ...(initial ? { initialValues: [initial.task] } : {}),
          required: true,
        }),
      );
      tasks = picked.map((task) => ({ task }));
    } else {
      const typed = answer(
        await p.text({
          message: "Tasks to start with (export names, comma-separated)",
          ...(isExample ? { initialValue: EXAMPLE_STARTER.task } : {}),
          validate: (v) =>
            (v ?? "").split(",").some((s) => s.trim() !== "")
              ? undefined
              : "give at least one task name",
        }),
      );
      tasks = typed.split(",").map((s) => s.trim()).filter((s) => s !== "")
        .map((task) => ({ task }));
    }
  }

  const plan = await planScaffold(dir, {
    id,
    library,
    tasks,
    registry,
    force,
    cwd,
  });
  await writeScaffold(plan, { force });
  reportWarnings(plan, ctx);
  p.note(nextSteps(plan, cwd, flags.link), "Next steps (see README.md)");
  p.outro(`Wrote ${Object.keys(plan.files).join(", ")} to ${plan.dir}`);
  return EXIT_OK;
}

function libraryFromFlags(flags: Flags): ScaffoldLibrary | undefined {
  if (flags.libraryPath === undefined && flags.libraryName === undefined) {
    if (
      flags.libraryVersion !== undefined || flags.libraryRegistry !== undefined
    ) {
      throw new ScaffoldError(
        "--library-version and --library-registry need --library-name",
        { usage: true },
      );
    }
    return undefined;
  }
  return {
    ...(flags.libraryPath !== undefined ? { path: flags.libraryPath } : {}),
    ...(flags.libraryName !== undefined ? { name: flags.libraryName } : {}),
    ...(flags.libraryVersion !== undefined
      ? { version: flags.libraryVersion }
      : {}),
    ...(flags.libraryRegistry !== undefined
      ? { registry: flags.libraryRegistry }
      : {}),
  };
}

function reportWarnings(plan: ScaffoldPlan, ctx: CliContext): void {
  if (plan.diagnostics.length > 0) {
    ctx.io.stderr(plan.diagnostics.map(formatDiagnostic).join("\n") + "\n");
  }
  if (!plan.tasksChecked) {
    ctx.io.stderr(
      "note: task names were not checked (no --registry or --link); `wt-compiler check` checks them\n",
    );
  }
}

async function batch(
  dir: string,
  flags: Flags,
  ctx: CliContext,
  deps: ScaffoldCommandDeps,
  registryFromFile: RegistryOutput | undefined,
): Promise<number> {
  const cwd = deps.cwd();
  const target = resolve(cwd, dir);
  let id = flags.id;
  if (id === undefined) {
    if (!flags.yes) {
      throw new ScaffoldError(
        `not on a terminal, so nothing can be asked: pass --id ID, or --yes to accept the defaults (id \`${
          defaultWorkflowId(target)
        }\`)`,
        { usage: true },
      );
    }
    id = defaultWorkflowId(target);
  }
  const problem = workflowIdProblem(id);
  if (problem !== undefined) throw new ScaffoldError(problem, { usage: true });
  const library = libraryFromFlags(flags);
  if (!flags.force && !(await isEmptyDir(target))) {
    // Checked before discovery, which can take a while (planScaffold checks again).
    throw new ScaffoldError(
      `${target} is not empty: give a new or empty folder, or pass --force to write into it`,
      { usage: true },
    );
  }
  let registry = registryFromFile;
  const example = exampleLibraryPath();
  const lib = library ??
    (example !== undefined ? { path: example } : undefined);
  // Without a library planScaffold reports what to pass.
  if (registry === undefined && flags.link !== undefined && lib) {
    registry = await discoverLibrary(ctx, lib, target, cwd, flags.link);
  }
  const plan = await planScaffold(dir, {
    id,
    library,
    tasks: flags.task.map(toTask),
    registry,
    force: flags.force,
    cwd,
  });
  await writeScaffold(plan, { force: flags.force });
  reportWarnings(plan, ctx);
  ctx.io.stderr(
    `wrote ${plan.dir}: ${Object.keys(plan.files).join(", ")}\n` +
      `next steps (see README.md):\n${
        nextSteps(plan, cwd, flags.link).split("\n").map((l) => `  ${l}`)
          .join("\n")
      }\n`,
  );
  return EXIT_OK;
}

/**
 * Make the `scaffold` subcommand installer with the given prompts and terminal detection.
 *
 * @param deps Overrides of the real terminal, prompts and working folder.
 * @returns The installer.
 */
export function makeScaffoldCommand(
  deps: Partial<ScaffoldCommandDeps> = {},
): (program: Command, ctx: CliContext) => void {
  return (program, ctx) => {
    const d: ScaffoldCommandDeps = {
      isInteractive: deps.isInteractive ?? (() => realInteractive(ctx)),
      prompter: deps.prompter ?? clackPrompter,
      cwd: deps.cwd ?? (() => Deno.cwd()),
    };
    program
      .command("scaffold")
      .description(
        "create a new workflow project in <dir>: spec.yaml, test-cases.yaml, README.md, .gitignore (asks on a terminal; flags or --yes otherwise)",
      )
      .argument("<dir>", "the project folder (new or empty)")
      .option("--id <id>", "workflow id (default: the folder name)")
      .option(
        "--library-path <dir>",
        `task library in a local folder (default: the example library ${EXAMPLE_LIBRARY_NAME} of this checkout)`,
      )
      .option(
        "--library-name <name>",
        "package name of the task library (a published package unless --library-path is given)",
      )
      .option(
        "--library-version <range>",
        "version range of a published library",
      )
      .addOption(
        new Option(
          "--library-registry <registry>",
          "where a published library comes from (default jsr)",
        ).choices(["jsr", "npm"] as const),
      )
      .option(
        "--registry <file>",
        "pre-computed RegistryOutput JSON: offers its tasks and checks the spec against them",
      )
      .option(
        "--link <dir>",
        "discover the library's tasks, resolving every @wt/* package from this local checkout",
      )
      .option(
        "--task <name>",
        "a starter task instance, `NAME` or `ID=NAME` (repeatable; default: add on the example library)",
        parseTask,
        [] as string[],
      )
      .option("--yes", "accept the defaults without asking")
      .option("--force", "write into a non-empty folder")
      .action(async (dir, opts) => {
        const flags = opts as Flags;
        const ask = !flags.yes && d.isInteractive();
        try {
          if (flags.id !== undefined) {
            const problem = workflowIdProblem(flags.id);
            if (problem !== undefined) {
              throw new ScaffoldError(problem, { usage: true });
            }
          }
          let registryFromFile: RegistryOutput | undefined;
          if (flags.registry !== undefined) {
            registryFromFile = await readRegistryFile(
              resolve(d.cwd(), flags.registry),
              ctx.io.readTextFile,
            );
          }
          ctx.exitCode = ask
            ? await interactive(dir, flags, ctx, d, registryFromFile)
            : await batch(dir, flags, ctx, d, registryFromFile);
        } catch (err) {
          if (err instanceof Cancelled) {
            if (ask) {
              d.prompter.cancel(`Cancelled (${err.message}); nothing written`);
            } else ctx.io.stderr(`cancelled: nothing written\n`);
            ctx.exitCode = EXIT_INVALID;
            return;
          }
          if (err instanceof ScaffoldError) {
            if (err.diagnostics.length > 0) {
              ctx.io.stderr(
                err.diagnostics.map(formatDiagnostic).join("\n") + "\n",
              );
            }
            ctx.io.stderr(`error: ${err.message}\n`);
            if (ask) d.prompter.cancel("Nothing written");
            ctx.exitCode = err.usage ? EXIT_USAGE : EXIT_INVALID;
            return;
          }
          if (
            err instanceof CatalogueLoadError || err instanceof DiscoveryError
          ) {
            ctx.io.stderr(
              `error: ${(err as Error).message}\nnothing written\n`,
            );
            if (ask) d.prompter.cancel("Nothing written");
            ctx.exitCode = EXIT_INVALID;
            return;
          }
          throw err;
        }
      });
  };
}

/**
 * Install `scaffold <dir> [options]` on the program (real terminal and prompts).
 *
 * @param program The commander program.
 * @param ctx Shared CLI state (I/O, exit code).
 */
export const scaffoldCommand: (program: Command, ctx: CliContext) => void =
  makeScaffoldCommand();
