/**
 * Sandboxed task discovery (DESIGN §5.3): learn which tasks a spec's requirements provide
 * without ever importing task code into the compiler.
 *
 * 1. An ephemeral folder gets a `deno.json` whose import map resolves the requirements
 *    (path libraries to their main export, JSR/npm packages by version) and the `@wt/*`
 *    packages (from a local checkout with `link`, else from JSR).
 * 2. `deno cache` resolves and caches every dependency (network allowed, no code run, no npm
 *    lifecycle scripts).
 * 3. The registry CLI runs in a sandboxed `deno run`: `--no-prompt --cached-only`, read
 *    access only to the ephemeral folder, the module caches and the requirement folders; write,
 *    net, env, run, ffi, sys and import explicitly denied; cleared environment, empty working
 *    folder, stdin closed, a time limit and a V8 heap cap. Its stdout is parsed with the
 *    `RegistryOutput` schema; the exit code alone is never trusted.
 * 4. The output is cached under a key of the resolved requirement set.
 *
 * ## Built-in tasks
 * Besides the requirements, every discovery collects `@wt/registry/conditions` (the built-in
 * skip conditions `any_dependency_skipped`, `any_is_empty`, `all_are_none`, `never`), from
 * the linked checkout or from JSR at this compiler's version, so the output always lists
 * them under `@wt/registry/conditions.<name>`. A pre-computed `--registry FILE` is used as
 * it is: nothing is added to it.
 *
 * ## Cache invalidation
 * The key is a SHA-256 over: the cache format version; the Deno version; the generated
 * import map (requirement names, registries and versions, absolute folders, the link root's
 * imports); the built-in modules; the registry CLI module; and the content (every file's
 * path and bytes) of each path library folder, of sibling workspace members it can import by
 * name, of the linked `@wt/registry` (built-ins included) and `@wt/contracts` folders and
 * the link root `deno.json`, and of a custom
 * registry CLI file. When some `jsr:`/`npm:` target is a range rather than an exact version,
 * the dependencies are resolved first and the resulting lock file joins the key, so a newly
 * published version is a miss. Anything else (e.g. a change inside a cached npm package) is
 * not seen: pass `noCache: true` (or delete the cache folder) to force a fresh discovery.
 *
 * @module
 */
