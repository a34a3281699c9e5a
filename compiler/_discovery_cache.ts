/**
 * The on-disk discovery cache (private).
 *
 * One JSON file per key, `<cacheDir>/<sha256>.json`, holding the `RegistryOutput` of a
 * requirement set. The key hashes everything the output depends on (see `discovery.ts`).
 * Entries are validated on read; an unreadable or invalid entry is a miss, never an error.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { join, relative } from "node:path";
import * as v from "valibot";
import { RegistryOutput } from "@wt/contracts";

/** Folders never hashed (dependencies and VCS metadata do not define a library's code). */
const SKIP_DIRS = new Set(["node_modules", ".git", ".hg", ".svn", "testdata"]);
/** Files larger than this are keyed by size and mtime instead of content. */
const MAX_HASHED_BYTES = 4 * 1024 * 1024;

/** SHA-256 (hex) of a string. */
export function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/**
 * A content hash of a folder (or file): every file's relative path and content, sorted; files
 * over 4 MiB by size and mtime; `node_modules`, VCS folders, `testdata` and dot-folders skipped.
 *
 * @param root Absolute folder or file path.
 * @returns Hex SHA-256.
 */
export async function hashTree(root: string): Promise<string> {
  const hash = createHash("sha256");
  const files: string[] = [];
  const stat = await Deno.stat(root);
  if (stat.isFile) {
    files.push(root);
  } else {
    const walk = async (dir: string): Promise<void> => {
      const entries: Deno.DirEntry[] = [];
      for await (const e of Deno.readDir(dir)) entries.push(e);
      for (const e of entries) {
        const p = join(dir, e.name);
        if (e.isDirectory) {
          if (!SKIP_DIRS.has(e.name) && !e.name.startsWith(".")) await walk(p);
        } else if (e.isFile) {
          files.push(p);
        }
      }
    };
    await walk(root);
  }
  files.sort();
  for (const f of files) {
    const st = await Deno.stat(f);
    hash.update(`${relative(root, f)}\0${st.size}\0`);
    if (st.size <= MAX_HASHED_BYTES) {
      hash.update(await Deno.readFile(f));
    } else {
      hash.update(String(st.mtime?.getTime() ?? 0));
    }
    hash.update("\0");
  }
  return hash.digest("hex");
}

interface CacheFile {
  key: string;
  created: string;
  output: unknown;
}

/**
 * Read a cached output.
 *
 * @param dir Cache folder.
 * @param key Cache key.
 * @returns The output, or `undefined` on a miss (absent, unreadable or invalid entry).
 */
export async function readCache(
  dir: string,
  key: string,
): Promise<RegistryOutput | undefined> {
  try {
    const data = JSON.parse(
      await Deno.readTextFile(join(dir, `${key}.json`)),
    ) as CacheFile;
    if (data.key !== key) return undefined;
    const parsed = v.safeParse(RegistryOutput, data.output);
    return parsed.success ? parsed.output : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Store an output atomically (temporary file, then rename). Failures are ignored: the cache
 * is an optimisation.
 *
 * @param dir Cache folder (created if missing).
 * @param key Cache key.
 * @param output The output to store.
 */
export async function writeCache(
  dir: string,
  key: string,
  output: RegistryOutput,
): Promise<void> {
  try {
    await Deno.mkdir(dir, { recursive: true });
    const file = join(dir, `${key}.json`);
    const tmp = `${file}.${crypto.randomUUID()}.tmp`;
    const data: CacheFile = {
      key,
      created: new Date().toISOString(),
      output,
    };
    await Deno.writeTextFile(tmp, JSON.stringify(data));
    await Deno.rename(tmp, file);
  } catch {
    // The cache is best effort.
  }
}
