/**
 * Builds the ephemeral import map of a discovery run from a spec's requirements (private).
 *
 * Layout of the generated `deno.json`:
 * - top-level `imports`: each requirement (and its subpath exports), every `@wt/*` package
 *   (from the `link` checkout or from JSR) and, with `link`, the link root's own imports (the
 *   pinned npm packages the linked code uses by bare name);
 * - `scopes`: each path library's own `deno.json` imports, and the imports of the workspace
 *   root that contains it, scoped to their folders. An explicit `--config` makes Deno ignore
 *   the configuration next to linked files, so these must be restated here.
 *
 * @module
 */
import { dirname, isAbsolute, join, resolve, sep } from "node:path";
import { pathToFileURL } from "node:url";
import type { Requirement } from "./spec_model.ts";
import { DiscoveryError } from "./_discovery_error.ts";

/** The content of the ephemeral `deno.json`. */
export interface EphemeralConfig {
  /** Top-level import map. */
  imports: Record<string, string>;
  /** Scoped import maps, keyed by folder URL (ending with `/`). */
  scopes: Record<string, Record<string, string>>;
}

/** Everything discovery needs to know about a requirement set before running anything. */
export interface DiscoveryPlan {
  /** The ephemeral `deno.json`. */
  config: EphemeralConfig;
  /** Specifiers handed to the registry CLI (`--package`), one per requirement. */
  packages: string[];
  /**
   * Modules every discovery collects besides the requirements (handed to the registry CLI
   * after them): {@linkcode BUILTIN_MODULES}.
   */
  builtins: string[];
  /** The registry CLI module (absolute file path or remote specifier). */
  cliModule: string;
  /** Folders the sandboxed child may read, besides the ephemeral dir and module caches. */
  readPaths: string[];
  /** Path libraries: requirement name → absolute folder. */
  pathFolders: Record<string, string>;
  /** Files and folders whose content the output depends on (hashed into the cache key). */
  keyPaths: string[];
  /** Whether any module comes from JSR (needs the remote module cache at run time). */
  usesJsr: boolean;
}

/** Options of {@linkcode planDiscovery}. */
export interface PlanOptions {
  /** Folder of the spec file; path requirements are relative to it. */
  specDir: string;
  /** Local checkout of this repository: every `@wt/*` package resolves from it. */
  link?: string | undefined;
  /** Registry CLI module to run instead of `@wt/registry/cli` (path or URL). */
  registryCli?: string | undefined;
  /** Version of the `@wt/*` packages to import from JSR when there is no `link`. */
  wtVersion: string;
}

interface DenoJson {
  name?: unknown;
  version?: unknown;
  exports?: unknown;
  imports?: unknown;
  workspace?: unknown;
}

/** Read and parse a `deno.json`; `undefined` when absent. */
export async function readDenoJson(
  folder: string,
  module: string | undefined,
): Promise<DenoJson | undefined> {
  const file = join(folder, "deno.json");
  let text: string;
  try {
    text = await Deno.readTextFile(file);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return undefined;
    throw new DiscoveryError(
      `Cannot read ${file}${module ? ` (requirement "${module}")` : ""}: ${
        (e as Error).message
      }`,
      { kind: "config", module, cause: e },
    );
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) {
      throw new TypeError("not a JSON object");
    }
    return parsed as DenoJson;
  } catch (e) {
    throw new DiscoveryError(
      `Malformed ${file}${module ? ` (requirement "${module}")` : ""}: ${
        (e as Error).message
      }. Fix the file so it is a JSON object.`,
      { kind: "config", module, cause: e },
    );
  }
}

/** `exports` of a deno.json as a map of subpath (`.`, `./cli`) → relative file. */
function exportsMap(json: DenoJson): Record<string, string> {
  const ex = json.exports;
  if (typeof ex === "string") return { ".": ex };
  if (ex && typeof ex === "object" && !Array.isArray(ex)) {
    const out: Record<string, string> = {};
    for (const [k, val] of Object.entries(ex)) {
      if (typeof val === "string") out[k] = val;
    }
    return out;
  }
  return {};
}

