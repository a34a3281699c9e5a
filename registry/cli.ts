/**
 * The registry CLI (`wt-registry`): imports task modules, collects their registered tasks
 * and prints one `RegistryOutput` (from `@wt/contracts`) as JSON.
 *
 * ```
 * deno run --allow-read jsr:@wt/registry/cli --package ./tasks/mod.ts [--package …]
 *   [--format json|pretty] [--function NAME …]
 * ```
 *
 * Exit codes: 0 success, 1 failure (an import that throws, a registration mistake,
 * duplicate task names, an unknown `--function`), 2 bad arguments. It needs read access only
 * (no environment, network, write or system access), so the compiler can run it sandboxed.
 *
 * @example Collect tasks in-process
 * ```ts ignore
 * import { collectRegistry } from "@wt/registry/cli";
 *
 * const out = await collectRegistry(["./examples/custom-tasks/mod.ts"]);
 * console.log(Object.keys(out.entries));
 * ```
 *
 * @module
 */
import * as v from "valibot";
import {
  qualifiedName,
  REGISTRY_OUTPUT_VERSION,
  type RegistryEntry,
  RegistryOutput,
} from "@wt/contracts";
import { taskInfo } from "./register.ts";
import { ModuleImportError, RegistrationError } from "./errors.ts";
import { defaultTitle } from "./title.ts";
import { importTarget, publicModulePath } from "./_specifier.ts";

export type {
  RegistryEntry,
  RegistryEntryInput,
  RegistryMetadata,
  RegistryMetadataInput,
  RegistryOutput,
  RegistryOutputInput,
} from "@wt/contracts";
export { REGISTRY_OUTPUT_VERSION } from "@wt/contracts";

/**
 * The module of the built-in skip conditions (`any_dependency_skipped`, `any_is_empty`,
 * `all_are_none`, `never`), which the compiler always discovers. A task of another module
 * may share a name with one of them (every other duplicate name is an error).
 *
 * @example
 * ```ts
 * import { BUILTIN_CONDITIONS } from "@wt/registry/cli";
 *
 * console.assert(BUILTIN_CONDITIONS === "@wt/registry/conditions");
 * ```
 */
export const BUILTIN_CONDITIONS: string = "@wt/registry/conditions";

/** Options of {@linkcode collectRegistry}. */
export interface CollectOptions {
  /** Keep only tasks with these export names; each name must match a task. */
  functions?: readonly string[];
  /**
   * Folder that relative paths are resolved against (default: the working directory).
   * A path or a `file:` URL.
   */
  cwd?: string;
}

function entryFor(
  name: string,
  value: unknown,
  modulePath: string,
): RegistryEntry | undefined {
  const info = taskInfo(value);
  if (!info) return undefined;
  const m = info.metadata;
  const metadata: RegistryEntry["metadata"] = {
    title: m.title ?? defaultTitle(name),
    tags: [...m.tags],
    deprecated: m.deprecated,
  };
  if (m.description !== undefined) metadata.description = m.description;
  if (m.deprecation_message !== undefined) {
    metadata.deprecation_message = m.deprecation_message;
  }
  const entry: RegistryEntry = {
    metadata,
    json_schema: JSON.parse(JSON.stringify(info.json_schema)),
    parameters: [...info.parameters],
    public_module_path: modulePath,
    function_name: name,
  };
  // Absent when the task was registered by an older copy of this package.
  const required = (info as { required_parameters?: readonly string[] })
    .required_parameters;
  if (Array.isArray(required)) entry.required_parameters = [...required];
  return entry;
}

/**
 * Import task modules and collect their exported registered tasks into a
 * `RegistryOutput`. Tasks without a title get one from their export name.
 *
 * @param specifiers Module specifiers: package specifiers (kept as the public module path)
 *   or paths (relative ones resolved against `opts.cwd` or the working directory).
 * @param opts Filter and working directory.
 * @returns The catalogue, keyed by `<public_module_path>.<function_name>`.
 * @throws {ModuleImportError} When a module cannot be imported (names the specifier).
 * @throws {RegistrationError} When two modules export tasks under the same name (a name
 *   shared with a task of {@linkcode BUILTIN_CONDITIONS} is allowed), or a `functions` name
 *   matches no task.
 *
 * @example
 * ```ts ignore
 * import { collectRegistry } from "@wt/registry/cli";
 *
 * const out = await collectRegistry(["@wt-examples/custom-tasks"], { functions: ["add"] });
 * console.assert(Object.keys(out.entries)[0] === "@wt-examples/custom-tasks.add");
 * ```
 */
