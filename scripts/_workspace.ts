/**
 * Reads the workspace layout: members, their config files and exported entry points.
 *
 * @module
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** Repository root (the folder of the root `deno.json`). */
export const ROOT: string = join(dirname(fileURLToPath(import.meta.url)), "..");

/** One workspace member as its `deno.json` describes it. */
export interface Member {
  /** Folder relative to the root, without `./`. */
  dir: string;
  /** Package name, e.g. `@wt/task`. */
  name: string;
  /** Package version. */
  version: string;
  /** Path of the member's `deno.json`. */
  configPath: string;
  /** The text of the member's `deno.json`. */
  configText: string;
  /** The parsed `deno.json`. */
  config: Record<string, unknown>;
  /** Exported entry points as paths relative to the root. */
  entries: string[];
}

/**
 * List the workspace members.
 *
 * @param root The workspace root folder (default: this repository's).
 * @returns Every member of the root `deno.json` workspace, in declaration order.
 */
export async function members(root: string = ROOT): Promise<Member[]> {
  const rootConfig = JSON.parse(
    await Deno.readTextFile(join(root, "deno.json")),
  );
  const out: Member[] = [];
  for (const raw of (rootConfig.workspace ?? []) as string[]) {
    const dir = raw.replace(/^\.\//, "").replace(/\/$/, "");
    const configPath = join(root, dir, "deno.json");
    const configText = await Deno.readTextFile(configPath);
    const config = JSON.parse(configText);
    const exp = config.exports;
    const paths: string[] = typeof exp === "string"
      ? [exp]
      : Object.values(exp ?? {});
    out.push({
      dir,
      name: String(config.name ?? ""),
      version: String(config.version ?? ""),
      configPath,
      configText,
      config,
      entries: paths.map((p) => join(dir, p)),
    });
  }
  return out;
}
