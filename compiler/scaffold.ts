/**
 * `scaffold`: create a new workflow project — a folder with `spec.yaml` (workflow id, one task
 * library, starter task instances), `test-cases.yaml` (one case), `README.md` (next steps) and
 * `.gitignore` (compiled output). Files are rendered from the compiler's templates, the spec
 * is checked with {@linkcode checkSpec} before anything is written, and writes are atomic.
 *
 * @module
 */
import { existsSync } from "node:fs";
import {
  basename,
  dirname,
  isAbsolute,
  join,
  relative,
  resolve,
  sep,
} from "node:path";
import { fileURLToPath } from "node:url";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import {
  formatValidationErrors,
  type RegistryEntry,
  type RegistryOutput,
  validate,
} from "@wt/contracts";
import { render } from "./_codegen_render.ts";
import { Catalogue } from "./catalogue.ts";
import { type Diagnostic, hasErrors } from "./diagnostics.ts";
import {
  checkId,
  checkWorkflowId,
  isReservedId,
  MAX_ID_LENGTH,
  suggestId,
  suggestWorkflowId,
} from "./ids.ts";
import type { Spec } from "./spec_model.ts";
import { checkSpec } from "./validate.ts";
import { generateSchemas } from "./schemas.ts";
import { releaseName } from "./compile.ts";

/**
 * Package name of the example task library (`examples/custom-tasks` in a checkout of wt),
 * the library `scaffold` uses when none is given.
 *
 * @example
 * ```ts
 * import { EXAMPLE_LIBRARY_NAME } from "@wt/compiler";
 *
 * console.assert(EXAMPLE_LIBRARY_NAME === "@wt-examples/custom-tasks");
 * ```
 */
export const EXAMPLE_LIBRARY_NAME = "@wt-examples/custom-tasks";

/**
 * The starter task of a project on the example library when no task is named, with the
 * configuration and result its test case uses.
 *
 * @example
 * ```ts
 * import { EXAMPLE_STARTER } from "@wt/compiler";
 *
 * console.assert(EXAMPLE_STARTER.task === "add" && EXAMPLE_STARTER.expected === 3);
 * ```
 */
export const EXAMPLE_STARTER: {
  readonly task: string;
  readonly params: Readonly<Record<string, unknown>>;
  readonly expected: unknown;
} = Object.freeze({
  task: "add",
  params: Object.freeze({ a: 1, b: 2 }),
  expected: 3,
});

/**
 * The folder of the example task library in the checkout this module runs from.
 *
 * @returns The absolute folder, or `undefined` when this module does not run from a checkout
 * of wt (e.g. imported from JSR) or the folder is missing.
 *
 * @example
 * ```ts
 * import { exampleLibraryPath } from "@wt/compiler";
 *
 * const path = exampleLibraryPath();
 * console.assert(path === undefined || path.endsWith("custom-tasks"));
 * ```
 */
