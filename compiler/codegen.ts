/**
 * Code generation: from a validated spec, its resolved tasks and its parameter schemas to the
 * files of a standalone Deno workspace (DAG modules, CLI, schemas, graph, Dockerfile, README
 * with the fingerprint, tests). Every file is rendered from the nunjucks templates in
 * `templates/`; this module only prepares the values the templates need.
 *
 * @module
 */
import type { RegistryEntry } from "@wt/contracts";
import { qualifiedName } from "@wt/contracts";
import type { SkipifSpec, Spec, TaskInstance } from "./spec_model.ts";
import { flattenInstances } from "./spec_model.ts";
import { render } from "./_codegen_render.ts";
import { envNamesOf, toValueNode, type ValueNode } from "./_codegen_values.ts";
import { referencedIds } from "./expressions.ts";
import {
  dotToSvg,
  type GraphArgument,
  graphToDot,
  type TaskGraph,
} from "./graph.ts";
import {
  artifactsSha256,
  type Fingerprint,
  paramsSha256,
  specSha256,
} from "./fingerprint.ts";

/**
 * Default most `map`/`mapvalues` calls in flight at once in parallel mode.
 *
 * @example
 * ```ts
 * import { DEFAULT_MAP_CONCURRENCY } from "./codegen.ts";
 *
 * // Used when CodegenInput.mapConcurrency is not given.
 * console.assert(Number.isInteger(DEFAULT_MAP_CONCURRENCY) && DEFAULT_MAP_CONCURRENCY > 0);
 * ```
 */
export const DEFAULT_MAP_CONCURRENCY = 16;

/**
 * Deno version of the generated Dockerfile's base image.
 *
 * @example
 * ```ts
 * import { DOCKER_DENO_VERSION } from "./codegen.ts";
 *
 * const from = `FROM denoland/deno:${DOCKER_DENO_VERSION}`;
 * console.assert(/^FROM denoland\/deno:\d+\.\d+\.\d+$/.test(from));
 * ```
 */
export const DOCKER_DENO_VERSION = "2.9.6";

/**
 * The runner module the generated Dockerfile serves the workflow with.
 *
 * @example
 * ```ts
 * import { RUNNER_MODULE } from "./codegen.ts";
 *
 * console.assert(RUNNER_MODULE.startsWith("jsr:@wt/runner@"));
 * ```
 */
export const RUNNER_MODULE = "jsr:@wt/runner@^0.1.0/main";

/**
 * Permission flags of the runner in the generated Dockerfile (the runner's own list, see
 * `@wt/runner/permissions`; repeated here because the compiler does not depend on the runner).
 *
 * @example
 * ```ts
 * import { RUNNER_FLAGS } from "./codegen.ts";
 *
 * const cmd = ["deno", "run", ...RUNNER_FLAGS, "main.ts"];
 * console.assert(cmd.includes("--allow-net") && !cmd.includes("-A"));
 * ```
 */
export const RUNNER_FLAGS: readonly string[] = [
  "--allow-net",
  "--allow-read",
  "--allow-write",
  "--allow-env",
  "--allow-run",
];

/**
 * Environment variables the generated CLI and `@wt/task` may read besides the results URL
 * (`OTEL_*`: the OTLP exporter reads its settings, such as headers and timeouts, from them).
 *
 * @example
 * ```ts
 * import { RUNTIME_ENV_VARS } from "./codegen.ts";
 *
 * // The workflow task's --allow-env list: the results variable, these, and the spec's env references.
 * const allowEnv = `--allow-env=${["WT_RESULTS", ...RUNTIME_ENV_VARS].join(",")}`;
 * console.assert(allowEnv.includes("TRACEPARENT"));
 * ```
 */
export const RUNTIME_ENV_VARS: readonly string[] = [
  "WT_RUN_ID",
  "WT_LOG_LEVEL",
  "TRACEPARENT",
  "TRACESTATE",
  "WT_TRACE_FILE",
  "OTEL_*",
];

