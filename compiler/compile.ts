/**
 * `compile()`: from a `spec.yaml` to a compiled workflow workspace on disk. Parse →
 * catalogue (`--registry FILE` or sandboxed discovery) → validate → schemas → code
 * generation → fingerprint → format → atomic write (a temporary sibling folder renamed into
 * place; on any error nothing is left behind).
 *
 * @module
 */
import { basename, dirname, join, resolve } from "node:path";
import { parse as parseYaml } from "yaml";
import type { RegistryEntry, RegistryOutput } from "@wt/contracts";
import { DEFAULT_RESULTS_ENV_VAR } from "@wt/contracts";
import type { Catalogue } from "./catalogue.ts";
import { type Diagnostic, hasErrors, SpecError } from "./diagnostics.ts";
import { loadCatalogue } from "./load_catalogue.ts";
import { generateSchemas } from "./schemas.ts";
import type { Spec } from "./spec_model.ts";
import { checkParsedSpec, effectiveSkipif } from "./validate.ts";
import { parseSpec } from "./parse.ts";
import { discover } from "./discovery.ts";
import { planDiscovery } from "./_discovery_plan.ts";
import {
  type GeneratedWorkspace,
  type PreparedWorkspace,
  prepareWorkspace,
} from "./codegen.ts";
import { startGraphRenderer } from "./_graphviz.ts";
import { pruneImports } from "./_codegen_imports.ts";
import {
  bumpVersion,
  type Fingerprint,
  paramsSha256,
  readFingerprint,
  sameFingerprint,
  specSha256,
} from "./fingerprint.ts";
import compilerConfig from "./deno.json" with { type: "json" };

/**
 * The phases of a compilation, in order, as reported to {@linkcode CompileOptions.onProgress}.
 *
 * @example
 * ```ts
 * import { COMPILE_PHASES, type CompilePhase } from "./compile.ts";
 *
 * const first: CompilePhase = "parse";
 * console.assert(COMPILE_PHASES[first] === "parsing the spec");
 * ```
 */
export type CompilePhase =
  | "parse"
  | "discover"
  | "validate"
  | "schemas"
  | "generate"
  | "format"
  | "write";

/**
 * Human descriptions of the phases, for progress displays.
 *
 * @example
 * ```ts
 * import { compile, COMPILE_PHASES } from "./compile.ts";
 *
 * console.assert(Object.keys(COMPILE_PHASES)[0] === "parse");
 * // A progress display names each phase as it starts:
 * const onProgress = (_phase: keyof typeof COMPILE_PHASES, text: string) =>
 *   console.error(`wt-compiler: ${text}`);
 * console.assert(typeof compile === "function" && typeof onProgress === "function");
 * ```
 */
export const COMPILE_PHASES: Readonly<Record<CompilePhase, string>> = {
  parse: "parsing the spec",
  discover: "loading the task catalogue",
  validate: "validating the spec against the tasks",
  schemas: "generating parameter schemas",
  generate: "generating the workspace",
  format: "formatting the generated code",
  write: "writing the output",
};

/**
 * Options of {@linkcode compile}.
 *
 * @example
 * ```ts
 * import type { CompileOptions } from "./compile.ts";
 *
 * const options: CompileOptions = {
 *   outDir: "out",
 *   link: ".",
 *   update: true,
 *   onProgress: (_phase, text) => console.error(text),
 * };
 * console.assert(options.update && !options.clobber);
 * ```
 */
export interface CompileOptions {
  /** Folder that receives the release folder (default: the spec's folder). */
  outDir?: string | undefined;
  /** Replace an existing output (version restarts at 1.0.0, the lockfile is dropped). */
  clobber?: boolean | undefined;
  /** Update an existing output: keep its lockfile, bump its VERSION (major when params changed). */
  update?: boolean | undefined;
  /** Prefix of the release name `<prefix>-<id>-workflow` (default `wt`). */
  pkgNamePrefix?: string | undefined;
  /** Environment variable the compiled CLI reads the results URL from (default `WT_RESULTS`). */
  resultsEnvVar?: string | undefined;
  /** Pre-computed `RegistryOutput` JSON file (no discovery). */
  registryFile?: string | undefined;
  /** Local checkout of this repository: `@wt/*` and path libraries resolve locally. */
  link?: string | undefined;
  /** Task discovery to use instead of the sandboxed default (tests, tooling). */
  discover?: ((spec: Spec) => Promise<RegistryOutput>) | undefined;
  /** Called when a phase starts. */
  onProgress?: ((phase: CompilePhase, description: string) => void) | undefined;
  /** Run `deno fmt` on the generated files (default `true`). */
  format?: boolean | undefined;
}

