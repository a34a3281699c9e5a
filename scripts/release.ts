/**
 * Release one workspace package: `deno task release <package> <version>`.
 *
 * - bumps `version` in the member's `deno.json`;
 * - turns the `## Unreleased` section of its `CHANGELOG.md` into `## <version> — <date>`
 *   (and opens a new, empty `## Unreleased`);
 * - updates the workspace members (and the root import map) that pin the package in their
 *   `imports` (`jsr:<package>@^<old>` → `jsr:<package>@^<version>`) and notes the new version
 *   in the `Unreleased` section of every member that imports it;
 * - prints the git tag to create, `<package>/v<version>`, as the last line.
 *
 * Options: `--root DIR` (workspace root, default this repository), `--date YYYY-MM-DD`,
 * `--dry-run` (print the plan, write nothing). `<package>` is a package name (`@wt/task`) or
 * a member folder (`task`). Exit codes: 0 done, 1 failure, 2 bad arguments.
 *
 * @module
 */
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { members } from "./_workspace.ts";

/** A parsed semantic version. */
interface SemVer {
  major: number;
  minor: number;
  patch: number;
  pre: string[];
}

const SEMVER =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*)(?:\.(?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*))*))?(?:\+([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$/;

/** Parse a semantic version, or `undefined` when it is not one. */
export function parseSemVer(text: string): SemVer | undefined {
  const m = SEMVER.exec(text);
  if (!m) return undefined;
  return {
    major: Number(m[1]),
    minor: Number(m[2]),
    patch: Number(m[3]),
    pre: m[4] ? m[4].split(".") : [],
  };
}

/** Compare two versions by semver precedence: negative, zero or positive. */
export function compareSemVer(a: SemVer, b: SemVer): number {
  for (const k of ["major", "minor", "patch"] as const) {
    if (a[k] !== b[k]) return a[k] - b[k];
  }
  if (a.pre.length === 0 || b.pre.length === 0) {
    return (a.pre.length === 0 ? 1 : 0) - (b.pre.length === 0 ? 1 : 0);
  }
  for (let i = 0; i < Math.max(a.pre.length, b.pre.length); i++) {
    const x = a.pre[i];
    const y = b.pre[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    if (x === y) continue;
    const nx = /^\d+$/.test(x);
    const ny = /^\d+$/.test(y);
    if (nx && ny) return Number(x) - Number(y);
    if (nx !== ny) return nx ? -1 : 1;
    return x < y ? -1 : 1;
  }
  return 0;
}

/** A failure the user can fix (exit 1). */
export class ReleaseError extends Error {
  /** @param message What failed and how to fix it. */
  constructor(message: string) {
    super(message);
    this.name = "ReleaseError";
  }
}

/** Replace the top-level `"version"` value in a deno.json text, keeping its layout. */
function setVersion(text: string, version: string): string {
  const config = JSON.parse(text);
  const next = text.replace(
    /^(\s*"version"\s*:\s*")([^"]*)(")/m,
    (_, a, __, c) => `${a}${version}${c}`,
  );
  const parsed = JSON.parse(next);
  if (parsed.version !== version) {
    throw new ReleaseError(
      `could not find a top-level "version" to update (found ${
        JSON.stringify(config.version)
      })`,
    );
  }
  return next;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** Update `jsr:`/`npm:` pins of `name` in a deno.json text; returns the text and how many. */
function updatePins(
  text: string,
  name: string,
  version: string,
): { text: string; count: number } {
  let count = 0;
  const pattern = new RegExp(
    `("(?:jsr|npm):${escape(name)}@)([\\^~]?)([^"/]+)((?:/[^"]*)?")`,
    "g",
  );
  const next = text.replace(pattern, (_, head, op, _old, tail) => {
    count++;
    return `${head}${op}${version}${tail}`;
  });
  return { text: next, count };
}

async function sourceFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    const path = join(dir, entry.name);
    if (entry.isDirectory) {
      if (["testdata", "node_modules", ".git"].includes(entry.name)) continue;
      out.push(...await sourceFiles(path));
    } else if (
      /\.(ts|tsx|js|mjs)$/.test(entry.name) &&
      !/_(test|bench)\.[a-z]+$/.test(entry.name)
    ) {
      out.push(path);
    }
  }
  return out;
}

/** Whether a source file of `dir` (tests, benches and fixtures aside) imports `name`. */
async function importsPackage(dir: string, name: string): Promise<boolean> {
  const pattern = new RegExp(
    `(?:from|import)\\s*\\(?\\s*["'](?:jsr:)?${
      escape(name)
    }(?:@[^"'/]*)?(?:/[^"']*)?["']`,
  );
  for (const file of await sourceFiles(dir)) {
    if (pattern.test(await Deno.readTextFile(file))) return true;
  }
  return false;
}

const UNRELEASED = /^## Unreleased[^\n]*\n/m;

/** A changelog's Unreleased section: the text before its heading, its notes, the rest. */
function unreleased(
  text: string,
): { before: string; notes: string; after: string } | undefined {
  const match = UNRELEASED.exec(text);
  if (!match) return undefined;
  const rest = text.slice(match.index + match[0].length);
  const next = /^## /m.exec(rest);
  return {
    before: text.slice(0, match.index),
    notes: (next ? rest.slice(0, next.index) : rest).trim(),
    after: next ? rest.slice(next.index) : "",
  };
}

/** At most one blank line in a row, one final newline. */
const tidy = (text: string): string =>
  text.replace(/\n{3,}/g, "\n\n").trimEnd() + "\n";

/** Move the Unreleased notes of a changelog under a new version heading. */
export function releaseChangelog(
  text: string,
  name: string,
  version: string,
  date: string,
): string {
  const heading = `## ${version} — ${date}`;
  const section = unreleased(text);
  if (!section) {
    const title = text.trim() === "" ? `# Changelog — ${name}\n\n` : "";
    const body = text.replace(/^# [^\n]*\n+/, "");
    const head = title || (/^# [^\n]*\n+/.exec(text)?.[0] ?? "");
    return tidy(
      `${head}## Unreleased\n\n${heading}\n\n- No notable changes.\n\n${body}`,
    );
  }
  const { before, notes, after } = section;
  return tidy(
    `${before}## Unreleased\n\n${heading}\n\n${
      notes || "- No notable changes."
    }\n\n${after}`,
  );
}

/** Add a bullet to the Unreleased section of a changelog (creating it if needed). */
export function addUnreleasedNote(
  text: string,
  name: string,
  note: string,
): string {
  let base = text.trim() === "" ? `# Changelog — ${name}\n\n` : text;
  if (!UNRELEASED.test(base)) {
    const title = /^# [^\n]*\n+/.exec(base);
    const at = title ? title.index + title[0].length : 0;
    base = base.slice(0, at) + "## Unreleased\n\n" + base.slice(at);
  }
  const { before, notes, after } = unreleased(base)!;
  if (notes.split("\n").includes(note)) return base;
  return tidy(
    `${before}## Unreleased\n\n${notes ? notes + "\n" : ""}${note}\n\n${after}`,
  );
}

/** Options of {@linkcode release}. */
export interface ReleaseOptions {
  /** Workspace root folder. */
  root: string;
  /** Package name (`@wt/task`) or member folder (`task`). */
  pkg: string;
  /** The new version. */
  version: string;
  /** Release date, `YYYY-MM-DD` (default: today, UTC). */
  date?: string;
  /** Compute and report the changes without writing them. */
  dryRun?: boolean;
}

/** What {@linkcode release} changed (or would change). */
export interface ReleaseResult {
  /** The package name. */
  name: string;
  /** Version before the release. */
  previous: string;
  /** The new version. */
  version: string;
  /** Git tag to create: `<package>/v<version>`. */
  tag: string;
  /** Files written, relative to the root. */
  files: string[];
  /** Members that import the package. */
  dependents: string[];
}

async function readOptional(path: string): Promise<string> {
  try {
    return await Deno.readTextFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return "";
    throw e;
  }
}

/**
 * Release one package of the workspace at `root`.
 *
 * @param opts The package, version, root and options.
 * @returns What changed.
 * @throws {ReleaseError} On an unknown package, an invalid version, or a version that is
 *   not greater than the current one.
 */
export async function release(opts: ReleaseOptions): Promise<ReleaseResult> {
  const next = parseSemVer(opts.version);
  if (!next) {
    throw new ReleaseError(
      `'${opts.version}' is not a semantic version (MAJOR.MINOR.PATCH, e.g. 0.2.0)`,
    );
  }
  const date = opts.date ?? new Date().toISOString().slice(0, 10);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) {
    throw new ReleaseError(`--date must be YYYY-MM-DD, got '${date}'`);
  }
  const all = await members(opts.root);
  const wanted = opts.pkg.replace(/^\.\//, "").replace(/\/$/, "");
  const member = all.find((m) => m.name === wanted || m.dir === wanted);
  if (!member) {
    throw new ReleaseError(
      `no workspace member '${opts.pkg}'; members: ${
        all.map((m) => `${m.name} (${m.dir})`).join(", ")
      }`,
    );
  }
  const current = parseSemVer(member.version);
  if (current && compareSemVer(next, current) <= 0) {
    throw new ReleaseError(
      `${member.name} is at ${member.version}; the new version ${opts.version} must be greater`,
    );
  }
  const writes = new Map<string, string>();
  writes.set(member.configPath, setVersion(member.configText, opts.version));
  const changelogPath = join(opts.root, member.dir, "CHANGELOG.md");
  writes.set(
    changelogPath,
    releaseChangelog(
      await readOptional(changelogPath),
      member.name,
      opts.version,
      date,
    ),
  );

  const dependents: string[] = [];
  const rootConfigPath = join(opts.root, "deno.json");
  const rootPins = updatePins(
    await Deno.readTextFile(rootConfigPath),
    member.name,
    opts.version,
  );
  if (rootPins.count > 0) writes.set(rootConfigPath, rootPins.text);
  for (const other of all) {
    if (other === member) continue;
    const pins = updatePins(other.configText, member.name, opts.version);
    const imports = pins.count > 0 ||
      await importsPackage(join(opts.root, other.dir), member.name);
    if (!imports) continue;
    dependents.push(other.name);
    if (pins.count > 0) writes.set(other.configPath, pins.text);
    const path = join(opts.root, other.dir, "CHANGELOG.md");
    writes.set(
      path,
      addUnreleasedNote(
        await readOptional(path),
        other.name,
        `- Uses \`${member.name}\` ${opts.version}.`,
      ),
    );
  }

  if (!opts.dryRun) {
    for (const [path, text] of writes) await Deno.writeTextFile(path, text);
  }
  return {
    name: member.name,
    previous: member.version,
    version: opts.version,
    tag: `${member.name}/v${opts.version}`,
    files: [...writes.keys()].map((p) => relative(opts.root, p)).sort(),
    dependents,
  };
}

const USAGE =
  "Usage: deno task release <package> <version> [--root DIR] [--date YYYY-MM-DD] [--dry-run]";

async function main(argv: string[]): Promise<number> {
  const positional: string[] = [];
  let root = join(dirname(fileURLToPath(import.meta.url)), "..");
  let date: string | undefined;
  let dryRun = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--help" || arg === "-h") {
      console.log(USAGE);
      return 0;
    } else if (arg === "--dry-run") dryRun = true;
    else if (arg === "--root" || arg === "--date") {
      const value = argv[++i];
      if (value === undefined) {
        console.error(`release: ${arg} needs a value\n${USAGE}`);
        return 2;
      }
      if (arg === "--root") root = value;
      else date = value;
    } else if (arg.startsWith("-")) {
      console.error(`release: unknown option '${arg}'\n${USAGE}`);
      return 2;
    } else positional.push(arg);
  }
  if (positional.length !== 2) {
    console.error(`release: give a package and a version\n${USAGE}`);
    return 2;
  }
  try {
    const result = await release({
      root,
      pkg: positional[0]!,
      version: positional[1]!,
      ...(date === undefined ? {} : { date }),
      dryRun,
    });
    console.log(
      `${result.name}: ${result.previous} → ${result.version}${
        dryRun ? " (dry run, nothing written)" : ""
      }`,
    );
    for (const f of result.files) {
      console.log(`  ${dryRun ? "would write" : "wrote"} ${f}`);
    }
    if (result.dependents.length > 0) {
      console.log(`  dependents: ${result.dependents.join(", ")}`);
    }
    console.log(result.tag);
    return 0;
  } catch (e) {
    if (!(e instanceof ReleaseError)) throw e;
    console.error(`release: ${e.message}`);
    return 1;
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