/**
 * Everything code generation needs.
 *
 * @example
 * ```ts
 * import type { CodegenInput } from "./codegen.ts";
 *
 * const input: CodegenInput = {
 *   spec: {
 *     id: "w", requirements: [], file: "spec.yaml", task_instance_defaults: {},
 *     rjsf_overrides: { properties: {}, $defs: {}, uiSchema: {} },
 *     workflow: [{ type: "task", id: "total", task: "add", partial: {}, pos: { line: 1, col: 1 } }],
 *   },
 *   resolve: () => ({
 *     metadata: { tags: [], deprecated: false },
 *     json_schema: { type: "object", properties: { a: { type: "integer" } } },
 *     public_module_path: "@acme/math",
 *     function_name: "add",
 *   }),
 *   skipifFor: (instance) => instance.skipif,
 *   params: { properties: {} },
 *   rjsf: { properties: {} },
 *   releaseName: "wt-w-workflow",
 *   packageName: "@workflows/wt-w-workflow",
 *   version: "1.0.0",
 *   resultsEnvVar: "WT_RESULTS",
 *   imports: { "@acme/math": "jsr:@acme/math@1.2.0" },
 *   libraries: { "@acme/math": "1.2.0" },
 *   testCases: {},
 *   specName: "spec.yaml",
 *   linked: false,
 * };
 * console.assert(input.resolve("add").function_name === "add");
 * ```
 */
export interface CodegenInput {
  /** The validated spec. */
  spec: Spec;
  /** Resolves a task name as written in the spec (instance task or skip condition). */
  resolve: (taskName: string) => RegistryEntry;
  /** The effective skip conditions of an instance (its own, else the spec's defaults). */
  skipifFor: (instance: TaskInstance) => SkipifSpec | undefined;
  /** `params.json`. */
  params: Record<string, unknown>;
  /** `rjsf.json`. */
  rjsf: Record<string, unknown>;
  /** Release (folder) name, e.g. `wt-add-then-double-workflow`. */
  releaseName: string;
  /** Package name written into `deno.json`. */
  packageName: string;
  /** Version written into `VERSION` and `deno.json`. */
  version: string;
  /** Name of the environment variable that carries the results URL. */
  resultsEnvVar: string;
  /** The import map of the workspace (`@wt/*`, task libraries and their dependencies). */
  imports: Record<string, string>;
  /** Scoped import maps (a path library's own imports), keyed by folder URL. */
  scopes?: Record<string, Record<string, string>> | undefined;
  /** Task libraries and their resolved versions (for the fingerprint). */
  libraries: Record<string, string>;
  /** Test cases from `test-cases.yaml`, keyed by case id (empty when there is none). */
  testCases: Record<string, unknown>;
  /** File name of the spec (for the README). */
  specName: string;
  /** Whether `@wt/*` resolves from a local checkout (`--link`). */
  linked: boolean;
  /** Names of the task libraries imported from local folders (`path` requirements). */
  pathLibraries?: readonly string[] | undefined;
  /** Most `map`/`mapvalues` calls in flight at once in parallel mode. */
  mapConcurrency?: number | undefined;
}

/**
 * The generated workspace.
 *
 * @example
 * ```ts
 * import type { GeneratedWorkspace } from "./codegen.ts";
 *
 * function listing(ws: GeneratedWorkspace): string {
 *   return [...ws.files.keys()].sort().join("\n") + `\nspec ${ws.fingerprint.spec_sha256}`;
 * }
 * const ws: GeneratedWorkspace = {
 *   files: new Map([["VERSION", "1.0.0\n"], ["src/cli.ts", "// …"]]),
 *   fingerprint: { spec_sha256: "ab", params_sha256: "cd", artifacts_sha256: "ef", libraries: {} },
 * };
 * console.assert(listing(ws) === "VERSION\nsrc/cli.ts\nspec ab");
 * ```
 */
export interface GeneratedWorkspace {
  /** Files: path relative to the workspace (POSIX separators) → text. */
  files: Map<string, string>;
  /** The fingerprint written into the README. */
  fingerprint: Fingerprint;
}

