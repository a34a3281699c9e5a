import assert from "node:assert/strict";
import { join } from "node:path";
import { RUNNER_FLAGS } from "@wt/compiler";
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
  const commandOf = (name: string): string => {
    const task = config.tasks?.[name];
    return String(
      typeof task === "object" && task !== null ? task.command : task,
    );
  };
  for (const name of ["runner", "compile:runner"]) {
    const task = commandOf(name);
    assert.notEqual(task, "undefined", `root deno.json has task ${name}`);
    assert.deepEqual(flagsOf(task), [...RUNNER_PERMISSION_FLAGS], name);
    assert.match(task, /runner\/main\.ts$/);
  }
  assert.match(commandOf("runner"), /^deno run /);
  assert.match(
    commandOf("compile:runner"),
    /^deno compile .*--include runner\/ui\/dist\/client\.js .*--output \S+/,
  );
  assert.deepEqual(
    config.tasks["compile:runner"].dependencies,
    ["build:ui"],
    "the binary embeds the UI bundle, so it is built first",
  );
  assert.ok(
    !RUNNER_PERMISSION_FLAGS.some((f) => f === "-A" || f === "--allow-all"),
  );
  assert.ok(!RUNNER_PERMISSION_FLAGS.some((f) => f.startsWith("--allow-ffi")));
});

Deno.test("generated Dockerfiles run the runner with exactly RUNNER_PERMISSION_FLAGS", () => {
  assert.deepEqual([...RUNNER_FLAGS], [...RUNNER_PERMISSION_FLAGS]);
});
