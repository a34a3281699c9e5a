/**
 * The compiled workflows a runner serves: one folder per workflow, named by its release
 * name, holding `deno.json` (with a `workflow` task), `params.json`, `rjsf.json` and
 * `VERSION`. The runner reads these files; it never imports workflow code.
 *
 * @module
 */
import { join } from "node:path";
import { NotFoundError } from "./errors.ts";

/** One compiled workflow. */
export interface WorkflowEntry {
  /** Release name (the folder name), e.g. `wt-chaining-tasks-workflow`. */
  name: string;
  /** Absolute path of the workspace folder. */
  dir: string;
  /** Content of `VERSION`, trimmed (`null` when absent). */
  version: string | null;
  /** JSON Schema of the workflow parameters (`params.json`). */
  params: Record<string, unknown>;
  /** The form schema (`rjsf.json`). */
  rjsf: Record<string, unknown>;
}

/** What `GET /workflows` shows of a workflow. */
export interface WorkflowSummary {
  /** Release name. */
  name: string;
  /** Content of `VERSION`. */
  version: string | null;
  /** Title of `params.json`, if any. */
  title: string | null;
  /** Description of `params.json`, if any. */
  description: string | null;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

async function readJsonObject(
  path: string,
): Promise<Record<string, unknown>> {
  const text = await Deno.readTextFile(path);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new SyntaxError(
      `${path} is not valid JSON (${
        (e as Error).message
      }); recompile the workflow`,
    );
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new TypeError(
      `${path} must hold a JSON object; recompile the workflow`,
    );
  }
  return value as Record<string, unknown>;
}

/**
 * Read one compiled workflow folder.
 *
 * @param dir The folder; its base name is the release name.
 * @returns The workflow.
 * @throws {Error} When `deno.json`, `params.json` or `rjsf.json` is missing or malformed.
 *
 * @example
 * ```ts
 * import { loadWorkflow } from "@wt/runner";
 *
 * const dir = `${await Deno.makeTempDir()}/wt-add-workflow`;
 * await Deno.mkdir(dir);
 * await Deno.writeTextFile(`${dir}/deno.json`, '{"tasks": {"workflow": "deno run cli.ts"}}');
 * await Deno.writeTextFile(`${dir}/params.json`, '{"type": "object"}');
 * await Deno.writeTextFile(`${dir}/rjsf.json`, '{"type": "object"}');
 * await Deno.writeTextFile(`${dir}/VERSION`, "1.0.0\n");
 * const wf = await loadWorkflow(dir);
 * console.assert(wf.name === "wt-add-workflow" && wf.version === "1.0.0");
 * ```
 */
export async function loadWorkflow(dir: string): Promise<WorkflowEntry> {
  const abs = await Deno.realPath(dir);
  const name = abs.split(/[\\/]/).at(-1) ?? abs;
  const config = await readJsonObject(join(abs, "deno.json"));
  const tasks = config["tasks"] as Record<string, unknown> | undefined;
  if (!tasks || tasks["workflow"] === undefined) {
    throw new Error(
      `${
        join(abs, "deno.json")
      } has no 'workflow' task; is ${abs} a compiled workflow workspace?`,
    );
  }
  const params = await readJsonObject(join(abs, "params.json"));
  const rjsf = await readJsonObject(join(abs, "rjsf.json"));
  let version: string | null = null;
  try {
    version = (await Deno.readTextFile(join(abs, "VERSION"))).trim() || null;
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  return { name, dir: abs, version, params, rjsf };
}

/**
 * The workflows a runner serves, by release name.
 *
 * @example
 * ```ts
 * import { WorkflowRegistry } from "@wt/runner";
 *
 * const reg = new WorkflowRegistry([{
 *   name: "wt-add-workflow", dir: "/srv/wt-add-workflow", version: "1.0.0",
 *   params: { type: "object" }, rjsf: {},
 * }]);
 * console.assert(reg.get("wt-add-workflow").version === "1.0.0");
 * ```
 */
export class WorkflowRegistry {
  #byName = new Map<string, WorkflowEntry>();

  /**
   * Create a registry from workflows already loaded.
   *
   * @param entries The workflows.
   */
  constructor(entries: Iterable<WorkflowEntry> = []) {
    for (const e of entries) this.#byName.set(e.name, e);
  }

  /**
   * Load every compiled workflow folder directly inside `dir` (folders without a
   * `deno.json` and `params.json` are skipped; a malformed workflow is an error).
   *
   * @param dir Folder of compiled workflow workspaces.
   * @returns The registry.
   * @throws {Error} When `dir` cannot be read or a workflow is malformed.
   */
  static async fromDirectory(dir: string): Promise<WorkflowRegistry> {
    const entries: WorkflowEntry[] = [];
    const names: string[] = [];
    for await (const e of Deno.readDir(dir)) {
      if (e.isDirectory && NAME.test(e.name)) names.push(e.name);
    }
    names.sort();
    for (const name of names) {
      const sub = join(dir, name);
      const has = async (f: string) => {
        try {
          await Deno.stat(join(sub, f));
          return true;
        } catch {
          return false;
        }
      };
      if (!(await has("deno.json")) || !(await has("params.json"))) continue;
      entries.push(await loadWorkflow(sub));
    }
    return new WorkflowRegistry(entries);
  }

  /**
   * A workflow by release name.
   *
   * @param name Release name.
   * @returns The workflow.
   * @throws {NotFoundError} When there is none.
   */
  get(name: string): WorkflowEntry {
    const wf = this.#byName.get(name);
    if (!wf) {
      throw new NotFoundError(
        `no workflow '${name}' on this runner (GET /workflows lists the ${this.#byName.size} it serves)`,
      );
    }
    return wf;
  }

  /**
   * Whether a workflow exists.
   *
   * @param name Release name.
   * @returns `true` when it does.
   */
  has(name: string): boolean {
    return this.#byName.has(name);
  }

  /**
   * Every workflow, sorted by name.
   *
   * @returns The workflows.
   */
  list(): WorkflowEntry[] {
    return [...this.#byName.values()].sort((a, b) =>
      a.name < b.name ? -1 : a.name > b.name ? 1 : 0
    );
  }

  /**
   * Summaries for `GET /workflows`.
   *
   * @returns One summary per workflow.
   */
  summaries(): WorkflowSummary[] {
    return this.list().map((w) => ({
      name: w.name,
      version: w.version,
      title: typeof w.params["title"] === "string" ? w.params["title"] : null,
      description: typeof w.params["description"] === "string"
        ? w.params["description"]
        : null,
    }));
  }
}