/** Map a package's exports into `imports` under `name` (and `name/sub`). */
function mapExports(
  imports: Record<string, string>,
  name: string,
  folder: string,
  exports: Record<string, string>,
): void {
  for (const [sub, file] of Object.entries(exports)) {
    const key = sub === "." ? name : `${name}/${sub.replace(/^\.\//, "")}`;
    imports[key] = pathToFileURL(resolve(folder, file)).href;
  }
}

/** A config's `imports`, with relative targets made absolute against its folder. */
function absoluteImports(
  json: DenoJson,
  folder: string,
): Record<string, string> {
  const out: Record<string, string> = {};
  const imports = json.imports;
  if (!imports || typeof imports !== "object" || Array.isArray(imports)) {
    return out;
  }
  for (const [k, val] of Object.entries(imports)) {
    if (typeof val !== "string") continue;
    if (val.startsWith("./") || val.startsWith("../")) {
      const abs = pathToFileURL(resolve(folder, val)).href;
      out[k] = val.endsWith("/") && !abs.endsWith("/") ? `${abs}/` : abs;
    } else if (isAbsolute(val)) {
      out[k] = pathToFileURL(val).href + (val.endsWith("/") ? "/" : "");
    } else {
      out[k] = val;
    }
  }
  return out;
}

/** The URL of a folder, ending with `/` (an import map scope prefix). */
function folderUrl(folder: string): string {
  const href = pathToFileURL(folder).href;
  return href.endsWith("/") ? href : `${href}/`;
}

/** Workspace members of a root deno.json: folder → its deno.json. */
async function workspaceMembers(
  root: string,
  json: DenoJson,
): Promise<Array<{ folder: string; json: DenoJson }>> {
  const ws = Array.isArray(json.workspace) ? json.workspace : [];
  const out: Array<{ folder: string; json: DenoJson }> = [];
  for (const m of ws) {
    if (typeof m !== "string") continue;
    const folder = resolve(root, m);
    const mj = await readDenoJson(folder, undefined);
    if (mj) out.push({ folder, json: mj });
  }
  return out;
}

