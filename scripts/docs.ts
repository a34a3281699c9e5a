/**
 * Writes HTML API docs for every workspace package (the pages JSR shows) under `docs/`.
 *
 * Usage: `deno task docs [--output DIR]`
 *
 * @module
 */
import { join } from "node:path";
import { members, ROOT } from "./_workspace.ts";

const i = Deno.args.indexOf("--output");
const output = i >= 0 && Deno.args[i + 1]
  ? Deno.args[i + 1]!
  : join(ROOT, "docs");
// `deno doc --html` does not create missing parent folders.
await Deno.mkdir(output, { recursive: true });
for (const m of await members()) {
  const dest = join(output, m.name.replace("/", "__"));
  const { code } = await new Deno.Command(Deno.execPath(), {
    args: [
      "doc",
      "--html",
      `--name=${m.name}`,
      `--output=${dest}`,
      ...m.entries,
    ],
    cwd: ROOT,
    stdout: "null",
    stderr: "inherit",
  }).output();
  if (code !== 0) Deno.exit(code);
  console.log(`${m.name}: ${join(dest, "index.html")}`);
}