/**
 * A workspace generated up to its task graph picture: every file but `graph.svg`, `VERSION`
 * and `README.md` (the README carries the fingerprint, which hashes `graph.svg`). Render
 * {@linkcode PreparedWorkspace.dot} to SVG and pass it to
 * {@linkcode PreparedWorkspace.complete}; in between, the prepared files can already be
 * written and formatted.
 *
 * @example
 * ```ts
 * import { generateWorkspace, type PreparedWorkspace } from "./codegen.ts";
 *
 * async function finish(prepared: PreparedWorkspace, svg: string): Promise<number> {
 *   const { files } = await prepared.complete(svg);
 *   return files.size - prepared.files.size; // graph.svg, VERSION and README.md
 * }
 * console.assert(typeof finish === "function" && typeof generateWorkspace === "function");
 * ```
 */
export interface PreparedWorkspace {
  /** The files that do not depend on `graph.svg` or the version file: path → text. */
  files: ReadonlyMap<string, string>;
  /** The DOT source of the task graph (also `files.get("graph.dot")`). */
  dot: string;
  /**
   * Add `graph.svg`, compute the fingerprint and render `VERSION` and `README.md`.
   *
   * @param svg The task graph rendered from {@linkcode PreparedWorkspace.dot}.
   * @returns The whole workspace, as {@linkcode generateWorkspace} returns it.
   */
  complete(svg: string): Promise<GeneratedWorkspace>;
}

interface ImportName {
  name: string;
  alias: string;
}

interface InstanceView {
  id: string;
  name: string;
  task_name: string;
  qualified: string;
  alias: string;
  method: "call" | "map" | "mapvalues";
  partial: { key: string; value: ValueNode }[];
  argnames: string;
  argvalues: ValueNode;
  skipif: { conditions: string[]; unpack_depth: number } | null;
  deps: string[];
  io: boolean;
}

/** Names the DAG modules declare at the top level besides task imports. */
const MODULE_NAMES = new Set(["runWorkflow"]);

class ImportPlan {
  readonly byModule = new Map<string, ImportName[]>();
  readonly #aliasOf = new Map<string, string>();
  readonly #taken: Set<string>;

  constructor(ids: Iterable<string>) {
    this.#taken = new Set([...ids, ...MODULE_NAMES]);
  }

  alias(entry: RegistryEntry): string {
    const key = qualifiedName(entry);
    const known = this.#aliasOf.get(key);
    if (known) return known;
    let alias = entry.function_name;
    for (let i = 1; this.#taken.has(alias); i++) {
      alias = `${entry.function_name}_${i}`;
    }
    this.#taken.add(alias);
    this.#aliasOf.set(key, alias);
    const list = this.byModule.get(entry.public_module_path) ?? [];
    list.push({ name: entry.function_name, alias });
    this.byModule.set(entry.public_module_path, list);
    return alias;
  }

  view(): { module: string; names: ImportName[] }[] {
    return [...this.byModule.entries()].map(([module, names]) => ({
      module,
      names,
    }));
  }
}

function isIo(entry: RegistryEntry): boolean {
  return entry.metadata.tags.includes("io");
}

function isDataConnection(entry: RegistryEntry): boolean {
  return entry.metadata.tags.some((t) =>
    t === "data-connection" || t === "connection"
  );
}

function brief(value: unknown): string {
  const text = JSON.stringify(value) ?? "null";
  return text.length > 28 ? `${text.slice(0, 25)}...` : text;
}

function buildGraph(
  spec: Spec,
  instances: TaskInstance[],
  entries: Map<string, RegistryEntry>,
  params: Record<string, unknown>,
): TaskGraph {
  const formProps = (params["properties"] ?? {}) as Record<
    string,
    { properties?: Record<string, unknown> }
  >;
  const graph: TaskGraph = { workflowId: spec.id, nodes: [], edges: [] };
  for (const t of instances) {
    const entry = entries.get(t.id)!;
    const mapSpec = t.map ?? t.mapvalues;
    const names: string[] = [];
    const add = (n: string) => {
      if (!names.includes(n)) names.push(n);
    };
    const schemaProps = entry.json_schema["properties"];
    const declared = entry.parameters ??
      (schemaProps && typeof schemaProps === "object"
        ? Object.keys(schemaProps)
        : []);
    declared.forEach(add);
    Object.keys(t.partial).forEach(add);
    mapSpec?.argnames.forEach(add);
    const form = formProps[t.id]?.properties ?? {};
    const args: GraphArgument[] = names.map((name, i) => {
      const port = `a${i}`;
      let note = "";
      if (Object.hasOwn(t.partial, name)) {
        const value = t.partial[name];
        const refs = referencedIds(value);
        const envs = envNamesOf(value);
        if (refs.length > 0 || envs.length > 0) {
          note = [...refs.map((r) => `← ${r}`), ...envs.map((e) => `$${e}`)]
            .join(", ");
          for (const r of refs) graph.edges.push({ from: r, to: t.id, port });
        } else {
          note = `= ${brief(value)}`;
        }
      } else if (mapSpec?.argnames.includes(name)) {
        const refs = referencedIds(mapSpec.argvalues);
        note = `(${t.map ? "map" : "mapvalues"}${
          refs.length ? ` over ${refs.join(", ")}` : ""
        })`;
        for (const r of refs) graph.edges.push({ from: r, to: t.id, port });
      } else if (Object.hasOwn(form, name)) {
        note = "(form)";
      }
      return { name, port, note };
    });
    graph.nodes.push({
      id: t.id,
      task: t.task,
      method: t.map ? "map" : t.mapvalues ? "mapvalues" : "call",
      io: isIo(entry),
      args,
    });
  }
  return graph;
}