/**
 * What {@linkcode compile} did.
 *
 * @example
 * ```ts
 * import type { CompileResult } from "./compile.ts";
 *
 * function summary(r: CompileResult): string {
 *   return r.status === "unchanged"
 *     ? `${r.outputDir} is up to date (version ${r.version}): nothing changed`
 *     : `wrote ${r.outputDir} (version ${r.version})`;
 * }
 * const result: CompileResult = {
 *   status: "written",
 *   outputDir: "out/wt-add-workflow",
 *   releaseName: "wt-add-workflow",
 *   version: "1.0.0",
 *   fingerprint: { spec_sha256: "", params_sha256: "", artifacts_sha256: "", libraries: {} },
 *   diagnostics: [],
 * };
 * console.assert(summary(result) === "wrote out/wt-add-workflow (version 1.0.0)");
 * ```
 */
export interface CompileResult {
  /** `written` (new or replaced output) or `unchanged` (same fingerprint: nothing written). */
  status: "written" | "unchanged";
  /** Absolute path of the release folder. */
  outputDir: string;
  /** Release (folder) name. */
  releaseName: string;
  /** Version of the output. */
  version: string;
  /** Version the output had before, when there was one. */
  previousVersion?: string | undefined;
  /** The fingerprint of the output. */
  fingerprint: Fingerprint;
  /** Warnings found while validating. */
  diagnostics: Diagnostic[];
}

/**
 * Raised when the output cannot be written (exists without `--clobber`/`--update`, bad options).
 *
 * @example
 * ```ts
 * import { compile, CompileError } from "./compile.ts";
 *
 * let usage = false;
 * try {
 *   await compile("spec.yaml", { clobber: true, update: true });
 * } catch (err) {
 *   usage = err instanceof CompileError && err.usage; // exit code 2 in the CLI
 * }
 * console.assert(usage);
 * ```
 */
export class CompileError extends Error {
  /** Whether the caller gave bad options (CLI exit code 2) rather than a failing build. */
  readonly usage: boolean;
  /**
   * Create the error.
   *
   * @param message What failed and the fix.
   * @param options `usage` for option errors; `cause`.
   */
  constructor(
    message: string,
    options: { usage?: boolean; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = "CompileError";
    this.usage = options.usage ?? false;
  }
}

/**
 * Version of a freshly compiled workflow.
 *
 * @example
 * ```ts
 * import { INITIAL_VERSION } from "./compile.ts";
 * import { bumpVersion } from "./fingerprint.ts";
 *
 * console.assert(INITIAL_VERSION === "1.0.0");
 * console.assert(bumpVersion(INITIAL_VERSION, false) === "1.1.0");
 * ```
 */
export const INITIAL_VERSION = "1.0.0";

/**
 * The release folder name of a workflow: `<prefix>-<id with _ as ->-workflow`.
 *
 * @param id Workflow id.
 * @param prefix Name prefix (default `wt`).
 * @returns The folder name.
 *
 * @example
 * ```ts
 * import { releaseName } from "./compile.ts";
 *
 * console.assert(releaseName("add_then_double") === "wt-add-then-double-workflow");
 * ```
 */
export function releaseName(id: string, prefix = "wt"): string {
  return `${prefix}-${id.replaceAll("_", "-")}-workflow`;
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return false;
    throw err;
  }
}

async function readOptional(path: string): Promise<string | undefined> {
  try {
    return await Deno.readTextFile(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return undefined;
    throw err;
  }
}

async function readTestCases(
  specDir: string,
): Promise<Record<string, unknown>> {
  const file = join(specDir, "test-cases.yaml");
  const text = await readOptional(file);
  if (text === undefined) return {};
  let data: unknown;
  try {
    data = parseYaml(text);
  } catch (err) {
    throw new CompileError(
      `${file} is not valid YAML: ${(err as Error).message}`,
      { cause: err },
    );
  }
  if (data === null || data === undefined) return {};
  if (typeof data !== "object" || Array.isArray(data)) {
    throw new CompileError(
      `${file} must be a mapping of test case id → {name, description, params, expected?}`,
    );
  }
  for (const [key, value] of Object.entries(data as Record<string, unknown>)) {
    const params = (value as { params?: unknown } | null)?.params;
    if (
      typeof params !== "object" || params === null || Array.isArray(params)
    ) {
      throw new CompileError(
        `${file}: test case '${key}' needs a \`params\` mapping`,
      );
    }
  }
  return data as Record<string, unknown>;
}

async function libraryVersions(
  spec: Spec,
  pathFolders: Record<string, string>,
): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const req of spec.requirements) {
    const folder = pathFolders[req.name];
    if (folder !== undefined) {
      const text = await readOptional(join(folder, "deno.json"));
      const version = text
        ? (JSON.parse(text) as { version?: unknown }).version
        : undefined;
      out[req.name] = `${
        typeof version === "string" ? version : "unversioned"
      } (path ${req.path})`;
    } else {
      out[req.name] = `${req.registry ?? "jsr"}:${req.version ?? "*"}`;
    }
  }
  return out;
}

