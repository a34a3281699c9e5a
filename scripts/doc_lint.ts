/**
 * Runs `deno doc --lint` on every exported entry point of every workspace member.
 *
 * Problems located inside third-party type declarations (the npm cache) cannot be fixed
 * here: valibot keeps a few helper types private. They are listed but do not fail the check;
 * every problem in this repository's files does.
 *
 * @module
 */
import { members, ROOT } from "./_workspace.ts";

const entries = (await members()).flatMap((m) => m.entries);
const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
  args: ["doc", "--lint", ...entries],
  cwd: ROOT,
  env: { NO_COLOR: "1" },
}).output();
const text = new TextDecoder().decode(stdout) +
  new TextDecoder().decode(stderr);
const blocks = text.split(/\n(?=error\[)/).filter((b) =>
  b.startsWith("error[")
);
const ours = blocks.filter((b) => {
  const at = /-->\s+(\S+)/.exec(b)?.[1] ?? "";
  return !at.includes("/npm/registry.npmjs.org/") &&
    !at.includes("/node_modules/");
});
if (ours.length > 0 || (code !== 0 && blocks.length === 0)) {
  console.error(ours.length ? ours.join("\n") : text);
  console.error(`doc lint: ${ours.length} problem(s) in this repository`);
  Deno.exit(1);
}
const foreign = blocks.length - ours.length;
console.log(
  `doc lint: ${entries.length} entry points clean` +
    (foreign
      ? ` (${foreign} note(s) about third-party declarations ignored)`
      : ""),
);
