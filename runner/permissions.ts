/**
 * The permission flags the runner runs with: one list, used by the `runner` and
 * `compile:runner` tasks (a test checks that the root `deno.json` tasks carry exactly these)
 * and by the tests that start the runner as a subprocess.
 *
 * Why each flag:
 * - `--allow-net`: serve HTTP on the chosen address; fetch `gs://` results and export traces
 *   when configured.
 * - `--allow-read`, `--allow-write`: the `--workflows` and `--data` folders (given at run time,
 *   so they cannot be listed here), run logs and results, the SQLite database, the trace file.
 * - `--allow-env`: `WT_RUNNER_TOKEN`, and the variables handed to workflow processes
 *   (`PATH`, `HOME`, `DENO_DIR`, …).
 * - `--allow-run`: start `deno task … workflow` for each run, and stop a run's whole process
 *   tree on timeout or cancel (`Deno.kill` on a process group needs unrestricted run access);
 *   read `/proc/<pid>` through `cat` (Deno lets only `--allow-all` read it directly) to find
 *   a run's descendants and, after a crash, the processes a killed runner left behind.
 *
 * Never `-A`: no FFI, no `sys`, no `import` of remote code at run time.
 *
 * @module
 */

/**
 * The runner's permission flags, in the order the tasks list them.
 *
 * @example
 * ```ts
 * import { RUNNER_PERMISSION_FLAGS } from "@wt/runner/permissions";
 *
 * console.assert(!RUNNER_PERMISSION_FLAGS.includes("-A"));
 * ```
 */
export const RUNNER_PERMISSION_FLAGS: readonly string[] = Object.freeze([
  "--allow-net",
  "--allow-read",
  "--allow-write",
  "--allow-env",
  "--allow-run",
]);