import { dirname, isAbsolute, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import * as v from "valibot";
import { RegistryOutput } from "@wt/contracts";
import type { Requirement, Spec } from "./spec_model.ts";
import { DiscoveryError } from "./_discovery_error.ts";
import {
  type DiscoveryPlan,
  isInside,
  isPinned,
  planDiscovery,
} from "./_discovery_plan.ts";
import { hashTree, readCache, sha256, writeCache } from "./_discovery_cache.ts";
import { type ChildResult, runChild } from "./_discovery_sandbox.ts";
import compilerConfig from "./deno.json" with { type: "json" };

export {
  DiscoveryError,
  type DiscoveryErrorDetails,
  type DiscoveryErrorKind,
} from "./_discovery_error.ts";

/** Version of the cache entry format and key recipe; bump to invalidate every entry. */
const CACHE_FORMAT = 1;
/**
 * Default time limit of the sandboxed registry CLI, in milliseconds.
 *
 * @example
 * ```ts
 * import { DEFAULT_DISCOVERY_TIMEOUT_MS } from "./discovery.ts";
 *
 * console.assert(DEFAULT_DISCOVERY_TIMEOUT_MS === 60_000);
 * ```
 */
export const DEFAULT_DISCOVERY_TIMEOUT_MS: number = 60_000;
/**
 * Default V8 heap cap of the sandboxed registry CLI, in MiB.
 *
 * @example
 * ```ts
 * import { DEFAULT_DISCOVERY_MEMORY_MB } from "./discovery.ts";
 *
 * console.assert(DEFAULT_DISCOVERY_MEMORY_MB === 512);
 * ```
 */
export const DEFAULT_DISCOVERY_MEMORY_MB: number = 512;
/** Time limit of the dependency resolution step (it may download packages). */
const RESOLVE_TIMEOUT_MS = 300_000;
/** Maximum bytes captured from each output stream of a child. */
const MAX_OUTPUT_BYTES = 64 * 1024 * 1024;

/**
 * Phases reported through {@linkcode DiscoveryOptions.onPhase}, in order: `prepare` (read the
 * requirements, hash local packages), then either `cached` (a cache hit ends discovery) or
 * `resolve` (download and cache dependencies), `sandbox` (run the registry CLI) and `done`.
 * With a version range among the imports, `resolve` comes before the cache lookup, so a hit
 * reports `prepare`, `resolve`, `cached`.
 *
 * @example
 * ```ts
 * import type { DiscoveryPhase } from "./discovery.ts";
 *
 * const label: Record<DiscoveryPhase, string> = {
 *   prepare: "Reading requirements",
 *   cached: "Using cached task catalogue",
 *   resolve: "Resolving dependencies",
 *   sandbox: "Discovering tasks (sandboxed)",
 *   done: "Tasks discovered",
 * };
 * console.assert(label.sandbox.length > 0);
 * ```
 */
export type DiscoveryPhase =
  | "prepare"
  | "cached"
  | "resolve"
  | "sandbox"
  | "done";

/**
 * Options of {@linkcode discover}.
 *
 * @example
 * ```ts
 * import type { DiscoveryOptions } from "./discovery.ts";
 *
 * const options: DiscoveryOptions = {
 *   specDir: "examples/single-task",
 *   link: ".",
 *   timeoutMs: 30_000,
 *   onPhase: (phase) => console.error(`discovery: ${phase}`),
 * };
 * console.assert(options.link === ".");
 * ```
 */
export interface DiscoveryOptions {
  /** Folder of the spec file; `path` requirements are relative to it. */
  specDir: string;
  /**
   * Local checkout of this repository (its root folder): every `@wt/*` package, including the
   * registry CLI, resolves from it instead of JSR, and its root import map supplies the npm
   * packages the linked code uses.
   */
  link?: string | undefined;
  /**
   * Cache folder. Default: `$XDG_CACHE_HOME/wt/discovery`, else `~/.cache/wt/discovery`
   * (no caching when neither can be determined).
   */
  cacheDir?: string | undefined;
  /** Skip reading and writing the cache. */
  noCache?: boolean | undefined;
  /** Time limit of the sandboxed registry CLI in milliseconds (default 60 000). */
  timeoutMs?: number | undefined;
  /** V8 heap cap of the sandboxed registry CLI in MiB (default 512). */
  memoryMb?: number | undefined;
  /**
   * Registry CLI module to run instead of `@wt/registry/cli` (a path, relative to the working
   * folder, or a URL). It receives `--package SPECIFIER`… `--format json` and must print a
   * `RegistryOutput`. Meant for tests and tooling.
   */
  registryCli?: string | undefined;
  /** Called when a phase starts (`prepare`, `cached`, `resolve`, `sandbox`, `done`). */
  onPhase?: ((name: DiscoveryPhase) => void) | undefined;
}

/**
 * The default discovery cache folder: `$XDG_CACHE_HOME/wt/discovery`, else
 * `$HOME/.cache/wt/discovery`.
 *
 * @returns The folder, or `undefined` when the environment names neither (or env access is
 * not granted).
 *
 * @example
 * ```ts
 * import { defaultDiscoveryCacheDir } from "./discovery.ts";
 *
 * const dir = defaultDiscoveryCacheDir();
 * console.assert(dir === undefined || dir.endsWith("discovery"));
 * ```
 */
export function defaultDiscoveryCacheDir(): string | undefined {
  try {
    const xdg = Deno.env.get("XDG_CACHE_HOME");
    if (xdg) return join(xdg, "wt", "discovery");
    const home = Deno.env.get("HOME") ?? Deno.env.get("USERPROFILE");
    return home ? join(home, ".cache", "wt", "discovery") : undefined;
  } catch {
    return undefined;
  }
}

interface DenoDirs {
  denoDir: string;
  npmCache: string;
  modulesCache: string;
}

let denoDirs: Promise<DenoDirs> | undefined;

/** Where this Deno keeps its caches (`deno info --json`), asked once per process. */
function getDenoDirs(): Promise<DenoDirs> {
  denoDirs ??= (async () => {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["info", "--json"],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      env: { NO_COLOR: "1" },
    }).output();
    const text = new TextDecoder().decode(out.stdout);
    try {
      const info = JSON.parse(text) as Partial<DenoDirs>;
      if (
        typeof info.denoDir === "string" &&
        typeof info.npmCache === "string" &&
        typeof info.modulesCache === "string"
      ) {
        return {
          denoDir: info.denoDir,
          npmCache: info.npmCache,
          modulesCache: info.modulesCache,
        };
      }
    } catch {
      // Reported below.
    }
    denoDirs = undefined;
    throw new DiscoveryError(
      `Cannot locate Deno's module cache: \`deno info --json\` printed no cache folders (${
        new TextDecoder().decode(out.stderr).trim() || text.trim()
      }). Fix: check the Deno installation and DENO_DIR.`,
      { kind: "resolve" },
    );
  })();
  return denoDirs;
}

