import assert from "node:assert/strict";
import { join } from "node:path";
import { RUNNER_PERMISSION_FLAGS } from "./permissions.ts";
import { RUNNER_DIR } from "./testdata/helpers.ts";

Deno.test("root tasks runner and compile:runner use exactly RUNNER_PERMISSION_FLAGS", async () => {
  const config = JSON.parse(
    await Deno.readTextFile(join(RUNNER_DIR, "..", "deno.json")),
  );
  const flagsOf = (task: string) =>
    task.split(/\s+/).filter((w) =>
      w.startsWith("--allow-") || w.startsWith("-A") || w === "--allow-all"
    );
  for (const name of ["runner", "compile:runner"]) {
    const task = config.tasks?.[name];
    assert.equal(typeof task, "string", `root deno.json has task ${name}`);
    assert.deepEqual(flagsOf(task), [...RUNNER_PERMISSION_FLAGS], name);
    assert.match(task, /runner\/main\.ts$/);
  }
  assert.match(config.tasks["runner"], /^deno run /);
  assert.match(config.tasks["compile:runner"], /^deno compile .*--output \S+/);
  assert.ok(
    !RUNNER_PERMISSION_FLAGS.some((f) => f === "-A" || f === "--allow-all"),
  );
  assert.ok(!RUNNER_PERMISSION_FLAGS.some((f) => f.startsWith("--allow-ffi")));
});
