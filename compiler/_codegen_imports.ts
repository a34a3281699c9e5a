/**
 * The import map of a generated workspace: the discovery plan's map, pruned to the entries
 * the workflow's code can reach (with `--link`, the checkout's root import map lists every npm
 * package of the repository; a workflow needs only those its `@wt/*` packages and task
 * libraries import).
 *
 * @module
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** `@wt/*` packages generated code (and task libraries) load. */
const RUNTIME_PACKAGES = ["@wt/task", "@wt/contracts", "@wt/registry"];

const SPECIFIER =
  /(?:from\s+|import\s*\(\s*|import\s+)["']([^"'./][^"']*)["']/g;

async function collectSpecifiers(
  folder: string,
  out: Set<string>,
  depth = 0,
): Promise<void> {
  if (depth > 8) return;
  let entries: AsyncIterable<Deno.DirEntry>;
  try {
    entries = Deno.readDir(folder);
  } catch {
    return;
  }
  try {
    for await (const e of entries) {
      const path = join(folder, e.name);
      if (e.isDirectory) {
        if (
          e.name === "testdata" || e.name === "node_modules" ||
          e.name.startsWith(".")
        ) continue;
        await collectSpecifiers(path, out, depth + 1);
      } else if (
        /\.(ts|tsx|js|mjs|mts)$/.test(e.name) &&
        !/_test\.|_bench\./.test(e.name)
      ) {
        const text = await Deno.readTextFile(path);
        for (const m of text.matchAll(SPECIFIER)) out.add(m[1]!);
      }
    }
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
}

function folderOf(target: string | undefined): string | undefined {
  if (target === undefined || !target.startsWith("file:")) return undefined;
  return dirname(fileURLToPath(target));
}

/** A workspace import map: top-level imports and scopes. */
export interface ImportMap {
  /** Top-level imports. */
  imports: Record<string, string>;
  /** Scoped imports, keyed by folder URL. */
  scopes: Record<string, Record<string, string>>;
}

/**
 * `jsr:@wt/x@1.2.3` → `jsr:@wt/x@^1.2.3`: generated workspaces accept compatible releases of
 * the `@wt/*` runtime packages.
 */
function caret(key: string, target: string): string {
  if (!key.startsWith("@wt/")) return target;
  return target.replace(/^(jsr:\/?@wt\/[^@/]+@)(\d+\.\d+\.\d+)/, "$1^$2");
}

/**
 * Keep the import map entries the workflow needs: local (`file:`) targets, `@wt/*`, and the
 * remote packages that the linked `@wt/*` runtime packages or the path libraries import;
 * the same for every scope.
 *
 * @param map The full import map (from the discovery plan).
 * @param libraryFolders Folders of path libraries.
 * @returns A new, pruned import map.
 */
export async function pruneImports(
  map: ImportMap,
  libraryFolders: readonly string[],
): Promise<ImportMap> {
  const folders = new Set<string>(libraryFolders);
  for (const imports of [map.imports, ...Object.values(map.scopes)]) {
    for (const name of RUNTIME_PACKAGES) {
      const folder = folderOf(imports[name]);
      if (folder) folders.add(folder);
    }
  }
  const used = new Set<string>();
  for (const folder of folders) await collectSpecifiers(folder, used);
  const needed = (key: string) =>
    [...used].some((s) =>
      key.endsWith("/")
        ? s.startsWith(key)
        : s === key || s.startsWith(`${key}/`)
    );
  const prune = (imports: Record<string, string>) => {
    const out: Record<string, string> = {};
    for (const [key, target] of Object.entries(imports)) {
      if (key.startsWith("@wt/") || target.startsWith("file:") || needed(key)) {
        out[key] = caret(key, target);
      }
    }
    return out;
  };
  const scopes: Record<string, Record<string, string>> = {};
  for (const [scope, imports] of Object.entries(map.scopes)) {
    const kept = prune(imports);
    if (Object.keys(kept).length > 0) scopes[scope] = kept;
  }
  return { imports: prune(map.imports), scopes };
}
