// Resolving the module specifiers given to the registry CLI: what to import, and the
// public module path under which generated code will import the tasks.
import { ModuleImportError } from "./errors.ts";

/** A Windows path with a drive letter (`C:\\…` or `C:/…`). */
const DRIVE_PATH = /^[A-Za-z]:[\\/]/;

/** Whether a specifier is a file path (or `file:` URL) rather than a package specifier. */
export function isPath(specifier: string): boolean {
  return specifier.startsWith("./") || specifier.startsWith("../") ||
    specifier.startsWith("/") || specifier.startsWith("file:") ||
    specifier === "." || specifier === ".." ||
    DRIVE_PATH.test(specifier) || specifier.startsWith(".\\") ||
    specifier.startsWith("..\\");
}

/** The `file:` URL of an absolute path (POSIX, or Windows with a drive letter). */
function fileUrl(path: string): URL {
  const p = path.replaceAll("\\", "/");
  return new URL("file://" + encodeURI(DRIVE_PATH.test(p) ? "/" + p : p));
}

function toDirUrl(dir: string): URL {
  if (dir.startsWith("file:")) {
    return new URL(dir.endsWith("/") ? dir : dir + "/");
  }
  return fileUrl(/[\\/]$/.test(dir) ? dir : dir + "/");
}

function workingDir(cwd: string | undefined, specifier: string): URL {
  if (cwd !== undefined) return toDirUrl(cwd);
  try {
    return toDirUrl(Deno.cwd());
  } catch (e) {
    throw new ModuleImportError(
      specifier,
      new Error(
        `cannot resolve a relative path without access to the working directory ` +
          `(${
            e instanceof Error ? e.message : String(e)
          }); pass an absolute path`,
      ),
    );
  }
}

/** The URL to import for a specifier: file URL for paths, the specifier otherwise. */
export function importTarget(
  specifier: string,
  cwd: string | undefined,
): string {
  if (!isPath(specifier)) return specifier;
  if (specifier.startsWith("file:")) return new URL(specifier).href;
  if (specifier.startsWith("/") || DRIVE_PATH.test(specifier)) {
    return fileUrl(specifier).href;
  }
  return new URL(
    encodeURI(specifier.replaceAll("\\", "/")),
    workingDir(cwd, specifier),
  ).href;
}

async function readConfig(
  dir: URL,
): Promise<Record<string, unknown> | undefined> {
  for (const file of ["deno.json", "deno.jsonc"]) {
    let text: string;
    try {
      text = await Deno.readTextFile(new URL(file, dir));
    } catch {
      continue;
    }
    try {
      const body = file.endsWith("c")
        ? text.replace(/^\s*\/\/.*$/gm, "").replace(/\/\*[\s\S]*?\*\//g, "")
        : text;
      const parsed = JSON.parse(body);
      return typeof parsed === "object" && parsed !== null ? parsed : {};
    } catch {
      return {};
    }
  }
  return undefined;
}

/**
 * The public module path of a path specifier: the package name (plus subpath) when the
 * nearest `deno.json` names a package that exports this file, the path as given otherwise.
 */
export async function publicModulePath(
  specifier: string,
  target: string,
): Promise<string> {
  if (!isPath(specifier)) return specifier;
  const file = new URL(target);
  let dir = new URL(".", file);
  for (let depth = 0; depth < 64; depth++) {
    const config = await readConfig(dir);
    if (config !== undefined) {
      const name = config["name"];
      if (typeof name !== "string" || name === "") return specifier;
      const raw = config["exports"];
      const exports: Record<string, unknown> = typeof raw === "string"
        ? { ".": raw }
        : raw && typeof raw === "object"
        ? raw as Record<string, unknown>
        : {};
      for (const [key, path] of Object.entries(exports)) {
        if (typeof path !== "string") continue;
        if (new URL(path, dir).href !== file.href) continue;
        return key === "." ? name : `${name}/${key.replace(/^\.\//, "")}`;
      }
      return specifier;
    }
    const parent = new URL("..", dir);
    if (parent.href === dir.href) break;
    dir = parent;
  }
  return specifier;
}