function exampleConfig(
  params: Record<string, unknown>,
  testCases: Record<string, unknown>,
): string {
  const first = Object.values(testCases)[0] as { params?: unknown } | undefined;
  if (first?.params !== undefined) return JSON.stringify(first.params);
  const props = (params["properties"] ?? {}) as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const id of Object.keys(props)) out[id] = {};
  return JSON.stringify(out);
}

interface Permission {
  flag: string;
  why: string;
}

function permissions(
  resultsEnvVar: string,
  envNames: string[],
  needsNet: boolean,
): Permission[] {
  const env = [resultsEnvVar, ...RUNTIME_ENV_VARS, ...envNames].filter((
    n,
    i,
    a,
  ) => a.indexOf(n) === i);
  const out: Permission[] = [
    {
      flag: "--no-prompt",
      why: "a missing permission is an error, never an interactive question",
    },
    {
      flag: "--allow-read",
      why:
        "reads params.json/rjsf.json from this folder and the `--config-file` given at run time " +
        "(its location is only known at run time, so read access cannot be narrowed in advance)",
    },
    {
      flag: "--allow-write",
      why:
        `writes result.json into the folder named by ${resultsEnvVar}, which is only known at run ` +
        "time (Deno permission flags take paths, not the URL in the environment); the CLI writes " +
        "nothing else",
    },
    {
      flag: `--allow-env=${env.join(",")}`,
      why:
        "only the variables the workflow reads: the results URL, run id, log level, trace " +
        "context and the `${{ env.VAR }}` references of the spec",
    },
  ];
  const net = needsNet
    ? "--allow-net"
    : "--allow-net=storage.googleapis.com,metadata.google.internal";
  out.push({
    flag: net,
    why: needsNet
      ? "io-tagged tasks fetch their data over the network"
      : "only for writing result.json to a gs:// results URL (Cloud Storage and the metadata server for a token)",
  });
  return out;
}

/**
 * Generate every file of a compiled workflow workspace and its fingerprint.
 *
 * @param input The validated spec, task resolution, schemas and naming.
 * @returns The files (path → text, not yet formatted) and the fingerprint.
 * @throws {Error} When a task name does not resolve (validate the spec first).
 *
 * @example
 * ```ts
 * import { generateWorkspace } from "./codegen.ts";
 * import type { Spec } from "./spec_model.ts";
 *
 * const pos = { line: 1, col: 1 };
 * const spec: Spec = {
 *   id: "w", requirements: [], file: "spec.yaml", task_instance_defaults: {},
 *   rjsf_overrides: { properties: {}, $defs: {}, uiSchema: {} },
 *   workflow: [{ type: "task", id: "total", task: "add", partial: {}, pos }],
 * };
 * const entry = {
 *   metadata: { tags: [], deprecated: false },
 *   json_schema: { type: "object", properties: { a: { type: "integer" } } },
 *   public_module_path: "@acme/math",
 *   function_name: "add",
 * };
 * const { files } = await generateWorkspace({
 *   spec, resolve: () => entry, skipifFor: () => undefined,
 *   params: { properties: {} }, rjsf: { properties: {} },
 *   releaseName: "wt-w-workflow", packageName: "@workflows/wt-w-workflow", version: "1.0.0",
 *   resultsEnvVar: "WT_RESULTS", imports: {}, libraries: {}, testCases: {},
 *   specName: "spec.yaml", linked: false,
 * });
 * console.assert(files.get("src/dag_sequential.ts")?.includes('setTaskInstanceId("total")'));
 * ```
 */
