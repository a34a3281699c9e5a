import assert from "node:assert/strict";
import { processStartTime, stopProcessTree } from "./mod.ts";

const HAS_PROC = await processStartTime(Deno.pid) !== undefined;

function state(pid: number): string | undefined {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[0];
  } catch {
    return undefined;
  }
}

/** Run `body` with a detached child (its own process group); kill and reap it after. */
async function withDetached(
  command: string,
  args: string[],
  body: (child: Deno.ChildProcess) => Promise<void>,
): Promise<void> {
  const child = new Deno.Command(command, {
    args,
    detached: true,
    stdout: "null",
    stderr: "null",
  }).spawn();
  try {
    await body(child);
  } finally {
    try {
      child.kill("SIGKILL");
    } catch {
      // stopped already
    }
    await child.status;
  }
}

Deno.test("processStartTime: field 22 of /proc/<pid>/stat", async () => {
  await assert.rejects(() => processStartTime(0), RangeError);
  await assert.rejects(() => processStartTime(1.5), RangeError);
  if (!HAS_PROC) return;
  const mine = (await processStartTime(Deno.pid))!;
  assert.ok(Number.isSafeInteger(mine) && mine > 0);
  assert.equal(await processStartTime(Deno.pid), mine, "stable for a process");
  assert.ok(
    mine >= (await processStartTime(1))!,
    "this process started after init",
  );
  // pid_max is at most 2^22: this pid never exists.
  assert.equal(await processStartTime(2 ** 23), undefined);
});

Deno.test({
  name:
    "stopProcessTree: a pid whose start time differs is not signalled; the right one is",
  ignore: !HAS_PROC,
  fn: () =>
    withDetached("sleep", ["30"], async (child) => {
      const start = (await processStartTime(child.pid))!;
      assert.equal(
        await stopProcessTree(child.pid, start + 1, { graceMs: 200 }),
        "pid_reused",
      );
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(state(child.pid) !== "Z", true, "still running");
      assert.equal(
        await stopProcessTree(child.pid, start, { graceMs: 2000 }),
        "stopped",
      );
      assert.equal((await child.status).signal, "SIGTERM");
      assert.equal(
        await stopProcessTree(child.pid, start),
        "not_running",
        "a reaped process is not running",
      );
    }),
});

Deno.test({
  name:
    "stopProcessTree: the whole tree, SIGKILL after the grace period when SIGTERM is ignored",
  ignore: !HAS_PROC,
  fn: () =>
    // sh and its sleep both ignore SIGTERM (an ignored signal stays ignored across exec).
    withDetached(
      "sh",
      ["-c", "trap '' TERM; sleep 30 & sleep 30; wait"],
      async (child) => {
        const start = (await processStartTime(child.pid))!;
        let kids: number[] = [];
        const end = Date.now() + 5000;
        while (kids.length < 2 && Date.now() < end) {
          await new Promise((r) => setTimeout(r, 50));
          kids = Deno.readTextFileSync(
            `/proc/${child.pid}/task/${child.pid}/children`,
          ).trim().split(/\s+/).filter(Boolean).map(Number);
        }
        assert.equal(kids.length, 2, "sh started two sleeps");
        const t0 = Date.now();
        assert.equal(
          await stopProcessTree(child.pid, start, { graceMs: 300 }),
          "stopped",
        );
        assert.ok(Date.now() - t0 >= 300, "waited for the grace period");
        assert.equal((await child.status).signal, "SIGKILL");
        for (const kid of kids) {
          const s = state(kid);
          assert.ok(
            s === undefined || s === "Z",
            `sleep ${kid} is gone (${s})`,
          );
        }
      },
    ),
});
