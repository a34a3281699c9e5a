/**
 * Where the time of one compilation goes: runs `compile()` once in a fresh process and prints
 * `{"phases": {name: ms}}` (the phases of `CompileOptions.onProgress`, plus `load`: from
 * process start to the first phase, i.e. loading the compiler's modules).
 *
 * ```sh
 * deno run -A scripts/bench/compile_phases.ts SPEC OUT_DIR [--link ROOT]
 * ```
 *
 * @module
 */
import { compile } from "../../compiler/compile.ts";

const [spec, outDir] = Deno.args;
if (!spec || !outDir) {
  console.error("usage: compile_phases.ts SPEC OUT_DIR [--link ROOT]");
  Deno.exit(2);
}
const at = Deno.args.indexOf("--link");
const link = at >= 0 ? Deno.args[at + 1] : undefined;
const phases: Record<string, number> = {
  load: performance.now(), // ms since the process started
};
let current = "";
let last = performance.now();
const close = () => {
  const now = performance.now();
  if (current) phases[current] = (phases[current] ?? 0) + now - last;
  last = now;
};
await compile(spec, {
  outDir,
  link,
  onProgress: (phase) => {
    close();
    current = phase;
  },
});
close();
console.log(JSON.stringify({ phases }));
