/**
 * A stand-in for a compiled workflow's CLI, used by the invoker tests. It accepts
 * `run --config-json JSON | --config-file FILE --execution-mode M [--mock-io]` and writes
 * `result.json` into the folder named by the results URL variable. The config selects a
 * behaviour:
 * - `{"add": {"a": 1, "b": 2}}`: result 3.
 * - `{"fail": "message"}`: a task failure, captured in result.json; exit 1.
 * - `{"crash": 3}`: exit 3 without writing result.json (prints to stderr first).
 * - `{"sleep_ms": 500}`: sleep first (then any other behaviour), else result "slept".
 * - `{"grandchild": true}`: start `sleep 1000`, write its pid to `grandchild.pid` in the
 *   results folder, then wait forever. `"detached"` instead of `true` starts it in a new
 *   session (outside the run's process group).
 * - `{"leave_behind": true}`: start `sleep 1000` in a new session sharing our stdout and
 *   stderr, write its pid to `leftover.pid`, succeed and exit.
 * - `{"echo": true}`: result = {argv, env (selected variables), cwd}.
 * - `{"print": "text"}`: print the text on stdout and on stderr, result "printed".
 * `{"results_var": "NAME"}` reads the results URL from NAME instead of WT_RESULTS.
 *
 * @module
 */
const argv = [...Deno.args];
if (argv[0] !== "run") {
  console.error(
    `usage: cli.ts run --config-json JSON ...; got ${argv.join(" ")}`,
  );
  Deno.exit(2);
}
let configText: string | undefined;
let mode = "sequential";
let mockIo = false;
for (let i = 1; i < argv.length; i++) {
  const a = argv[i];
  if (a === "--config-json") configText = argv[++i];
  else if (a === "--config-file") {
    configText = Deno.readTextFileSync(argv[++i]!);
  } else if (a === "--execution-mode") mode = argv[++i] ?? "";
  else if (a === "--mock-io") mockIo = true;
  else {
    console.error(`unknown argument ${a}`);
    Deno.exit(2);
  }
}
const config = JSON.parse(configText ?? "{}");
const varName: string = config.results_var ?? "WT_RESULTS";
const resultsUrl = Deno.env.get(varName);
if (!resultsUrl) {
  console.error(`${varName} is not set`);
  Deno.exit(2);
}
const dir = new URL(resultsUrl).pathname.replace(/\/+$/, "");
Deno.mkdirSync(dir, { recursive: true });
const write = (result: unknown, error: string | null, trace: string | null) =>
  Deno.writeTextFileSync(
    `${dir}/result.json`,
    JSON.stringify({ result, error, trace }),
  );

if (config.sleep_ms !== undefined) {
  await new Promise((r) => setTimeout(r, config.sleep_ms));
}
if (config.add) {
  write(config.add.a + config.add.b, null, null);
} else if (config.fail) {
  write(
    null,
    config.fail,
    `TaskInstanceError: task instance "boom" failed\n  at boom`,
  );
  Deno.exit(1);
} else if (config.crash !== undefined) {
  console.error(`crashing with code ${config.crash}`);
  Deno.exit(config.crash);
} else if (config.sleep_ms !== undefined) {
  write("slept", null, null);
} else if (config.grandchild) {
  // `detached` puts the grandchild in a session of its own: out of the run's process group.
  const child = new Deno.Command("sleep", {
    args: ["1000"],
    detached: config.grandchild === "detached",
  }).spawn();
  Deno.writeTextFileSync(`${dir}/grandchild.pid`, String(child.pid));
  await child.status;
} else if (config.leave_behind) {
  // A background process in its own session that keeps stdout/stderr open after we exit.
  const child = new Deno.Command("sleep", { args: ["1000"], detached: true })
    .spawn();
  child.unref();
  Deno.writeTextFileSync(`${dir}/leftover.pid`, String(child.pid));
  write("left", null, null);
  Deno.exit(0);
} else if (config.echo) {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(Deno.env.toObject())) {
    if (
      k.startsWith("WT_") || k.startsWith("TRACE") || k.startsWith("MY_") ||
      k === "SECRET_TOKEN" || k === "PATH" || k === "HOME" ||
      k === "DENO_DIR" || k === "LEAK_ME"
    ) env[k] = v;
  }
  write({ argv, env, mode, mockIo, cwd: Deno.cwd() }, null, null);
} else if (config.print) {
  console.log(`out: ${config.print}`);
  console.error(`err: ${config.print}`);
  write("printed", null, null);
} else {
  write({ mode, mockIo }, null, null);
}
