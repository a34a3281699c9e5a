/**
 * Recognise a run's process after its launcher is gone, and stop it with everything it
 * started: {@linkcode processStartTime} reads the start time that, together with the pid,
 * identifies a process for its whole life; {@linkcode stopProcessTree} stops a process
 * tree only when the pid still names that same process. A runner that was killed uses them
 * at its next start to stop the workflow processes it had launched (Linux `/proc` only;
 * elsewhere no start time is known and nothing is stopped).
 *
 * @module
 */
import {
  descendants,
  isAlive,
  readProc,
  signalAll,
  statFields,
} from "./_process_tree.ts";

/**
 * The start time of a process: field 22 (`starttime`, clock ticks after boot) of
 * `/proc/<pid>/stat`. A pid is reused once its process is gone; the pair (pid, start time)
 * is not, so record both to recognise the process later.
 * Deno lets only `--allow-all` read `/proc/<pid>` directly; without it the file is read
 * through `cat`, which needs `--allow-run`.
 *
 * @param pid Process id.
 * @returns The start time, or `undefined` when there is no such process or no `/proc`.
 * @throws {RangeError} When `pid` is not a positive integer.
 *
 * @example
 * ```ts
 * import { processStartTime } from "@wt/invokers";
 *
 * const start = await processStartTime(Deno.pid);
 * console.assert(start === undefined || Number.isInteger(start));
 * ```
 */
export async function processStartTime(
  pid: number,
): Promise<number | undefined> {
  if (!Number.isInteger(pid) || pid <= 0) {
    throw new RangeError(`pid must be a positive integer, got ${pid}`);
  }
  let stat: string | undefined;
  try {
    stat = await readProc(`/proc/${pid}/stat`);
  } catch {
    return undefined;
  }
  if (stat === undefined) return undefined;
  const start = Number(statFields(stat)[22 - 3]);
  return Number.isSafeInteger(start) ? start : undefined;
}

/** Options of {@linkcode stopProcessTree}. */
export interface StopProcessTreeOptions {
  /** Time between SIGTERM and SIGKILL (ms, default 2000). */
  graceMs?: number | undefined;
  /** How long to wait for the processes to be gone after SIGKILL (ms, default 10 000). */
  killWaitMs?: number | undefined;
}

/**
 * What {@linkcode stopProcessTree} did: `stopped` (the process and its tree were signalled
 * and are gone), `not_running` (no such live process: nothing signalled), `pid_reused`
 * (the pid names another process now: nothing signalled), `survived` (signalled, but
 * something was still alive after SIGKILL).
 */
export type StopProcessTreeOutcome =
  | "stopped"
  | "not_running"
  | "pid_reused"
  | "survived";

const POLL_MS = 50;

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

async function anyAlive(pids: readonly number[]): Promise<boolean> {
  for (const pid of pids) if (await isAlive(pid)) return true;
  return false;
}

async function waitGone(pids: readonly number[], ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (await anyAlive(pids)) {
    if (Date.now() >= end) return false;
    await sleep(POLL_MS);
  }
  return true;
}

/**
 * Stop a process, its process group and all its descendants (SIGTERM, then SIGKILL after
 * the grace period), but only when `pid` still names the process that started at
 * `startTime` (see {@linkcode processStartTime}): a recycled pid is never signalled. Works
 * for processes that are not children of this one (it polls `/proc` instead of waiting);
 * a zombie counts as gone. Meant for a process started with `detached: true` (its own
 * process group), as {@linkcode LocalInvoker} starts workflow runs. Needs `--allow-run`
 * (signals, and `cat`/`sh` to read `/proc` when the process lacks `--allow-all`).
 *
 * @param pid Process id (the group leader).
 * @param startTime Its start time, as recorded when it was started.
 * @param options Grace period and wait after SIGKILL.
 * @returns What happened.
 * @throws {RangeError} When `pid` is not an integer above 1, or is this process.
 *
 * @example Stop a process that was recorded earlier
 * ```ts
 * import { processStartTime, stopProcessTree } from "@wt/invokers";
 *
 * const child = new Deno.Command("sleep", { args: ["30"], detached: true }).spawn();
 * const start = await processStartTime(child.pid);
 * if (start !== undefined) {
 *   console.log(await stopProcessTree(child.pid, start, { graceMs: 500 })); // "stopped"
 * }
 * await child.status;
 * ```
 */
export async function stopProcessTree(
  pid: number,
  startTime: number,
  options: StopProcessTreeOptions = {},
): Promise<StopProcessTreeOutcome> {
  if (!Number.isInteger(pid) || pid <= 1 || pid === Deno.pid) {
    throw new RangeError(
      `pid must be an integer above 1 and not this process, got ${pid}`,
    );
  }
  const current = await processStartTime(pid);
  if (current === undefined) return "not_running";
  if (current !== startTime) return "pid_reused";
  if (!await isAlive(pid)) return "not_running";
  // Descendants with their own start times, so that a pid reused during the grace period
  // is not killed.
  const known = new Map<number, number | undefined>();
  const collect = async () => {
    for (const d of await descendants(pid)) {
      if (!known.has(d)) known.set(d, await processStartTime(d));
    }
  };
  const ours = async () => {
    const still: number[] = [];
    for (const [d, s] of known) {
      if (s !== undefined && await processStartTime(d) === s) still.push(d);
    }
    return still;
  };
  // The group may be signalled while its leader is ours, or gone (a pid is not reused while
  // a process group of that id has members).
  const group = async () => {
    const now = await processStartTime(pid);
    return now === undefined || now === startTime;
  };
  await collect();
  signalAll(pid, [pid, ...await ours()], "SIGTERM");
  if (await waitGone([pid, ...await ours()], options.graceMs ?? 2000)) {
    return "stopped";
  }
  // Whatever survived SIGTERM (or was started meanwhile) gets SIGKILL.
  const leader = await group();
  if (leader) await collect();
  const late = await ours();
  if (leader) signalAll(pid, [pid, ...late], "SIGKILL");
  else {
    // The pid names another process now: its process group is not ours to signal.
    for (const d of late) {
      try {
        Deno.kill(d, "SIGKILL");
      } catch {
        // gone already
      }
    }
  }
  const gone = await waitGone(
    leader ? [pid, ...late] : late,
    options.killWaitMs ?? 10_000,
  );
  return gone ? "stopped" : "survived";
}