export async function collectRegistry(
  specifiers: readonly string[],
  opts: CollectOptions = {},
): Promise<RegistryOutput> {
  const entries: Record<string, RegistryEntry> = {};
  const owner = new Map<string, string>();
  const builtins = new Set<string>();
  const done = new Set<string>();
  for (const specifier of specifiers) {
    let target: string;
    try {
      target = importTarget(specifier, opts.cwd);
    } catch (e) {
      throw e instanceof ModuleImportError
        ? e
        : new ModuleImportError(specifier, e);
    }
    if (done.has(target)) continue;
    done.add(target);
    let mod: Record<string, unknown>;
    try {
      mod = await import(target);
    } catch (e) {
      throw new ModuleImportError(specifier, e);
    }
    const modulePath = await publicModulePath(specifier, target);
    for (const [name, value] of Object.entries(mod)) {
      if (name === "default") continue;
      const entry = entryFor(name, value, modulePath);
      if (!entry) continue;
      if (modulePath === BUILTIN_CONDITIONS) {
        // A built-in may share its name with a library task: both are kept under their
        // qualified names (the bare name is then ambiguous in a spec).
        builtins.add(name);
        entries[qualifiedName(entry)] = entry;
        continue;
      }
      const previous = owner.get(name);
      if (previous !== undefined) {
        throw new RegistrationError(
          `duplicate task name '${name}': exported by both '${previous}' and ` +
            `'${specifier}'. Fix: rename one of the exports (task names must be unique ` +
            `across the modules of one workflow).`,
          { task: name },
        );
      }
      owner.set(name, specifier);
      entries[qualifiedName(entry)] = entry;
    }
  }
  let kept = entries;
  if (opts.functions && opts.functions.length > 0) {
    const wanted = new Set(opts.functions);
    const missing = [...wanted].filter((f) =>
      !owner.has(f) && !builtins.has(f)
    );
    if (missing.length > 0) {
      throw new RegistrationError(
        `no task named ${missing.map((m) => `'${m}'`).join(", ")} in ${
          specifiers.map((s) => `'${s}'`).join(", ")
        }; tasks found: ${
          [...new Set([...owner.keys(), ...builtins])].join(", ") || "(none)"
        }`,
      );
    }
    kept = Object.fromEntries(
      Object.entries(entries).filter(([, e]) => wanted.has(e.function_name)),
    );
  }
  return v.parse(RegistryOutput, {
    version: REGISTRY_OUTPUT_VERSION,
    entries: kept,
  });
}

/** Parsed command line of the registry CLI. */
export interface CliArgs {
  /** Module specifiers (`--package`, repeatable, at least one). */
  packages: string[];
  /** Output format: compact JSON or indented JSON. */
  format: "json" | "pretty";
  /** Export names to keep (`--function`, repeatable). */
  functions: string[];
  /** Whether `--help` was asked for. */
  help: boolean;
}

/**
 * A command-line usage mistake (exit code 2).
 *
 * @example
 * ```ts
 * import { parseCliArgs, UsageError } from "@wt/registry/cli";
 *
 * try {
 *   parseCliArgs(["--format", "xml"]);
 * } catch (e) {
 *   console.assert(e instanceof UsageError);
 * }
 * ```
 */