/** The `host:port` of the JSR registry (`JSR_URL` or https://jsr.io/), for `--allow-import`. */
function jsrHost(jsrUrl: string | undefined): string {
  try {
    const url = new URL(jsrUrl ?? "https://jsr.io/");
    const port = url.port || (url.protocol === "http:" ? "80" : "443");
    return `${url.hostname}:${port}`;
  } catch {
    throw new DiscoveryError(
      `JSR_URL is not a URL (${jsrUrl}). Fix: unset it or set it to the JSR registry's URL.`,
      { kind: "config" },
    );
  }
}

/** An environment variable, or `undefined` when unset or env access is not granted. */
function envGet(name: string): string | undefined {
  try {
    return Deno.env.get(name);
  } catch {
    return undefined;
  }
}

/** Last `n` lines of a text. */
function tail(text: string, n = 30): string {
  const lines = text.trimEnd().split("\n");
  return lines.slice(-n).join("\n");
}

/** The requirement a failure is about, from the child's stderr. */
function attribute(stderr: string, plan: DiscoveryPlan): string | undefined {
  const names = [...plan.packages].sort((a, b) => b.length - a.length);
  for (const name of names) {
    if (stderr.includes(`"${name}"`) || stderr.includes(`'${name}'`)) {
      return name;
    }
  }
  for (const [name, folder] of Object.entries(plan.pathFolders)) {
    const paths = stderr.match(/(?:file:\/\/)?\/[^\s"'():]+/g) ?? [];
    for (const p of paths) {
      const path = p.startsWith("file://")
        ? decodeURIComponent(new URL(p).pathname)
        : p;
      if (isInside(path, folder)) return name;
    }
  }
  for (const name of names) {
    if (stderr.includes(name)) return name;
  }
  return plan.packages.length === 1 ? plan.packages[0] : undefined;
}

function moduleText(module: string | undefined, plan: DiscoveryPlan): string {
  return module !== undefined
    ? `"${module}"`
    : `one of the requirements (${plan.packages.join(", ")})`;
}

const PERMISSION_RE =
  /Requires (read|write|net|env|run|ffi|sys|import) access(?: to "([^"]*)")?/;

/** Turn a failed sandbox run into a {@linkcode DiscoveryError}. */
function sandboxFailure(
  res: ChildResult,
  plan: DiscoveryPlan,
  options: { timeoutMs: number; memoryMb: number },
  outputProblem: string | undefined,
): DiscoveryError {
  const module = attribute(res.stderr, plan);
  const who = moduleText(module, plan);
  const stderr = tail(res.stderr);
  if (res.timedOut) {
    return new DiscoveryError(
      `Discovery of ${who} timed out after ${options.timeoutMs} ms: importing the task library did not finish (an endless loop or a pending operation at module top level?). Fix: make the module's top level finish quickly, or raise the discovery timeout.`,
      { kind: "timeout", module, stderr },
    );
  }
  const perm = PERMISSION_RE.exec(res.stderr);
  const spawn = /Failed to spawn '([^']*)'/.exec(res.stderr);
  if (perm || spawn) {
    const permission = perm ? perm[1]! : "run";
    const target = perm ? perm[2] : spawn![1];
    return new DiscoveryError(
      `Discovery of ${who} failed: the task library tried to use ${permission} access${
        target ? ` (to "${target}")` : ""
      } while being imported, and the discovery sandbox denies it (a task library may only read its own folder and its dependencies at import time: no write, net, env, run, ffi, sys or import access). Fix: move that access into the task function, which runs later with the workflow's permissions, or compile with --registry FILE holding a pre-computed RegistryOutput.\n${stderr}`,
      { kind: "permission", module, permission, target, stderr },
    );
  }
  if (
    /heap out of memory|Fatal JavaScript|Reached heap limit/i.test(res.stderr)
  ) {
    return new DiscoveryError(
      `Discovery of ${who} ran out of memory (cap ${options.memoryMb} MiB) while importing the task library. Fix: avoid large allocations at module top level, or raise the discovery memory cap.`,
      { kind: "memory", module, stderr },
    );
  }
  if (res.overflow) {
    return new DiscoveryError(
      `Discovery of ${who} printed more than ${MAX_OUTPUT_BYTES} bytes and was stopped. Fix: do not print at module top level.`,
      { kind: "output", module, stderr },
    );
  }
  if (res.code !== 0 || res.signal !== null) {
    return new DiscoveryError(
      `Discovery of ${who} failed: importing or registering its tasks raised an error (registry CLI exit ${
        res.signal ? `signal ${res.signal}` : `code ${res.code}`
      }; its message is below). Fix the task library, or compile with --registry FILE holding a pre-computed RegistryOutput.\n${stderr}`,
      { kind: "import", module, stderr },
    );
  }
  return new DiscoveryError(
    `Discovery of ${who} failed: the registry CLI (${plan.cliModule}) exited 0 but its output is not a valid RegistryOutput: ${outputProblem}. Output starts with: ${
      JSON.stringify(res.stdout.slice(0, 200))
    }. Fix: make sure the task library prints nothing to stdout at import time and that the registry CLI matches this compiler's version.`,
    { kind: "output", module, stderr },
  );
}

