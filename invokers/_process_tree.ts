/**
 * Find and signal every process a child started (Linux `/proc`; process groups elsewhere).
 *
 * @module
 */

/**
 * The pids of all descendants of `pid` (children, grandchildren, …) as listed by
 * `/proc/<pid>/task/<tid>/children`. Empty where `/proc` is unavailable.
 */
export async function descendants(pid: number): Promise<number[]> {
  const found: number[] = [];
  const queue = [pid];
  const seen = new Set<number>([pid]);
  while (queue.length > 0) {
    const current = queue.shift()!;
    let tids: string[] = [];
    try {
      for await (const e of Deno.readDir(`/proc/${current}/task`)) {
        tids.push(e.name);
      }
    } catch {
      tids = [];
    }
    for (const tid of tids) {
      let text = "";
      try {
        text = await Deno.readTextFile(`/proc/${current}/task/${tid}/children`);
      } catch {
        continue;
      }
      for (const word of text.split(/\s+/)) {
        const child = Number(word);
        if (word && Number.isInteger(child) && !seen.has(child)) {
          seen.add(child);
          found.push(child);
          queue.push(child);
        }
      }
    }
  }
  return found;
}

/** Whether a pid names a live (not zombie) process. */
export async function isAlive(pid: number): Promise<boolean> {
  try {
    const stat = await Deno.readTextFile(`/proc/${pid}/stat`);
    const state = stat.slice(
      stat.lastIndexOf(")") + 2,
      stat.lastIndexOf(")") + 3,
    );
    return state !== "Z" && state !== "X";
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    // No /proc (not Linux): fall back to signal 0 semantics are unavailable in Deno; assume alive.
    return true;
  }
}

/** Send a signal to a process group and to listed pids, ignoring processes already gone. */
export function signalAll(
  groupLeader: number,
  pids: readonly number[],
  signal: Deno.Signal,
): void {
  try {
    Deno.kill(-groupLeader, signal);
  } catch {
    // Group already empty, or process groups unsupported on this platform.
  }
  for (const pid of pids) {
    try {
      Deno.kill(pid, signal);
    } catch {
      // Already gone.
    }
  }
}