export async function generateWorkspace(
  input: CodegenInput,
): Promise<GeneratedWorkspace> {
  const prepared = await prepareWorkspace(input);
  return await prepared.complete(await dotToSvg(prepared.dot));
}

/**
 * The first part of {@linkcode generateWorkspace}: every file that does not depend on the
 * rendered task graph, and the graph's DOT source. `generateWorkspace(input)` is
 * `prepareWorkspace(input)` then `complete(await dotToSvg(dot))`; splitting them lets a caller
 * format the prepared files while Graphviz lays out the graph.
 *
 * @param input The validated spec, task resolution, schemas and naming.
 * @returns The prepared files, the DOT source and the step that completes the workspace.
 * @throws {Error} When a task name does not resolve (validate the spec first).
 *
 * @example
 * ```ts
 * import { prepareWorkspace } from "./codegen.ts";
 * import { dotToSvg } from "./graph.ts";
 * import type { Spec } from "./spec_model.ts";
 *
 * const pos = { line: 1, col: 1 };
 * const spec: Spec = {
 *   id: "w", requirements: [], file: "spec.yaml", task_instance_defaults: {},
 *   rjsf_overrides: { properties: {}, $defs: {}, uiSchema: {} },
 *   workflow: [{ type: "task", id: "total", task: "add", partial: {}, pos }],
 * };
 * const entry = {
 *   metadata: { tags: [], deprecated: false },
 *   json_schema: { type: "object", properties: { a: { type: "integer" } } },
 *   public_module_path: "@acme/math",
 *   function_name: "add",
 * };
 * const prepared = await prepareWorkspace({
 *   spec, resolve: () => entry, skipifFor: () => undefined,
 *   params: { properties: {} }, rjsf: { properties: {} },
 *   releaseName: "wt-w-workflow", packageName: "@workflows/wt-w-workflow", version: "1.0.0",
 *   resultsEnvVar: "WT_RESULTS", imports: {}, libraries: {}, testCases: {},
 *   specName: "spec.yaml", linked: false,
 * });
 * console.assert(!prepared.files.has("graph.svg") && !prepared.files.has("README.md"));
 * const { files } = await prepared.complete(await dotToSvg(prepared.dot));
 * console.assert(files.get("README.md")?.includes("wt:fingerprint:begin"));
 * ```
 */