/** The nearest workspace root above `folder` that lists it as a member, if any. */
async function enclosingWorkspace(
  folder: string,
): Promise<{ root: string; json: DenoJson } | undefined> {
  let dir = dirname(folder);
  for (let i = 0; i < 32; i++) {
    let json: DenoJson | undefined;
    try {
      json = await readDenoJson(dir, undefined);
    } catch {
      json = undefined;
    }
    if (json && Array.isArray(json.workspace)) {
      const members = json.workspace.filter((m): m is string =>
        typeof m === "string"
      ).map((m) => resolve(dir, m));
      return members.includes(folder) ? { root: dir, json } : undefined;
    }
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
  return undefined;
}

const WT_PACKAGES = ["@wt/registry", "@wt/contracts", "@wt/task"];

/**
 * Modules of the `@wt/*` packages that every discovery collects, so that any spec can name
 * their tasks without a requirement: the built-in skip conditions. They resolve like the
 * other `@wt/*` packages (from the `link` checkout, else from JSR at the compiler's version).
 */
export const BUILTIN_MODULES: readonly string[] = ["@wt/registry/conditions"];

/**
 * Build the discovery plan of a requirement set: import map, specifiers, readable folders.
 *
 * @param requirements The spec's requirements.
 * @param options Spec folder, link checkout, registry CLI override, `@wt/*` version.
 * @returns The plan.
 * @throws {DiscoveryError} For conda requirements, missing folders or malformed configs.
 */
export async function planDiscovery(
  requirements: readonly Requirement[],
  options: PlanOptions,
): Promise<DiscoveryPlan> {
  const imports: Record<string, string> = {};
  const scopes: Record<string, Record<string, string>> = {};
  const readPaths: string[] = [];
  const pathFolders: Record<string, string> = {};
  const keyPaths: string[] = [];
  let usesJsr = false;
  let cliModule: string | undefined;

  // @wt/* packages and the link root's own imports.
  if (options.link !== undefined) {
    const link = resolve(options.link);
    const rootJson = await readDenoJson(link, undefined);
    if (!rootJson) {
      throw new DiscoveryError(
        `--link ${link}: no deno.json there. Fix: pass the root folder of a checkout of the wt repository.`,
        { kind: "config" },
      );
    }
    Object.assign(imports, absoluteImports(rootJson, link));
    keyPaths.push(join(link, "deno.json"));
    let found = false;
    for (const { folder, json } of await workspaceMembers(link, rootJson)) {
      if (typeof json.name !== "string" || !json.name.startsWith("@wt/")) {
        continue;
      }
      mapExports(imports, json.name, folder, exportsMap(json));
      // Only the packages a task library (or the registry CLI) imports are readable; the
      // others stay mapped so a stray import fails with a clear read denial.
      if (WT_PACKAGES.includes(json.name)) readPaths.push(folder);
      if (json.name === "@wt/registry" || json.name === "@wt/contracts") {
        keyPaths.push(folder);
      }
      if (json.name === "@wt/registry") {
        found = true;
        const cli = exportsMap(json)["./cli"] ?? "./cli.ts";
        cliModule = resolve(folder, cli);
      }
    }
    if (!found) {
      throw new DiscoveryError(
        `--link ${link}: its workspace has no @wt/registry member. Fix: pass the root folder of a checkout of the wt repository.`,
        { kind: "config" },
      );
    }
  } else {
    for (const name of WT_PACKAGES) {
      imports[name] = `jsr:${name}@${options.wtVersion}`;
      imports[`${name}/`] = `jsr:/${name}@${options.wtVersion}/`;
    }
    cliModule = `jsr:@wt/registry@${options.wtVersion}/cli`;
    usesJsr = true;
  }

  const packages: string[] = [];
  for (const req of requirements) {
    if (req.channel !== undefined) {
      throw new DiscoveryError(
        `Requirement "${req.name}" (line ${req.pos.line}) names the conda channel "${req.channel}": conda packages are written for the Python reference framework and cannot be installed by Deno. Fix: depend on the library's JSR/npm package or a local path (\`path:\`), or compile with --registry FILE holding a pre-computed RegistryOutput.`,
        { kind: "unsupported", module: req.name },
      );
    }
    packages.push(req.name);
    if (req.path !== undefined) {
      const folder = resolve(options.specDir, req.path);
      let stat: Deno.FileInfo;
      try {
        stat = await Deno.stat(folder);
      } catch (e) {
        throw new DiscoveryError(
          `Requirement "${req.name}" (line ${req.pos.line}): path ${folder} does not exist. Fix the \`path\` (it is relative to the spec file).`,
          { kind: "config", module: req.name, cause: e },
        );
      }
      if (!stat.isDirectory) {
        throw new DiscoveryError(
          `Requirement "${req.name}" (line ${req.pos.line}): path ${folder} is not a folder. Fix: point \`path\` at the package folder holding its deno.json.`,
          { kind: "config", module: req.name },
        );
      }
      const json = await readDenoJson(folder, req.name);
      let exports = json ? exportsMap(json) : {};
      if (exports["."] === undefined) {
        try {
          await Deno.stat(join(folder, "mod.ts"));
          exports = { ...exports, ".": "./mod.ts" };
        } catch {
          throw new DiscoveryError(
            `Requirement "${req.name}" (line ${req.pos.line}): ${
              join(folder, "deno.json")
            } has no main export ("exports": "./mod.ts" or { ".": … }) and the folder has no mod.ts. Fix: add an "exports" entry to the package's deno.json.`,
            { kind: "config", module: req.name },
          );
        }
      }
      mapExports(imports, req.name, folder, exports);
      if (
        json && typeof json.name === "string" && json.name !== req.name &&
        imports[json.name] === undefined
      ) {
        // The library may import itself by the name in its own deno.json.
        mapExports(imports, json.name, folder, exports);
      }
      pathFolders[req.name] = folder;
      readPaths.push(folder);
      keyPaths.push(folder);
      if (json) {
        const own = absoluteImports(json, folder);
        if (Object.keys(own).length > 0) {
          scopes[folderUrl(folder)] = own;
        }
      }
      const ws = await enclosingWorkspace(folder);
      if (
        ws && (options.link === undefined || resolve(options.link) !== ws.root)
      ) {
        const rootImports = absoluteImports(ws.json, ws.root);
        if (Object.keys(rootImports).length > 0) {
          scopes[folderUrl(ws.root)] = {
            ...rootImports,
            ...scopes[folderUrl(ws.root)],
          };
        }
        // Sibling members (e.g. a shared helper package) resolve by name, as in the workspace.
        for (const m of await workspaceMembers(ws.root, ws.json)) {
          if (typeof m.json.name === "string" && m.folder !== folder) {
            const scope = (scopes[folderUrl(ws.root)] ??= {});
            mapExports(scope, m.json.name, m.folder, exportsMap(m.json));
            readPaths.push(m.folder);
            keyPaths.push(m.folder);
          }
        }
      }
    } else {
      const registry = req.registry ?? "jsr";
      const at = req.version ? `@${req.version}` : "";
      imports[req.name] = `${registry}:${req.name}${at}`;
      imports[`${req.name}/`] = `${registry}:/${req.name}${at}/`;
      if (registry === "jsr") usesJsr = true;
    }
  }

  if (options.registryCli !== undefined) {
    const cli = options.registryCli;
    cliModule = /^[a-z][a-z0-9+.-]*:/i.test(cli) && !/^[a-z]:[\\/]/i.test(cli)
      ? cli
      : resolve(cli);
    if (isAbsolute(cliModule)) keyPaths.push(cliModule);
  }
  if (cliModule === undefined) throw new Error("unreachable: no registry CLI");

  for (const p of readPaths) {
    if (p.includes(",")) {
      throw new DiscoveryError(
        `Folder ${p} contains a comma, which Deno's --allow-read list cannot express. Fix: move the package to a path without commas.`,
        { kind: "config" },
      );
    }
  }

  return {
    config: { imports, scopes },
    packages,
    builtins: [...BUILTIN_MODULES],
    cliModule,
    readPaths: [...new Set(readPaths)].sort(),
    pathFolders,
    keyPaths: [...new Set(keyPaths)].sort(),
    usesJsr,
  };
}

/**
 * Whether every remote target of an import map names an exact version (so a requirement
 * set resolves to the same code every time and the cache key needs no resolution).
 *
 * @param config The ephemeral config.
 * @returns `true` when all `jsr:`/`npm:` targets are pinned to `x.y.z[-pre]`.
 */
export function isPinned(config: EphemeralConfig): boolean {
  const all = [
    ...Object.values(config.imports),
    ...Object.values(config.scopes).flatMap((s) => Object.values(s)),
  ];
  return all.every((target) => {
    const m = /^(?:jsr|npm):\/?(@[^/@]+\/[^/@]+|[^/@]+)(?:@([^/]*))?/.exec(
      target,
    );
    if (!m) return !/^(?:https?):/.test(target);
    return m[2] !== undefined &&
      /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/.test(m[2]);
  });
}

/** Separator-safe check that `path` is inside `folder`. */
export function isInside(path: string, folder: string): boolean {
  return path === folder ||
    path.startsWith(folder.endsWith(sep) ? folder : folder + sep);
}
