/**
 * Find and signal every process a child started (Linux `/proc`; process groups elsewhere).
 *
 * Deno lets only `--allow-all` read `/proc/<pid>/…`; a process with `--allow-run` but
 * not `--allow-all` (the runner) reads those files through `cat` instead.
 *
 * @module
 */

/** Whether reading `/proc/<pid>` directly was refused once (then `cat` reads it). */
let throughCat = false;

function refused(e: unknown): boolean {
  return e instanceof Deno.errors.PermissionDenied ||
    (e instanceof Error && e.name === "NotCapable");
}

/** What `cat` printed, `undefined` when it failed (no such file). */
function fromCat(out: Deno.CommandOutput): string | undefined {
  return out.success ? new TextDecoder().decode(out.stdout) : undefined;
}

const CAT = { stdin: "null", stdout: "piped", stderr: "null" } as const;

/**
 * A `/proc` file's text, `undefined` when it does not exist.
 *
 * @throws When it can be read neither directly nor through `cat`.
 */
export async function readProc(path: string): Promise<string | undefined> {
  if (!throughCat) {
    try {
      return await Deno.readTextFile(path);
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) return undefined;
      if (!refused(e)) throw e;
      throughCat = true;
    }
  }
  return fromCat(
    await new Deno.Command("cat", { args: [path], ...CAT }).output(),
  );
}

/** The children of `pid`, from `/proc/<pid>/task/<tid>/children` of each thread. */
async function children(pid: number): Promise<number[]> {
  let text = "";
  if (!throughCat) {
    try {
      for await (const e of Deno.readDir(`/proc/${pid}/task`)) {
        text += " " +
          (await readProc(`/proc/${pid}/task/${e.name}/children`) ?? "");
      }
    } catch (e) {
      if (!refused(e)) return [];
      throughCat = true;
    }
  }
  if (throughCat) {
    try {
      const out = await new Deno.Command("sh", {
        args: [
          "-c",
          'for f in /proc/"$1"/task/*/children; do cat "$f" && echo; done',
          "sh",
          String(pid),
        ],
        ...CAT,
      }).output();
      text = new TextDecoder().decode(out.stdout);
    } catch {
      return [];
    }
  }
  return text.split(/\s+/).filter((w) => /^[0-9]+$/.test(w)).map(Number);
}

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
    for (const child of await children(current)) {
      if (!seen.has(child)) {
        seen.add(child);
        found.push(child);
        queue.push(child);
      }
    }
  }
  return found;
}

/**
 * The fields of a `/proc/<pid>/stat` line from field 3 (state) on: field 2, the command name,
 * is in parentheses and may hold spaces, so they are counted after its last `)`.
 */
export function statFields(stat: string): string[] {
  return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
}

/** Whether a pid names a live (not zombie) process. */
export async function isAlive(pid: number): Promise<boolean> {
  let stat: string | undefined;
  try {
    stat = await readProc(`/proc/${pid}/stat`);
  } catch {
    // No way to tell (no /proc, or neither read nor run permitted): assume alive.
    return true;
  }
  if (stat === undefined) return false;
  const state = statFields(stat)[0];
  return state !== "Z" && state !== "X";
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