async function formatTree(dir: string): Promise<void> {
  const cmd = new Deno.Command(Deno.execPath(), {
    args: ["fmt", "--quiet", "--config", join(dir, "deno.json"), dir],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  });
  const out = await cmd.output();
  if (!out.success) {
    throw new CompileError(
      `deno fmt failed on the generated workspace (a compiler bug; please report it):\n${
        new TextDecoder().decode(out.stderr)
      }`,
    );
  }
}

/** A `deno fmt` child started ahead of time that formats one text given on its stdin. */
interface TextFormatter {
  /** Send the text; resolves to it formatted. */
  format(text: string): Promise<string>;
  /** Send nothing and wait for the child to exit. */
  cancel(): Promise<void>;
}

function startFormatter(dir: string, ext: string): TextFormatter {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "fmt",
      "--quiet",
      "--config",
      join(dir, "deno.json"),
      "--ext",
      ext,
      "-",
    ],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const send = async (text: string): Promise<Deno.CommandOutput> => {
    const output = child.output();
    const writer = child.stdin.getWriter();
    try {
      await writer.write(new TextEncoder().encode(text));
      await writer.close();
    } catch {
      // the child exited early: its status and stderr say why
    }
    return await output;
  };
  return {
    async format(text) {
      const out = await send(text);
      if (!out.success) {
        throw new CompileError(
          `deno fmt failed on the generated ${ext} file (a compiler bug; please report it):\n${
            new TextDecoder().decode(out.stderr)
          }`,
        );
      }
      return new TextDecoder().decode(out.stdout);
    },
    async cancel() {
      await send("");
    },
  };
}

async function writeTree(
  dir: string,
  files: ReadonlyMap<string, string>,
): Promise<void> {
  for (const [path, text] of files) {
    const full = join(dir, ...path.split("/"));
    await Deno.mkdir(dirname(full), { recursive: true });
    await Deno.writeTextFile(full, text);
  }
}

function randomSuffix(): string {
  return crypto.randomUUID().slice(0, 8);
}

function resolveEntry(catalogue: Catalogue, name: string): RegistryEntry {
  const r = catalogue.resolve(name);
  if (r.kind !== "found") {
    throw new Error(
      `task '${name}' did not resolve after validation (${r.kind})`,
    );
  }
  return r.entry;
}

/**
 * Compile a spec into a workflow workspace.
 *
 * @param specPath Path of the `spec.yaml`.
 * @param options Output location, overwrite policy, naming, catalogue source, progress.
 * @returns What was written (or that nothing changed).
 * @throws {SpecError} When the spec has errors (every diagnostic, located).
 * @throws {CompileError} When the output exists without `clobber`/`update`, or cannot be written.
 * @throws {Error} `CatalogueLoadError`/`DiscoveryError` when the tasks cannot be loaded.
 *
 * @example
 * ```ts ignore
 * import { compile } from "./compile.ts";
 *
 * const result = await compile("examples/chaining-tasks/spec.yaml", {
 *   outDir: "/tmp/out",
 *   link: ".",
 * });
 * console.log(result.outputDir, result.version);
 * ```
 */