export class UsageError extends Error {
  /**
   * Create a usage error.
   *
   * @param message What is wrong with the arguments.
   */
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/**
 * Usage text of the registry CLI.
 *
 * @example
 * ```ts
 * import { USAGE } from "@wt/registry/cli";
 *
 * console.assert(USAGE.includes("--package"));
 * ```
 */
export const USAGE: string =
  `Usage: wt-registry --package SPECIFIER [--package SPECIFIER ...]
                   [--format json|pretty] [--function NAME ...]

Import task modules and print their registered tasks as RegistryOutput JSON.

Options:
  --package, -p SPECIFIER  module to import: a package specifier or a path (repeatable)
  --format FORMAT          json (compact, default) or pretty (indented)
  --function NAME          keep only this task (repeatable)
  --help, -h               show this help

Exit codes: 0 success, 1 failure, 2 bad arguments.`;

/**
 * Parse the registry CLI's arguments.
 *
 * @param argv Arguments after the program name.
 * @returns The parsed arguments.
 * @throws {UsageError} On an unknown option, a missing value, a bad format, a positional
 *   argument, or no `--package`.
 *
 * @example
 * ```ts
 * import { parseCliArgs } from "@wt/registry/cli";
 *
 * const args = parseCliArgs(["--package", "./mod.ts", "--format=pretty"]);
 * console.assert(args.packages[0] === "./mod.ts" && args.format === "pretty");
 * ```
 */
export function parseCliArgs(argv: readonly string[]): CliArgs {
  const out: CliArgs = {
    packages: [],
    format: "json",
    functions: [],
    help: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--help" || arg === "-h") {
      out.help = true;
      continue;
    }
    const eq = arg.startsWith("--") ? arg.indexOf("=") : -1;
    const flag = eq >= 0 ? arg.slice(0, eq) : arg;
    const takeValue = (): string => {
      if (eq >= 0) return arg.slice(eq + 1);
      const next = argv[i + 1];
      if (next === undefined || next.startsWith("-")) {
        throw new UsageError(`option '${flag}' needs a value`);
      }
      i++;
      return next;
    };
    switch (flag) {
      case "--package":
      case "-p": {
        const value = takeValue();
        if (value === "") throw new UsageError("--package needs a specifier");
        out.packages.push(value);
        break;
      }
      case "--format": {
        const value = takeValue();
        if (value !== "json" && value !== "pretty") {
          throw new UsageError(
            `--format must be 'json' or 'pretty', got '${value}'`,
          );
        }
        out.format = value;
        break;
      }
      case "--function": {
        const value = takeValue();
        if (value === "") throw new UsageError("--function needs a name");
        out.functions.push(value);
        break;
      }
      default:
        throw new UsageError(
          arg.startsWith("-")
            ? `unknown option '${flag}'`
            : `unexpected argument '${arg}' (give modules with --package)`,
        );
    }
  }
  if (!out.help && out.packages.length === 0) {
    throw new UsageError("give at least one --package SPECIFIER");
  }
  return out;
}

/**
 * Run the registry CLI: parse arguments, collect tasks, print the output.
 *
 * @param argv Arguments after the program name.
 * @returns The exit code: 0 success, 1 failure, 2 bad arguments.
 *
 * @example
 * ```ts ignore
 * import { main } from "@wt/registry/cli";
 *
 * Deno.exit(await main(["--package", "./tasks.ts", "--format", "pretty"]));
 * ```
 */
export async function main(argv: readonly string[]): Promise<number> {
  let args: CliArgs;
  try {
    args = parseCliArgs(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    console.error(`wt-registry: ${e.message}\n\n${USAGE}`);
    return 2;
  }
  if (args.help) {
    console.log(USAGE);
    return 0;
  }
  // A module may start an operation at import time without awaiting it (a denied socket,
  // a read…): its rejection arrives after the import. Catch it rather than printing a
  // registry as if the import had been clean.
  const late: unknown[] = [];
  const onRejection = (e: PromiseRejectionEvent) => {
    e.preventDefault();
    late.push(e.reason);
  };
  globalThis.addEventListener("unhandledrejection", onRejection);
  try {
    const out = await collectRegistry(args.packages, {
      functions: args.functions,
    });
    // Let rejections of operations started during the imports surface.
    await new Promise((r) => setTimeout(r, 0));
    if (late.length > 0) {
      const reason = late[0];
      console.error(
        `wt-registry: a task module left an operation failing after its import ` +
          `(an un-awaited promise rejected): ${
            reason instanceof Error
              ? `${reason.name}: ${reason.message}`
              : String(reason)
          }`,
      );
      return 1;
    }
    console.log(
      args.format === "pretty"
        ? JSON.stringify(out, null, 2)
        : JSON.stringify(out),
    );
    return 0;
  } catch (e) {
    console.error(
      `wt-registry: ${e instanceof Error ? e.message : String(e)}`,
    );
    return 1;
  } finally {
    globalThis.removeEventListener("unhandledrejection", onRejection);
  }
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