export function exampleLibraryPath(): string | undefined {
  const url = new URL("../examples/custom-tasks", import.meta.url);
  if (url.protocol !== "file:") return undefined;
  const path = fileURLToPath(url);
  try {
    return existsSync(join(path, "deno.json")) ? path : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The task library of a new project: a local package folder (`path`), or a published package
 * (`name` with `version` and `registry`).
 */
export interface ScaffoldLibrary {
  /** Package name; for a `path` library it defaults to the `name` in its `deno.json`. */
  name?: string | undefined;
  /** Local package folder (absolute, or relative to {@linkcode ScaffoldOptions.cwd}). */
  path?: string | undefined;
  /** Version range of a published package (e.g. `^1.2.0`). */
  version?: string | undefined;
  /** Where a published package comes from (default `jsr`). */
  registry?: "jsr" | "npm" | undefined;
}

/** A starter task instance. */
export interface ScaffoldTask {
  /** Task name: a bare export name or `<module specifier>.<export>`. */
  task: string;
  /** Instance id (default: derived from the export name, e.g. `add` → `add_result`). */
  id?: string | undefined;
  /** Display name (default: the task's title, else the export name in title case). */
  name?: string | undefined;
}

/** A starter task instance as written into the spec. */
export interface ScaffoldInstance {
  /** Instance id. */
  id: string;
  /** Display name. */
  name: string;
  /** Task name. */
  task: string;
}

/** Options of {@linkcode planScaffold} and {@linkcode scaffold}. */
export interface ScaffoldOptions {
  /** Workflow id (letters, digits, `_` and `-`, starting with a letter or `_`). */
  id: string;
  /** The task library (default: the example library of this checkout, by path). */
  library?: ScaffoldLibrary | undefined;
  /**
   * Starter task instances, task names or {@linkcode ScaffoldTask}s (default: `add` on the
   * example library; otherwise the first task of `registry` in the library).
   */
  tasks?: readonly (string | ScaffoldTask)[] | undefined;
  /**
   * The tasks available (a `RegistryOutput`): task names are checked against it, instance
   * names and test-case values come from it. Without it only the spec's structure is checked.
   */
  registry?: RegistryOutput | undefined;
  /** Write into a non-empty folder (files with the same names are replaced). */
  force?: boolean | undefined;
  /** Base folder of a relative `library.path` (default: the working folder). */
  cwd?: string | undefined;
}

/** A rendered and checked project, ready for {@linkcode writeScaffold}. */
export interface ScaffoldPlan {
  /** Absolute target folder. */
  dir: string;
  /** Workflow id. */
  id: string;
  /** The library as written into the spec (`path` relative to the target folder). */
  library: ScaffoldLibrary & { name: string };
  /** The starter instances as written (ids, names, task names). */
  tasks: ScaffoldInstance[];
  /** Files by name relative to `dir`, in writing order. */
  files: Record<string, string>;
  /** Warnings of the spec check (errors make planning fail). */
  diagnostics: Diagnostic[];
  /** Whether task names and arguments were checked (a registry was given). */
  tasksChecked: boolean;
  /** Whether the test case has complete params and an expected result. */
  testCaseComplete: boolean;
  /** Release folder `wt-<id>-workflow` that compiling the spec writes next to it. */
  releaseName: string;
  /** The test case's params as JSON text (a `--config-json` for a first run). */
  exampleConfig: string;
}

/**
 * Scaffolding failed: a bad option (`usage`), a non-empty target folder without `force`, or a
 * spec that does not pass the check (`diagnostics`). Nothing was written.
 *
 * @example
 * ```ts
 * import { ScaffoldError } from "@wt/compiler";
 *
 * const err = new ScaffoldError("bad workflow id", { usage: true });
 * console.assert(err.usage && err.diagnostics.length === 0);
 * ```
 */
export class ScaffoldError extends Error {
  /** The problem is in the options or arguments (exit code 2). */
  readonly usage: boolean;
  /** Problems found by the spec check, if that is what failed. */
  readonly diagnostics: Diagnostic[];
  /**
   * Create the error.
   *
   * @param message What failed, where, and the fix.
   * @param options `usage` for option errors, the check's `diagnostics`, `cause`.
   */
  constructor(
    message: string,
    options: {
      usage?: boolean;
      diagnostics?: Diagnostic[];
      cause?: unknown;
    } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = "ScaffoldError";
    this.usage = options.usage ?? false;
    this.diagnostics = options.diagnostics ?? [];
  }
}

/**
 * Why a workflow id is not allowed, as a sentence with a suggestion, using the compiler's own
 * id rules.
 *
 * @param id The workflow id.
 * @returns The problem, or `undefined` when the id is fine.
 *
 * @example
 * ```ts
 * import { workflowIdProblem } from "@wt/compiler";
 *
 * console.assert(workflowIdProblem("my_flow") === undefined);
 * console.assert(workflowIdProblem("my flow")?.includes("my_flow") === true);
 * ```
 */
export function workflowIdProblem(id: string): string | undefined {
  switch (checkWorkflowId(id)) {
    case undefined:
      return undefined;
    case "empty":
      return "the workflow id is empty: give one, e.g. `my_workflow`";
    case "too-long":
      return `workflow id \`${id}\` is ${id.length} characters long; the limit is ${MAX_ID_LENGTH}`;
    default:
      return `workflow id \`${id}\` is not valid: use letters, digits, \`_\` and \`-\`, starting with a letter or \`_\` (e.g. \`${
        suggestWorkflowId(id)
      }\`)`;
  }
}

/**
 * A workflow id for a project folder: its name, made valid.
 *
 * @param dir The project folder.
 * @returns A valid workflow id.
 *
 * @example
 * ```ts
 * import { defaultWorkflowId } from "@wt/compiler";
 *
 * console.assert(defaultWorkflowId("/tmp/patrol events") === "patrol_events");
 * ```
 */
export function defaultWorkflowId(dir: string): string {
  return suggestWorkflowId(basename(resolve(dir)) || "workflow");
}

/**
 * Whether a folder is missing or empty.
 *
 * @param dir The folder.
 * @returns `true` when it does not exist or has no entries.
 * @throws {ScaffoldError} When the path exists and is not a folder.
 *
 * @example
 * ```ts
 * import { isEmptyDir } from "@wt/compiler";
 *
 * console.assert(await isEmptyDir(await Deno.makeTempDir()));
 * ```
 */
export async function isEmptyDir(dir: string): Promise<boolean> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(dir);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return true;
    throw err;
  }
  if (!info.isDirectory) {
    throw new ScaffoldError(
      `${dir} exists and is not a folder: give a new or empty folder`,
      { usage: true },
    );
  }
  for await (const _ of Deno.readDir(dir)) return false;
  return true;
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** A YAML scalar for a string: plain when it reads back as the same string, else quoted. */
function yamlString(s: string): string {
  try {
    if (
      s !== "" && !/[#:{}[\],&*!|>'"%@`]/.test(s) && s.trim() === s &&
      parseYaml(s) === s
    ) return s;
  } catch {
    // fall through to quoting
  }
  return JSON.stringify(s);
}

/**
 * How to write `to` from folder `from`: relative (portable with the project, `./` or `../`
 * first) unless the two share only the file-system root, then absolute.
 *
 * @param from The folder the path is read from.
 * @param to The absolute target.
 * @returns The path to write.
 *
 * @example
 * ```ts
 * import { pathFrom } from "@wt/compiler";
 *
 * console.assert(pathFrom("/work/a/flow", "/work/b") === "../../b");
 * console.assert(pathFrom("/tmp/flow", "/work/b") === "/work/b");
 * ```
 */
export function pathFrom(from: string, to: string): string {
  const a = resolve(from);
  const b = resolve(to);
  if (a.split(sep)[1] !== b.split(sep)[1]) return b;
  let rel = relative(a, b).replaceAll("\\", "/");
  if (rel === "") rel = ".";
  else if (!rel.startsWith(".") && !isAbsolute(rel)) rel = `./${rel}`;
  return rel;
}

function titleCase(name: string): string {
  return name.split(/[_\s]+/).filter((w) => w !== "").map((w) =>
    w[0]!.toUpperCase() + w.slice(1)
  ).join(" ");
}

function exportName(task: string): string {
  return task.slice(task.lastIndexOf(".") + 1);
}

async function resolveLibrary(
  library: ScaffoldLibrary | undefined,
  dir: string,
  cwd: string,
): Promise<{ library: ScaffoldLibrary & { name: string }; path?: string }> {
  const lib = library ?? {};
  if (lib.path === undefined && lib.name === undefined) {
    const example = exampleLibraryPath();
    if (example === undefined) {
      throw new ScaffoldError(
        `the example library ${EXAMPLE_LIBRARY_NAME} is not available here (not a checkout of wt): ` +
          "give a task library with --library-path DIR or --library-name NAME",
        { usage: true },
      );
    }
    return resolveLibrary({ ...lib, path: example }, dir, cwd);
  }
  if (lib.path !== undefined) {
    if (lib.version !== undefined || lib.registry !== undefined) {
      throw new ScaffoldError(
        "a library is either a local folder (--library-path) or a published package (--library-version, --library-registry), not both",
        { usage: true },
      );
    }
    const abs = isAbsolute(lib.path) ? lib.path : resolve(cwd, lib.path);
    let name = lib.name;
    let text: string | undefined;
    try {
      text = await Deno.readTextFile(join(abs, "deno.json"));
    } catch (err) {
      if (!(err instanceof Deno.errors.NotFound)) throw err;
    }
    if (text === undefined) {
      throw new ScaffoldError(
        `task library folder ${abs} has no deno.json: give the folder of a Deno package (with "name" and "exports")`,
        { usage: true },
      );
    }
    let declared: unknown;
    try {
      declared = (JSON.parse(text) as { name?: unknown }).name;
    } catch (err) {
      throw new ScaffoldError(
        `${join(abs, "deno.json")} is not valid JSON: ${message(err)}`,
        { usage: true, cause: err },
      );
    }
    if (name === undefined) {
      if (typeof declared !== "string" || declared === "") {
        throw new ScaffoldError(
          `${
            join(abs, "deno.json")
          } has no "name": give the package name with --library-name`,
          { usage: true },
        );
      }
      name = declared;
    } else if (typeof declared === "string" && declared !== name) {
      throw new ScaffoldError(
        `--library-name ${name} does not match the name ${declared} in ${
          join(abs, "deno.json")
        }: leave --library-name out or fix it`,
        { usage: true },
      );
    }
    return { library: { name, path: pathFrom(dir, abs) }, path: abs };
  }
  const name = lib.name!;
  if (!/^(@[a-z0-9][\w.-]*\/)?[a-z0-9][\w.-]*$/i.test(name)) {
    throw new ScaffoldError(
      `library name \`${name}\` is not a package name: use \`@scope/name\` or \`name\``,
      { usage: true },
    );
  }
  if (lib.version !== undefined && lib.version.trim() === "") {
    throw new ScaffoldError(
      "--library-version is empty: give a version range",
      {
        usage: true,
      },
    );
  }
  return {
    library: {
      name,
      ...(lib.version !== undefined ? { version: lib.version } : {}),
      registry: lib.registry ?? "jsr",
    },
  };
}

function libraryTasks(
  registry: RegistryOutput,
  libraryName: string,
): RegistryEntry[] {
  const all = Object.values(registry.entries);
  const own = all.filter((e) =>
    e.public_module_path === libraryName ||
    e.public_module_path.startsWith(`${libraryName}/`)
  );
  return own.length > 0 ? own : all;
}

/**
 * The task names a project on a library can start with: the library's tasks in a registry
 * (bare names where they are unambiguous), for prompts and defaults.
 *
 * @param registry The tasks available.
 * @param libraryName The library's package name (its tasks come first; all tasks when none
 * match).
 * @returns `{task, title, description}` per task.
 *
 * @example
 * ```ts
 * import { taskChoices } from "@wt/compiler";
 *
 * const choices = taskChoices({ version: "1.0.0", entries: { "@x/y.add": {
 *   metadata: { title: "Add", tags: [], deprecated: false }, json_schema: {},
 *   public_module_path: "@x/y", function_name: "add",
 * } } }, "@x/y");
 * console.assert(choices[0]?.task === "add" && choices[0].title === "Add");
 * ```
 */
export function taskChoices(
  registry: RegistryOutput,
  libraryName: string,
): {
  task: string;
  title: string;
  description?: string;
  deprecated: boolean;
}[] {
  const catalogue = new Catalogue(registry);
  return libraryTasks(registry, libraryName).map((e) => {
    const bare = catalogue.resolve(e.function_name).kind === "found";
    return {
      task: bare
        ? e.function_name
        : `${e.public_module_path}.${e.function_name}`,
      title: e.metadata.title ?? titleCase(e.function_name),
      ...(e.metadata.description !== undefined
        ? { description: e.metadata.description }
        : {}),
      deprecated: e.metadata.deprecated,
    };
  });
}

function instanceIds(
  workflowId: string,
  tasks: readonly ScaffoldTask[],
  taskNames: ReadonlySet<string>,
): string[] {
  const used = new Set<string>();
  const ids: string[] = [];
  for (const t of tasks) {
    if (t.id !== undefined) {
      const problem = checkId(t.id);
      if (problem !== undefined) {
        throw new ScaffoldError(
          `instance id \`${t.id}\` for task ${t.task} is ${
            problem === "reserved"
              ? "reserved (a JavaScript keyword or a name the generated code uses)"
              : problem === "too-long"
              ? `longer than ${MAX_ID_LENGTH} characters`
              : "not a valid identifier (ASCII letters, digits and `_`, not starting with a digit)"
          }: use e.g. \`${suggestId(t.id)}\``,
          { usage: true },
        );
      }
      if (used.has(t.id)) {
        throw new ScaffoldError(
          `instance id \`${t.id}\` is given twice: ids must be unique`,
          { usage: true },
        );
      }
      used.add(t.id);
      ids.push(t.id);
      continue;
    }
    const base = suggestId(`${exportName(t.task)}_result`);
    let id = base;
    for (
      let n = 2;
      used.has(id) || id === workflowId || taskNames.has(id) ||
      isReservedId(id);
      n++
    ) {
      id = `${base.slice(0, MAX_ID_LENGTH - String(n).length - 1)}_${n}`;
    }
    used.add(id);
    ids.push(id);
  }
  return ids;
}

type Schema = Record<string, unknown>;

function deref(schema: unknown, root: Schema, depth = 0): Schema | undefined {
  if (typeof schema !== "object" || schema === null || depth > 20) {
    return undefined;
  }
  const s = schema as Schema;
  const ref = s["$ref"];
  if (typeof ref === "string" && ref.startsWith("#/$defs/")) {
    const defs = root["$defs"] as Record<string, unknown> | undefined;
    return deref(defs?.[ref.slice("#/$defs/".length)], root, depth + 1);
  }
  return s;
}

/** An example value a schema accepts, or `undefined` when none is obvious. */
function sampleValue(
  schema: unknown,
  root: Schema,
  depth = 0,
): unknown {
  const s = deref(schema, root);
  if (!s || depth > 8) return undefined;
  if ("default" in s) return s["default"];
  if (Array.isArray(s["examples"]) && s["examples"].length > 0) {
    return s["examples"][0];
  }
  if ("const" in s) return s["const"];
  if (Array.isArray(s["enum"]) && s["enum"].length > 0) return s["enum"][0];
  for (const k of ["anyOf", "oneOf"]) {
    const list = s[k];
    if (Array.isArray(list)) {
      for (const alt of list) {
        const v = sampleValue(alt, root, depth + 1);
        if (v !== undefined) return v;
      }
    }
  }
  const type = Array.isArray(s["type"]) ? s["type"][0] : s["type"];
  switch (type) {
    case "integer":
    case "number": {
      const min = s["minimum"] ?? s["exclusiveMinimum"];
      if (typeof min === "number") {
        return type === "integer" ? Math.floor(min) + 1 : min + 1;
      }
      return 1;
    }
    case "string": {
      const minLength = typeof s["minLength"] === "number" ? s["minLength"] : 0;
      return "x".repeat(Math.max(1, minLength));
    }
    case "boolean":
      return false;
    case "null":
      return null;
    case "array": {
      const min = typeof s["minItems"] === "number" ? s["minItems"] : 0;
      const out: unknown[] = [];
      for (let i = 0; i < min; i++) {
        const v = sampleValue(s["items"], root, depth + 1);
        if (v === undefined) return undefined;
        out.push(v);
      }
      return out;
    }
    case "object":
    case undefined: {
      if (type === undefined && !("properties" in s)) return undefined;
      return sampleObject(s, root, depth + 1);
    }
    default:
      return undefined;
  }
}

function sampleObject(
  schema: Schema,
  root: Schema,
  depth: number,
): Record<string, unknown> | undefined {
  const props = (schema["properties"] ?? {}) as Record<string, unknown>;
  const required = Array.isArray(schema["required"])
    ? schema["required"] as string[]
    : [];
  const out: Record<string, unknown> = {};
  for (const key of required) {
    const v = sampleValue(props[key], root, depth);
    if (v === undefined) return undefined;
    out[key] = v;
  }
  return out;
}

interface TestCase {
  params: Record<string, unknown>;
  expected?: unknown;
  complete: boolean;
  warnings: string[];
}

function testCase(
  spec: Spec,
  catalogue: Catalogue | undefined,
  tasks: ScaffoldInstance[],
  starter: boolean,
): TestCase {
  const last = tasks[tasks.length - 1]!;
  if (starter) {
    return {
      params: { [last.id]: { ...EXAMPLE_STARTER.params } },
      expected: EXAMPLE_STARTER.expected,
      complete: true,
      warnings: [],
    };
  }
  if (!catalogue) {
    const params: Record<string, unknown> = {};
    for (const t of tasks) params[t.id] = {};
    return { params, complete: false, warnings: [] };
  }
  const schema = generateSchemas(spec, (i) => catalogue.entryFor(i.task))
    .params as Schema;
  const props = (schema["properties"] ?? {}) as Record<string, unknown>;
  const params: Record<string, unknown> = {};
  const warnings: string[] = [];
  for (const t of tasks) {
    if (!(t.id in props)) continue;
    const s = deref(props[t.id], schema);
    const v = s ? sampleObject(s, schema, 0) : undefined;
    if (v === undefined) {
      warnings.push(
        `test-cases.yaml: no example value for every required argument of \`${t.id}\`; fill them in`,
      );
      params[t.id] = {};
    } else params[t.id] = v;
  }
  const problems = validate(params, schema);
  if (problems.length > 0 && warnings.length === 0) {
    warnings.push(
      `test-cases.yaml: the example params do not match the workflow's params.json; fix them:\n${
        formatValidationErrors(problems, "params")
      }`,
    );
  }
  return { params, complete: false, warnings };
}

/**
 * Render and check a new project without writing anything.
 *
 * @param dir The project folder (created by {@linkcode writeScaffold}).
 * @param options Workflow id, library, starter tasks, registry.
 * @returns The plan: files and the check's warnings.
 * @throws {ScaffoldError} On a bad id, library or task option (`usage`), a non-empty folder
 * without `force` (`usage`), or a spec that fails the check (with `diagnostics`).
 *
 * @example
 * ```ts
 * import { planScaffold } from "@wt/compiler";
 *
 * const plan = await planScaffold("/tmp/wt-scaffold-example-does-not-exist", {
 *   id: "my_flow",
 *   library: { name: "@acme/tasks", version: "^1.0.0" },
 *   tasks: ["buffer"],
 * });
 * console.assert(Object.keys(plan.files).join() === "spec.yaml,test-cases.yaml,README.md,.gitignore");
 * ```
 */
export async function planScaffold(
  dir: string,
  options: ScaffoldOptions,
): Promise<ScaffoldPlan> {
  const target = resolve(options.cwd ?? Deno.cwd(), dir);
  const idProblem = workflowIdProblem(options.id);
  if (idProblem !== undefined) {
    throw new ScaffoldError(idProblem, { usage: true });
  }
  if (!options.force && !(await isEmptyDir(target))) {
    throw new ScaffoldError(
      `${target} is not empty: give a new or empty folder, or pass --force to write into it ` +
        "(spec.yaml, test-cases.yaml, README.md and .gitignore are replaced)",
      { usage: true },
    );
  }
  const { library } = await resolveLibrary(
    options.library,
    target,
    options.cwd ?? Deno.cwd(),
  );
  const catalogue = options.registry
    ? new Catalogue(options.registry)
    : undefined;
  const isExample = library.name === EXAMPLE_LIBRARY_NAME;

  let requested: ScaffoldTask[] = (options.tasks ?? []).map((t) =>
    typeof t === "string" ? { task: t } : t
  );
  for (const t of requested) {
    if (t.task.trim() === "" || /\s/.test(t.task)) {
      throw new ScaffoldError(
        `task name \`${t.task}\` is not valid: give an export name (e.g. \`add\`) or \`<module>.<export>\``,
        { usage: true },
      );
    }
  }
  if (requested.length === 0) {
    if (isExample) {
      requested = [{ task: EXAMPLE_STARTER.task }];
    } else if (options.registry) {
      const first = taskChoices(options.registry, library.name)[0];
      if (first) requested = [{ task: first.task }];
    }
    if (requested.length === 0) {
      throw new ScaffoldError(
        `name the tasks to start with (--task NAME, repeatable): without a registry the tasks of ${library.name} are unknown`,
        { usage: true },
      );
    }
  }
  // The example library's starter task alone: its test case has a known result.
  const starter = isExample && requested.length === 1 &&
    exportName(requested[0]!.task) === EXAMPLE_STARTER.task;
  const taskNames = new Set(requested.map((t) => exportName(t.task)));
  if (catalogue) {
    for (const e of catalogue.entries.values()) taskNames.add(e.function_name);
  }
  const ids = instanceIds(options.id, requested, taskNames);
  const tasks: ScaffoldInstance[] = requested.map((t, i) => {
    const r = catalogue?.resolve(t.task);
    const title = r?.kind === "found" ? r.entry.metadata.title : undefined;
    return {
      id: ids[i]!,
      task: t.task,
      name: t.name ?? title ?? titleCase(exportName(t.task)),
    };
  });

  const specFile = join(target, "spec.yaml");
  const specText = await render("scaffold_spec.yaml.njk", {
    workflow_id: yamlString(options.id),
    workflow_id_text: options.id,
    library: {
      name: yamlString(library.name),
      ...(library.path !== undefined ? { path: yamlString(library.path) } : {}),
      ...(library.version !== undefined
        ? { version: yamlString(library.version) }
        : {}),
      ...(library.registry !== undefined ? { registry: library.registry } : {}),
    },
    tasks: tasks.map((t) => ({
      id: t.id,
      name: yamlString(t.name),
      task: yamlString(t.task),
    })),
  });
  const checked = checkSpec(specText, specFile, catalogue);
  if (!checked.spec || hasErrors(checked.diagnostics)) {
    throw new ScaffoldError(
      `the scaffolded spec does not pass the check: fix the options (task names, ids) and retry; nothing written`,
      { diagnostics: checked.diagnostics },
    );
  }
  const tc = testCase(checked.spec, catalogue, tasks, starter);
  const last = tasks[tasks.length - 1]!;
  const caseContext: Record<string, unknown> = {
    workflow_id_text: options.id,
    last_id: last.id,
    case_id: starter ? "one-plus-two" : "example",
    case_name: starter ? "One Plus Two" : "Example",
    case_description: yamlString(
      starter
        ? "The starter configuration: 1 + 2."
        : "A first configuration; replace the values with a real one.",
    ),
    params_yaml: stringifyYaml(tc.params).trimEnd(),
  };
  if ("expected" in tc) {
    caseContext["expected_yaml"] = JSON.stringify(tc.expected);
  }
  const testCasesText = await render(
    "scaffold_test-cases.yaml.njk",
    caseContext,
  );
  // The test case must read back as what was meant.
  const readBack = parseYaml(testCasesText) as Record<string, unknown>;
  if (
    JSON.stringify(
      (readBack[caseContext["case_id"] as string] as { params?: unknown })
        ?.params,
    ) !== JSON.stringify(tc.params)
  ) {
    throw new Error("internal error: test-cases.yaml does not read back");
  }
  const release = releaseName(options.id);
  const readme = await render("scaffold_README.md.njk", {
    workflow_id_text: options.id,
    library_text: library.path !== undefined
      ? `the library \`${library.name}\` (folder \`${library.path}\`)`
      : `the package \`${library.name}\`${
        library.version ? ` ${library.version}` : ""
      } (${library.registry})`,
    release_name: release,
    incomplete_case: !tc.complete,
    has_expected: "expected" in tc,
    example_config: JSON.stringify(tc.params).replaceAll("'", "'\\''"),
  });
  const gitignore = await render("scaffold_gitignore.njk", {
    release_name: release,
  });
  const warnings: Diagnostic[] = [
    ...checked.diagnostics,
    ...tc.warnings.map((w): Diagnostic => ({
      severity: "warning",
      message: w,
      file: join(target, "test-cases.yaml"),
      line: 1,
      col: 1,
      code: "scaffold-test-case",
    })),
  ];
  return {
    dir: target,
    id: options.id,
    library,
    tasks,
    files: {
      "spec.yaml": specText.trimEnd() + "\n",
      "test-cases.yaml": testCasesText.trimEnd() + "\n",
      "README.md": readme.trimEnd() + "\n",
      ".gitignore": gitignore.trimEnd() + "\n",
    },
    diagnostics: warnings,
    tasksChecked: catalogue !== undefined,
    testCaseComplete: tc.complete,
    releaseName: release,
    exampleConfig: JSON.stringify(tc.params),
  };
}

function randomSuffix(): string {
  return crypto.randomUUID().slice(0, 8);
}

/**
 * Write a planned project atomically: a new or empty folder is built as a temporary sibling
 * and renamed into place; with `force`, every file is written to a temporary name first and
 * renamed once all are written. On failure nothing is left behind.
 *
 * @param plan The plan from {@linkcode planScaffold}.
 * @param options `force`: write into a non-empty folder.
 * @throws {ScaffoldError} When the folder became non-empty without `force`, or writing fails.
 *
 * @example
 * ```ts
 * import { planScaffold, writeScaffold } from "@wt/compiler";
 *
 * const dir = `${await Deno.makeTempDir()}/flow`;
 * const plan = await planScaffold(dir, {
 *   id: "flow", library: { name: "@acme/tasks" }, tasks: ["buffer"],
 * });
 * await writeScaffold(plan);
 * console.assert((await Deno.readTextFile(`${dir}/spec.yaml`)).includes("id: flow"));
 * ```
 */
export async function writeScaffold(
  plan: ScaffoldPlan,
  options: { force?: boolean | undefined } = {},
): Promise<void> {
  const dir = plan.dir;
  const empty = await isEmptyDir(dir);
  if (!empty && !options.force) {
    throw new ScaffoldError(
      `${dir} is not empty: pass --force to write into it`,
      { usage: true },
    );
  }
  const entries = Object.entries(plan.files);
  if (empty) {
    const parent = dirname(dir);
    const tmp = join(parent, `.${basename(dir)}.scaffold-${randomSuffix()}`);
    try {
      await Deno.mkdir(parent, { recursive: true });
      await Deno.mkdir(tmp);
      for (const [name, text] of entries) {
        await Deno.writeTextFile(join(tmp, name), text, { createNew: true });
      }
      // rename(2) replaces an empty folder; a missing one is created by it.
      await Deno.rename(tmp, dir);
    } catch (err) {
      await Deno.remove(tmp, { recursive: true }).catch(() => {});
      throw new ScaffoldError(
        `cannot write ${dir}: ${message(err)}; nothing written`,
        { cause: err },
      );
    }
    return;
  }
  const temps: [string, string][] = [];
  try {
    for (const [name, text] of entries) {
      const tmp = join(dir, `.${name}.scaffold-${randomSuffix()}`);
      temps.push([tmp, join(dir, name)]);
      await Deno.writeTextFile(tmp, text, { createNew: true });
    }
  } catch (err) {
    for (const [tmp] of temps) await Deno.remove(tmp).catch(() => {});
    throw new ScaffoldError(
      `cannot write into ${dir}: ${message(err)}; nothing written`,
      { cause: err },
    );
  }
  for (const [tmp, final] of temps) await Deno.rename(tmp, final);
}

/**
 * Create a new workflow project: {@linkcode planScaffold} then {@linkcode writeScaffold}.
 *
 * @param dir The project folder (new, or empty unless `force`).
 * @param options Workflow id, library, starter tasks, registry, force.
 * @returns The plan that was written.
 * @throws {ScaffoldError} See {@linkcode planScaffold}; nothing is written on failure.
 *
 * @example
 * ```ts ignore
 * import { scaffold } from "@wt/compiler";
 *
 * // The example library of a wt checkout, starter task `add`.
 * const plan = await scaffold("my-flow", { id: "my_flow" });
 * console.log(Object.keys(plan.files));
 * ```
 */
export async function scaffold(
  dir: string,
  options: ScaffoldOptions,
): Promise<ScaffoldPlan> {
  const plan = await planScaffold(dir, options);
  await writeScaffold(plan, { force: options.force });
  return plan;
}
