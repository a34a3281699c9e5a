/**
 * `deno task demo`: compile the `chaining-tasks` example with `--link` (every `@wt/*`
 * package from this checkout, so no JSR access is needed), run it with
 * `{"total":{"a":3,"b":3}}` and print the result (12).
 *
 * @module
 */
import { join } from "node:path";
import { ROOT } from "./_workspace.ts";

async function run(
  args: string[],
  env: Record<string, string> = {},
  cwd = ROOT,
): Promise<void> {
  const out = await new Deno.Command(Deno.execPath(), {
    args,
    cwd,
    env,
    stdin: "null",
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  if (!out.success) {
    throw new Error(`deno ${args.join(" ")} failed with exit code ${out.code}`);
  }
}

const work = await Deno.makeTempDir({ prefix: "wt-demo-" });
try {
  const spec = join(ROOT, "examples", "chaining-tasks", "spec.yaml");
  const config = '{"total":{"a":3,"b":3}}';
  console.log(`compiling ${spec} into ${work}`);
  await run([
    "run",
    "-A",
    join(ROOT, "compiler", "mod.ts"),
    "compile",
    spec,
    "--out-dir",
    work,
    "--link",
    ROOT,
  ]);
  const release = join(work, "wt-chaining-tasks-workflow");
  const results = join(work, "results");
  console.log(`running: deno task workflow run --config-json '${config}'`);
  await run(
    [
      "task",
      "--quiet",
      "--cwd",
      release,
      "workflow",
      "run",
      "--config-json",
      config,
    ],
    { WT_RESULTS: `file://${results}` },
  );
  const response = JSON.parse(
    await Deno.readTextFile(join(results, "result.json")),
  );
  console.log(`result.json: ${JSON.stringify(response)}`);
  console.log(`result: ${JSON.stringify(response.result)}`);
} finally {
  await Deno.remove(work, { recursive: true });
}