export async function compile(
  specPath: string,
  options: CompileOptions = {},
): Promise<CompileResult> {
  const progress = (phase: CompilePhase) =>
    options.onProgress?.(phase, COMPILE_PHASES[phase]);
  const prefix = options.pkgNamePrefix ?? "wt";
  if (!/^[a-z0-9][a-z0-9-]*$/.test(prefix)) {
    throw new CompileError(
      `--pkg-name-prefix '${prefix}' must be lowercase letters, digits and '-'`,
      { usage: true },
    );
  }
  const resultsEnvVar = options.resultsEnvVar ?? DEFAULT_RESULTS_ENV_VAR;
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(resultsEnvVar)) {
    throw new CompileError(
      `--results-env-var '${resultsEnvVar}' is not a valid environment variable name`,
      { usage: true },
    );
  }
  if (options.clobber && options.update) {
    throw new CompileError("give at most one of --clobber and --update", {
      usage: true,
    });
  }
  const absSpec = resolve(specPath);
  const specDir = dirname(absSpec);
  const link = options.link === undefined ? undefined : resolve(options.link);

  // Graphviz (WebAssembly) loads on a worker thread while the spec is parsed and checked;
  // the worker ends when compile() returns or throws.
  using graphs = startGraphRenderer();

  progress("parse");
  let text: string;
  try {
    text = await Deno.readTextFile(absSpec);
  } catch (err) {
    throw new CompileError(
      `cannot read spec file ${specPath}: ${(err as Error).message}`,
      {
        usage: true,
        cause: err,
      },
    );
  }
  // Parsed once: the same result is checked again once the catalogue is loaded.
  const parsed = parseSpec(text, specPath);
  const structural = checkParsedSpec(parsed);
  if (!structural.spec || hasErrors(structural.diagnostics)) {
    throw new SpecError(structural.diagnostics);
  }

  progress("discover");
  const catalogue = await loadCatalogue(structural.spec, {
    registry: options.registryFile,
    discover: options.discover ??
      ((spec: Spec) => discover(spec.requirements, { specDir, link })),
  });

  progress("validate");
  const checked = checkParsedSpec(parsed, catalogue);
  if (!checked.spec || hasErrors(checked.diagnostics)) {
    throw new SpecError(checked.diagnostics);
  }
  const spec = checked.spec;

  progress("schemas");
  const { params, rjsf } = generateSchemas(
    spec,
    (i) => resolveEntry(catalogue, i.task),
  );

  progress("generate");
  const name = releaseName(spec.id, prefix);
  const outDir = resolve(options.outDir ?? specDir);
  const finalDir = join(outDir, name);
  const plan = await planDiscovery(spec.requirements, {
    specDir,
    link,
    wtVersion: compilerConfig.version,
  });
  const libraries = await libraryVersions(spec, plan.pathFolders);
  const testCases = await readTestCases(specDir);

  // What is there already?
  const previousExists = await exists(finalDir);
  let previous: Fingerprint | undefined;
  let previousVersion: string | undefined;
  let lock: string | undefined;
  if (previousExists) {
    const readme = await readOptional(join(finalDir, "README.md"));
    previous = readme === undefined ? undefined : readFingerprint(readme);
    previousVersion = (await readOptional(join(finalDir, "VERSION")))?.trim();
    lock = await readOptional(join(finalDir, "deno.lock"));
  }
  const keepLock = Boolean(options.update && lock !== undefined);
  const importMap = await pruneImports(
    plan.config,
    Object.values(plan.pathFolders),
  );
  const prepare = (version: string) =>
    prepareWorkspace({
      spec,
      resolve: (taskName) => resolveEntry(catalogue, taskName),
      skipifFor: (instance) => effectiveSkipif(instance, spec),
      params,
      rjsf,
      releaseName: name,
      packageName: `@workflows/${name}`,
      version,
      resultsEnvVar,
      imports: importMap.imports,
      scopes: importMap.scopes,
      libraries,
      testCases,
      specName: basename(absSpec),
      linked: link !== undefined,
      pathLibraries: Object.keys(plan.pathFolders),
    });
  const warnings = checked.diagnostics.filter((d) => d.severity !== "error");

  // Unchanged means: rendering this spec at the existing output's version reproduces it
  // exactly (the version is part of the artifacts, so compare at that version, whatever
  // the flags; an earlier --update must not make the next recompile look different).
  const sameVersion = previousVersion !== undefined &&
      /^\d+\.\d+\.\d+$/.test(previousVersion)
    ? previousVersion
    : INITIAL_VERSION;
  let prepared: PreparedWorkspace = await prepare(sameVersion);
  // graph.svg does not depend on the version: rendered once (by Graphviz, the slow part of
  // code generation), on the worker, from now on while this thread goes on.
  const svg = graphs.render(prepared.dot);
  svg.catch(() => {}); // awaited by complete()
  const complete = async (): Promise<GeneratedWorkspace> =>
    await prepared.complete(await svg);
  let generated: GeneratedWorkspace | undefined;
  // Only the artifacts hash needs graph.svg: when the rest of the fingerprint already differs
  // from the previous one, the output changed, and the other files are written and formatted
  // without waiting for the graph.
  if (
    previous &&
    sameFingerprint(previous, {
      spec_sha256: specSha256(spec),
      params_sha256: paramsSha256(params),
      artifacts_sha256: previous.artifacts_sha256,
      libraries,
    })
  ) {
    generated = await complete();
    if (sameFingerprint(previous, generated.fingerprint)) {
      return {
        status: "unchanged",
        outputDir: finalDir,
        releaseName: name,
        version: previousVersion ?? sameVersion,
        previousVersion,
        fingerprint: previous,
        diagnostics: warnings,
      };
    }
  }
  let version = INITIAL_VERSION;
  if (previousExists && options.update) {
    if (previousVersion === undefined) {
      throw new CompileError(
        `${finalDir} has no VERSION file, so --update cannot bump it: use --clobber to replace it`,
        { usage: true },
      );
    }
    const paramsChanged = previous?.params_sha256 !== paramsSha256(params);
    try {
      version = bumpVersion(previousVersion, paramsChanged);
    } catch (err) {
      throw new CompileError(`${finalDir}: ${(err as Error).message}`, {
        usage: true,
      });
    }
  }
  if (version !== sameVersion) {
    prepared = await prepare(version);
    generated = undefined;
  }
  if (previousExists && !options.clobber && !options.update) {
    throw new CompileError(
      `${finalDir} already exists and differs from this compilation: pass --update to bump ` +
        `its version (keeping its lockfile) or --clobber to replace it`,
      { usage: true },
    );
  }

  const format = options.format ?? true;
  const tmp = join(outDir, `.${name}.tmp-${randomSuffix()}`);
  const backup = join(outDir, `.${name}.old-${randomSuffix()}`);
  await Deno.mkdir(outDir, { recursive: true });
  let movedAway = false;
  try {
    await Deno.mkdir(tmp);
    if (generated || !format) {
      generated ??= await complete();
      await writeTree(tmp, generated.files);
      if (keepLock) await Deno.writeTextFile(join(tmp, "deno.lock"), lock!);
      if (format) {
        progress("format");
        await formatTree(tmp);
      }
    } else {
      // `deno fmt` (a subprocess) formats the prepared files while Graphviz renders the graph
      // on its worker. graph.svg and the README (which carries the fingerprint of the
      // unformatted files, graph.svg included) go to two more `deno fmt` children, started now
      // so that they are ready when the graph is.
      await writeTree(tmp, prepared.files);
      if (keepLock) await Deno.writeTextFile(join(tmp, "deno.lock"), lock!);
      progress("format");
      const formatting = formatTree(tmp);
      formatting.catch(() => {}); // awaited below, also when rendering fails
      const started: TextFormatter[] = [];
      let done: GeneratedWorkspace;
      try {
        started.push(startFormatter(tmp, "svg"));
        started.push(startFormatter(tmp, "md"));
        done = await complete();
      } catch (err) {
        await Promise.allSettled([
          formatting,
          ...started.map((f) => f.cancel()),
        ]);
        throw err;
      }
      const [svgFormatter, readmeFormatter] = started as [
        TextFormatter,
        TextFormatter,
      ];
      const [formatted, svgText, readmeText] = await Promise.allSettled([
        formatting,
        svgFormatter.format(done.files.get("graph.svg")!),
        readmeFormatter.format(done.files.get("README.md")!),
      ]);
      for (const r of [formatted, svgText, readmeText]) {
        if (r.status === "rejected") throw r.reason;
      }
      generated = done;
      for (const path of done.files.keys()) {
        if (prepared.files.has(path)) continue;
        const text = path === "graph.svg"
          ? (svgText as PromiseFulfilledResult<string>).value
          : path === "README.md"
          ? (readmeText as PromiseFulfilledResult<string>).value
          : path === "VERSION" // plain text, which `deno fmt` leaves alone
          ? done.files.get(path)!
          : undefined;
        if (text === undefined) {
          throw new Error(
            `${path} was generated after the graph but not formatted`,
          );
        }
        await writeTree(tmp, new Map([[path, text]]));
      }
    }
    progress("write");
    if (previousExists) {
      await Deno.rename(finalDir, backup);
      movedAway = true;
    }
    await Deno.rename(tmp, finalDir);
  } catch (err) {
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
    if (movedAway) await Deno.rename(backup, finalDir).catch(() => {});
    throw err;
  }
  if (movedAway) await Deno.remove(backup, { recursive: true }).catch(() => {});
  return {
    status: "written",
    outputDir: finalDir,
    releaseName: name,
    version,
    previousVersion,
    fingerprint: generated.fingerprint,
    diagnostics: warnings,
  };
}