/** Parse the registry CLI's stdout; a problem description on failure. */
function parseOutput(
  stdout: string,
): { output: RegistryOutput } | { problem: string } {
  const text = stdout.trim();
  if (text === "") return { problem: "it printed nothing" };
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    // A library printing at import time leaves lines before the CLI's one-line JSON.
    const last = text.split("\n").at(-1) ?? "";
    try {
      data = JSON.parse(last);
    } catch {
      return { problem: `it is not JSON (${(e as Error).message})` };
    }
  }
  const parsed = v.safeParse(RegistryOutput, data);
  if (!parsed.success) {
    return { problem: v.summarize(parsed.issues).replaceAll("\n", "; ") };
  }
  return { output: parsed.output };
}

/**
 * Discover the tasks of a spec's requirements in a sandboxed `deno` subprocess.
 *
 * @param requirements The spec's requirements (a conda `channel` requirement is refused).
 * @param options Spec folder, link checkout, cache, limits, progress callback.
 * @returns The combined `RegistryOutput` of every requirement.
 * @throws {DiscoveryError} When a requirement cannot be resolved or imported, touches a
 * denied permission, exceeds the time or memory limit, or the CLI prints an invalid output.
 *
 * @example Discover the tasks of a local library, resolving `@wt/*` from a checkout
 * ```ts ignore
 * import { discover } from "./discovery.ts";
 *
 * const pos = { line: 1, col: 1 };
 * const catalogue = await discover(
 *   [{ name: "@wt-examples/custom-tasks", path: "../custom-tasks", pos }],
 *   { specDir: "examples/single-task", link: "." },
 * );
 * console.log(Object.keys(catalogue.entries));
 * ```
 */