export async function prepareWorkspace(
  input: CodegenInput,
): Promise<PreparedWorkspace> {
  const { spec } = input;
  const instances = flattenInstances(spec);
  if (instances.length === 0) {
    throw new Error(
      `workflow '${spec.id}' has no task instances: add at least one to \`workflow\``,
    );
  }
  const ids = instances.map((t) => t.id);
  const plan = new ImportPlan(ids);
  const entries = new Map<string, RegistryEntry>();
  const envNames: string[] = [];
  const views: InstanceView[] = instances.map((t) => {
    const entry = input.resolve(t.task);
    entries.set(t.id, entry);
    const alias = plan.alias(entry);
    const mapSpec = t.map ?? t.mapvalues;
    const skip = input.skipifFor(t);
    const deps = [
      ...referencedIds(t.partial),
      ...referencedIds(mapSpec?.argvalues),
    ]
      .filter((d, i, a) => a.indexOf(d) === i);
    for (
      const name of [
        ...envNamesOf(t.partial),
        ...envNamesOf(mapSpec?.argvalues),
      ]
    ) {
      if (!envNames.includes(name)) envNames.push(name);
    }
    return {
      id: t.id,
      name: t.name ?? "",
      task_name: t.task,
      qualified: qualifiedName(entry),
      alias,
      method: t.map ? "map" : t.mapvalues ? "mapvalues" : "call",
      partial: Object.entries(t.partial).map(([key, value]) => ({
        key: JSON.stringify(key),
        value: toValueNode(value),
      })),
      argnames: JSON.stringify(mapSpec?.argnames ?? []),
      argvalues: toValueNode(mapSpec?.argvalues ?? null),
      skipif: skip
        ? {
          conditions: skip.conditions.map((c) => plan.alias(input.resolve(c))),
          unpack_depth: skip.unpack_depth,
        }
        : null,
      deps,
      io: isIo(entry),
    };
  });
  const lastId = ids[ids.length - 1]!;
  const needsNet = views.some((v) => v.io);
  const perms = permissions(input.resultsEnvVar, envNames, needsNet);
  const workflowCommand = [
    "deno run",
    ...perms.map((p) => p.flag),
    "src/cli.ts",
  ].join(" ");
  const testCommand = [
    "deno test --no-prompt --allow-read",
    `--allow-env=${
      [input.resultsEnvVar, ...RUNTIME_ENV_VARS, ...envNames].join(",")
    }`,
    needsNet ? "--allow-net" : "",
    "tests/",
  ].filter(Boolean).join(" ");
  const mapConcurrency = input.mapConcurrency ?? DEFAULT_MAP_CONCURRENCY;
  const dataConnections = instances
    .filter((t) => isDataConnection(entries.get(t.id)!))
    .map((t) => t.id)
    .filter((id) =>
      Object.hasOwn((input.params["properties"] ?? {}) as object, id)
    );

  const context = {
    workflow_id: spec.id,
    instances: views,
    task_imports: plan.view(),
    last_id: lastId,
    results_env_var: input.resultsEnvVar,
    map_concurrency: mapConcurrency,
    data_connection_property_names: dataConnections,
    package_name: input.packageName,
    release_name: input.releaseName,
    version: input.version,
    imports: input.imports,
    scopes: input.scopes ?? {},
    workflow_command: workflowCommand,
    workflow_task_description:
      `Run workflow ${spec.id}: run --config-json JSON | --config-file FILE [--execution-mode sequential|parallel] [--mock-io]; get rjsf|params|data-connection-property-names; convert --from formdata|params --to params|formdata`,
    test_command: testCommand,
    linked: input.linked,
    path_libraries: input.pathLibraries ?? [],
    deno_version: DOCKER_DENO_VERSION,
    runner_module: RUNNER_MODULE,
    runner_flags: RUNNER_FLAGS,
    spec_name: input.specName,
    example_config: exampleConfig(input.params, input.testCases),
    permissions: perms,
    title: `Workflow ${spec.id}`,
  };

  const files = new Map<string, string>();
  files.set("src/_support.ts", await render("support.ts.njk", context));
  files.set(
    "src/dag_sequential.ts",
    await render("dag_sequential.ts.njk", context),
  );
  files.set(
    "src/dag_parallel.ts",
    await render("dag_parallel.ts.njk", context),
  );
  files.set("src/cli.ts", await render("cli.ts.njk", context));
  files.set("deno.json", await render("deno.json.njk", context));
  files.set("params.json", await render("json.njk", { value: input.params }));
  files.set("rjsf.json", await render("json.njk", { value: input.rjsf }));
  files.set(
    "tests/test_cases.json",
    await render("json.njk", { value: input.testCases }),
  );
  files.set(
    "tests/workflow_test.ts",
    await render("workflow_test.ts.njk", context),
  );
  files.set("Dockerfile", await render("Dockerfile.njk", context));
  files.set(".dockerignore", await render("dockerignore.njk", context));
  const dot = await graphToDot(
    buildGraph(spec, instances, entries, input.params),
  );
  files.set("graph.dot", dot);
  const specHash = specSha256(spec);
  const paramsHash = paramsSha256(input.params);

  const complete = async (svg: string): Promise<GeneratedWorkspace> => {
    const all = new Map(files);
    all.set("graph.svg", svg);
    const fingerprint: Fingerprint = {
      spec_sha256: specHash,
      params_sha256: paramsHash,
      artifacts_sha256: artifactsSha256(all),
      libraries: input.libraries,
    };
    all.set("VERSION", await render("VERSION.njk", context));
    all.set(
      "README.md",
      await render("README.md.njk", { ...context, fingerprint }),
    );
    return { files: all, fingerprint };
  };
  return { files, dot, complete };
}