export async function discover(
  requirements: Requirement[],
  options: DiscoveryOptions,
): Promise<RegistryOutput> {
  const phase = (name: DiscoveryPhase) => options.onPhase?.(name);
  const timeoutMs = options.timeoutMs ?? DEFAULT_DISCOVERY_TIMEOUT_MS;
  const memoryMb = options.memoryMb ?? DEFAULT_DISCOVERY_MEMORY_MB;
  if (!(timeoutMs > 0) || !(memoryMb > 0)) {
    throw new RangeError(
      `discover: timeoutMs and memoryMb must be positive (got ${timeoutMs}, ${memoryMb})`,
    );
  }
  phase("prepare");
  const plan = await planDiscovery(requirements, {
    specDir: options.specDir,
    link: options.link,
    registryCli: options.registryCli,
    wtVersion: compilerConfig.version,
  });
  const cacheDir = options.noCache
    ? undefined
    : options.cacheDir ?? defaultDiscoveryCacheDir();

  const keyParts: unknown[] = [
    CACHE_FORMAT,
    Deno.version.deno,
    plan.config,
    plan.packages,
    plan.builtins,
    plan.cliModule,
    envGet("JSR_URL") ?? null,
    envGet("NPM_CONFIG_REGISTRY") ?? null,
  ];
  for (const p of plan.keyPaths) keyParts.push(p, await hashTree(p));
  const pinned = isPinned(plan.config);
  let key = sha256(JSON.stringify(keyParts));
  if (cacheDir !== undefined && pinned) {
    const hit = await readCache(cacheDir, key);
    if (hit) {
      phase("cached");
      return hit;
    }
  }

  const dirs = await getDenoDirs();
  const eph = await Deno.makeTempDir({ prefix: "wt-discovery-" });
  try {
    const config = { ...plan.config, nodeModulesDir: "none" };
    const configFile = join(eph, "deno.json");
    const lockFile = join(eph, "deno.lock");
    const entryFile = join(eph, "entry.ts");
    const cwd = join(eph, "cwd");
    await Deno.mkdir(cwd);
    await Deno.writeTextFile(configFile, JSON.stringify(config, null, 2));
    await Deno.writeTextFile(
      entryFile,
      [plan.cliModule, ...plan.packages, ...plan.builtins].map((s) =>
        `import ${JSON.stringify(isAbsolute(s) ? pathToFileURL(s).href : s)};\n`
      ).join(""),
    );

    phase("resolve");
    const resolved = await runChild({
      args: [
        "cache",
        "--quiet",
        "--config",
        configFile,
        `--lock=${lockFile}`,
        entryFile,
      ],
      cwd,
      env: { NO_COLOR: "1" },
      clearEnv: false,
      timeoutMs: RESOLVE_TIMEOUT_MS,
      maxOutputBytes: MAX_OUTPUT_BYTES,
    });
    if (resolved.code !== 0 || resolved.timedOut) {
      const module = attribute(resolved.stderr, plan);
      throw new DiscoveryError(
        `Resolving the requirements failed${module ? ` for "${module}"` : ""}${
          resolved.timedOut ? ` (timed out after ${RESOLVE_TIMEOUT_MS} ms)` : ""
        }: check each requirement's name and version, the network, and (with --link) the checkout.\n${
          tail(resolved.stderr)
        }`,
        { kind: "resolve", module, stderr: tail(resolved.stderr) },
      );
    }
    let hasLock = false;
    try {
      const lock = await Deno.readTextFile(lockFile);
      hasLock = true;
      if (!pinned) {
        key = sha256(JSON.stringify([...keyParts, lock]));
        if (cacheDir !== undefined) {
          const hit = await readCache(cacheDir, key);
          if (hit) {
            phase("cached");
            return hit;
          }
        }
      }
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }

    phase("sandbox");
    const jsrUrl = envGet("JSR_URL");
    const readable = [eph, dirs.npmCache, dirs.modulesCache, ...plan.readPaths];
    const args = [
      "run",
      "--no-prompt",
      "--cached-only",
      "--config",
      configFile,
      ...(hasLock ? [`--lock=${lockFile}`, "--frozen"] : ["--no-lock"]),
      `--allow-read=${readable.join(",")}`,
      "--deny-write",
      "--deny-net",
      "--deny-env",
      "--deny-run",
      "--deny-ffi",
      "--deny-sys",
      // JSR modules are remote modules: loading them, even from the cache, needs import
      // permission for the JSR host (and no --no-remote); --cached-only guarantees nothing
      // is fetched, so the sandbox can only load what the resolve step cached.
      ...(plan.usesJsr
        ? [`--allow-import=${jsrHost(jsrUrl)}`]
        : ["--no-remote", "--deny-import"]),
      `--v8-flags=--max-old-space-size=${Math.floor(memoryMb)}`,
      plan.cliModule,
      ...[...plan.packages, ...plan.builtins].flatMap((p) => ["--package", p]),
      "--format",
      "json",
    ];
    // The child's whole environment. DENO_DIR: the cleared child must find the module cache
    // that the resolve step filled (without HOME it could not locate it). NO_COLOR: plain
    // stderr for error mapping. DENO_NO_UPDATE_CHECK: Deno itself makes no network request.
    // PATH: a library spawning a program by name then meets the run permission check (a clear
    // "Requires run access") instead of "not found"; run access is denied either way.
    // NPM_CONFIG_REGISTRY, JSR_URL (if set): the registries the resolve step used; the
    // module caches are laid out per registry host, and JSR specifiers resolve against it.
    const env: Record<string, string> = {
      DENO_DIR: dirs.denoDir,
      NO_COLOR: "1",
      DENO_NO_UPDATE_CHECK: "1",
    };
    const path = envGet("PATH");
    if (path !== undefined) env["PATH"] = path;
    const npmRegistry = envGet("NPM_CONFIG_REGISTRY");
    if (npmRegistry !== undefined) env["NPM_CONFIG_REGISTRY"] = npmRegistry;
    if (jsrUrl !== undefined) env["JSR_URL"] = jsrUrl;

    const res = await runChild({
      args,
      cwd,
      env,
      clearEnv: true,
      timeoutMs,
      maxOutputBytes: MAX_OUTPUT_BYTES,
    });
    const parsed = res.code === 0 && !res.timedOut && !res.overflow
      ? parseOutput(res.stdout)
      : undefined;
    if (!parsed || "problem" in parsed) {
      throw sandboxFailure(res, plan, { timeoutMs, memoryMb }, parsed?.problem);
    }
    if (cacheDir !== undefined) await writeCache(cacheDir, key, parsed.output);
    phase("done");
    return parsed.output;
  } finally {
    await Deno.remove(eph, { recursive: true }).catch(() => {});
  }
}

/**
 * A discovery function for a parsed spec, in the shape `loadCatalogue`'s `discover` option
 * takes: discovers the spec's requirements relative to the spec file's folder.
 *
 * @param options Discovery options except `specDir` (link, cache, limits, progress).
 * @returns A function from a spec to its `RegistryOutput`.
 *
 * @example
 * ```ts
 * import { specDiscoverer } from "./discovery.ts";
 *
 * const discoverSpec = specDiscoverer({ link: ".", noCache: true });
 * console.assert(typeof discoverSpec === "function");
 * ```
 */
export function specDiscoverer(
  options: Omit<DiscoveryOptions, "specDir">,
): (spec: Pick<Spec, "requirements" | "file">) => Promise<RegistryOutput> {
  return (spec) => {
    const file = spec.file.startsWith("file:")
      ? fileURLToPath(spec.file)
      : resolve(spec.file);
    return discover(spec.requirements, { ...options, specDir: dirname(file) });
  };
}
