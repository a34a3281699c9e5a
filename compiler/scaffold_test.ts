/**
 * `wt-compiler scaffold`: batch mode writes a project that checks, compiles (with `--link`)
 * and runs to its test case's result; refusals (non-empty folder, bad id, unknown task) write
 * nothing; interactive mode through injected prompts and through a real pseudo-terminal.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse as parseYaml } from "yaml";
import { validate } from "@wt/contracts";
import { type DenoRun, runDeno, runWorkflowCli, testEnv } from "./testing.ts";
import {
  buildProgram,
  type CliContext,
  type CliIO,
  denoIO,
  runCli,
} from "./cli.ts";
import {
  makeScaffoldCommand,
  type PromptOption,
  type ScaffoldPrompter,
} from "./_cli_scaffold.ts";
import {
  EXAMPLE_LIBRARY_NAME,
  pathFrom,
  planScaffold,
  ScaffoldError,
} from "./scaffold.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const DEC = new TextDecoder();
const FILES = [".gitignore", "README.md", "spec.yaml", "test-cases.yaml"];

/** `deno <args>` in a clean environment, from the repository root by default. */
const deno = (
  args: string[],
  env: Record<string, string> = {},
  cwd = ROOT,
): Promise<DenoRun> => runDeno(args, { cwd, env });

function captureIO(): CliIO & { out: () => string; err: () => string } {
  let out = "";
  let err = "";
  return {
    stdout: (s) => {
      out += s;
    },
    stderr: (s) => {
      err += s;
    },
    readTextFile: (p) => Deno.readTextFile(p),
    discover: denoIO.discover,
    out: () => out,
    err: () => err,
  };
}

async function list(dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const e of Deno.readDir(dir)) names.push(e.name);
  return names.sort();
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch {
    return false;
  }
}

let registryFile: string | undefined;
/** The example library's RegistryOutput, from the registry CLI (once per run). */
async function exampleRegistry(tmp: string): Promise<string> {
  if (registryFile && await exists(registryFile)) return registryFile;
  const r = await deno([
    "run",
    "--allow-read",
    "registry/cli.ts",
    "--package",
    "./examples/custom-tasks/mod.ts",
  ]);
  assert.equal(r.code, 0, r.stderr);
  registryFile = join(tmp, "registry.json");
  await Deno.writeTextFile(registryFile, r.stdout);
  return registryFile;
}

interface TestCases {
  [key: string]: { params: Record<string, unknown>; expected?: unknown };
}

Deno.test("scaffold, batch mode", async (t) => {
  const tmp = await Deno.makeTempDir({ prefix: "wt-scaffold-" });
  try {
    const dir = join(tmp, "my-flow");

    await t.step("writes the four files, nothing else", async () => {
      const io = captureIO();
      const code = await runCli(["scaffold", dir, "--id", "my_flow"], io);
      assert.equal(code, 0, io.err());
      assert.deepEqual(await list(dir), FILES);
      assert.deepEqual(await list(tmp), ["my-flow"], "no temporary sibling");
      const spec = await Deno.readTextFile(join(dir, "spec.yaml"));
      assert.match(spec, /^id: my_flow$/m);
      assert.match(spec, new RegExp(`name: "${EXAMPLE_LIBRARY_NAME}"`));
      assert.match(spec, /task: add$/m);
      const gitignore = await Deno.readTextFile(join(dir, ".gitignore"));
      assert.match(gitignore, /^\/wt-my-flow-workflow\/$/m);
      const readme = await Deno.readTextFile(join(dir, "README.md"));
      for (
        const step of [
          "wt-compiler check spec.yaml",
          "wt-compiler spec.yaml",
          "deno task workflow run",
          "deno task test",
        ]
      ) {
        assert.ok(readme.includes(step), `README names ${step}`);
      }
      assert.match(io.err(), /wrote .*my-flow/);
      assert.match(io.err(), /task names were not checked/);
    });

    await t.step("the spec passes check (discovery with --link)", async () => {
      const io = captureIO();
      const code = await runCli(
        ["check", join(dir, "spec.yaml"), "--link", ROOT],
        io,
      );
      assert.equal(code, 0, io.err());
      // The starter task's arguments are left to the form: a reminder, nothing else.
      assert.match(io.err(), /valid \(0 error\(s\), 1 warning\(s\)\)/);
      assert.match(
        io.err(),
        /warning: required arguments `a`, `b`.*left to the form/,
      );
    });

    await t.step(
      "compiles with --link and runs to the test case's expected result",
      async () => {
        const compiled = await deno([
          "run",
          "-A",
          join(ROOT, "compiler", "mod.ts"),
          join(dir, "spec.yaml"),
          "--link",
          ROOT,
          "--no-progress",
        ]);
        assert.equal(compiled.code, 0, compiled.stderr);
        const release = join(dir, "wt-my-flow-workflow");
        const cases = parseYaml(
          await Deno.readTextFile(join(dir, "test-cases.yaml")),
        ) as TestCases;
        const [first] = Object.values(cases);
        assert.ok(
          first && "expected" in first,
          "the case has an expected result",
        );
        const run = await runWorkflowCli(release, [
          "run",
          "--config-json",
          JSON.stringify(first.params),
        ], { results: join(tmp, "results") });
        assert.equal(run.code, 0, run.stderr);
        assert.deepEqual(run.response, {
          result: first.expected,
          error: null,
          trace: null,
        });
        const tests = await deno(["task", "--quiet", "test"], {}, release);
        assert.equal(tests.code, 0, tests.stdout + tests.stderr);
        assert.match(tests.stdout, /test case one-plus-two/);
      },
    );

    await t.step(
      "refuses a non-empty folder; --force writes into it",
      async () => {
        const other = join(tmp, "taken");
        await Deno.mkdir(other);
        await Deno.writeTextFile(join(other, "keep.txt"), "mine");
        const io = captureIO();
        const code = await runCli(["scaffold", other, "--id", "taken"], io);
        assert.equal(code, 2);
        assert.match(io.err(), /taken is not empty.*--force/);
        assert.deepEqual(await list(other), ["keep.txt"], "nothing written");

        const forced = captureIO();
        assert.equal(
          await runCli(["scaffold", other, "--id", "taken", "--force"], forced),
          0,
          forced.err(),
        );
        assert.deepEqual(await list(other), [...FILES, "keep.txt"].sort());
        assert.equal(await Deno.readTextFile(join(other, "keep.txt")), "mine");
      },
    );

    await t.step(
      "a bad id is a usage error (exit 2) with a clear message",
      async () => {
        const io = captureIO();
        const target = join(tmp, "bad");
        const code = await runCli(["scaffold", target, "--id", "2 bad"], io);
        assert.equal(code, 2);
        assert.match(
          io.err(),
          /workflow id `2 bad` is not valid: use letters, digits, `_` and `-`.*`_2_bad`/,
        );
        assert.equal(await exists(target), false);

        const io2 = captureIO();
        assert.equal(
          await runCli(["scaffold", target, "--id", "x".repeat(65)], io2),
          2,
        );
        assert.match(io2.err(), /65 characters long; the limit is 64/);
      },
    );

    await t.step("off a terminal: --id or --yes is needed", async () => {
      const target = join(tmp, "patrol events");
      const io = captureIO();
      assert.equal(await runCli(["scaffold", target], io), 2);
      assert.match(io.err(), /pass --id ID, or --yes .*`patrol_events`/);
      assert.equal(await exists(target), false);
      const yes = captureIO();
      assert.equal(
        await runCli(["scaffold", target, "--yes"], yes),
        0,
        yes.err(),
      );
      assert.match(
        await Deno.readTextFile(join(target, "spec.yaml")),
        /^id: patrol_events$/m,
      );
    });

    await t.step(
      "an unknown task fails the check (exit 1), nothing written",
      async () => {
        const registry = await exampleRegistry(tmp);
        const target = join(tmp, "unknown-task");
        const io = captureIO();
        const code = await runCli([
          "scaffold",
          target,
          "--id",
          "u",
          "--registry",
          registry,
          "--task",
          "dubble",
        ], io);
        assert.equal(code, 1);
        assert.match(
          io.err(),
          /spec\.yaml:\d+:\d+: error: unknown task `dubble`.*`double`/,
        );
        assert.match(io.err(), /nothing written/);
        assert.equal(await exists(target), false);
      },
    );

    await t.step(
      "tasks from discovery (--link): titles as names, example params that match params.json",
      async () => {
        const target = join(tmp, "two-tasks");
        const io = captureIO();
        const code = await runCli([
          "scaffold",
          target,
          "--id",
          "two_tasks",
          "--link",
          ROOT,
          "--task",
          "double",
          "--task",
          "product=multiply",
        ], io);
        assert.equal(code, 0, io.err());
        const spec = await Deno.readTextFile(join(target, "spec.yaml"));
        assert.match(
          spec,
          /- id: double_result\n\s+name: Double\n\s+task: double/,
        );
        assert.match(
          spec,
          /- id: product\n\s+name: Multiply\n\s+task: multiply/,
        );
        assert.doesNotMatch(io.err(), /not checked/);
        const cases = parseYaml(
          await Deno.readTextFile(join(target, "test-cases.yaml")),
        ) as TestCases;
        const only = Object.values(cases)[0]!;
        assert.equal(
          "expected" in only,
          false,
          "unknown result: left to the user",
        );
        const schema = captureIO();
        assert.equal(
          await runCli([
            "schema",
            join(target, "spec.yaml"),
            "--registry",
            await exampleRegistry(tmp),
            "--format",
            "params",
          ], schema),
          0,
          schema.err(),
        );
        assert.deepEqual(validate(only.params, JSON.parse(schema.out())), []);
      },
    );

    await t.step(
      "a published library by name, version and registry",
      async () => {
        const target = join(tmp, "published");
        const io = captureIO();
        assert.equal(
          await runCli([
            "scaffold",
            target,
            "--id",
            "geo",
            "--library-name",
            "@acme/geo-tasks",
            "--library-version",
            "^1.2.0",
            "--library-registry",
            "npm",
            "--task",
            "buffer",
          ], io),
          0,
          io.err(),
        );
        const spec = await Deno.readTextFile(join(target, "spec.yaml"));
        assert.match(
          spec,
          /- name: "@acme\/geo-tasks"\n\s+version: "?\^1\.2\.0"?\n\s+registry: npm/,
        );
        const check = captureIO();
        assert.equal(
          await runCli([
            "check",
            join(target, "spec.yaml"),
            "--registry",
            await exampleRegistry(tmp),
          ], check),
          1,
          "buffer is not in the example registry",
        );
        const none = captureIO();
        assert.equal(
          await runCli([
            "scaffold",
            join(tmp, "p2"),
            "--id",
            "p2",
            "--library-name",
            "@acme/geo-tasks",
          ], none),
          2,
        );
        assert.match(none.err(), /name the tasks to start with \(--task NAME/);
      },
    );
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("planScaffold: library checks and paths", async (t) => {
  await t.step(
    "path written relative to the spec, absolute across roots",
    () => {
      assert.equal(pathFrom("/work/a/flow", "/work/b"), "../../b");
      assert.equal(pathFrom("/work/a", "/work/a/lib"), "./lib");
      assert.equal(pathFrom("/tmp/flow", "/work/b"), "/work/b");
    },
  );
  await t.step(
    "--library-path: name from its deno.json, path relative to the spec",
    async () => {
      const plan = await planScaffold(join(ROOT, "no-such-dir", "flow"), {
        id: "flow",
        library: { path: "examples/custom-tasks" },
        cwd: ROOT,
      });
      assert.deepEqual(plan.library, {
        name: EXAMPLE_LIBRARY_NAME,
        path: "../../examples/custom-tasks",
      });
      assert.match(
        plan.files["spec.yaml"]!,
        /name: "@wt-examples\/custom-tasks"\n\s+path: \.\.\/\.\.\/examples\/custom-tasks /,
      );
      assert.equal(plan.testCaseComplete, true);
      await assert.rejects(
        planScaffold(join(ROOT, "no-such-dir", "flow"), {
          id: "flow",
          library: { path: "examples/custom-tasks", name: "@acme/other" },
          cwd: ROOT,
        }),
        /--library-name @acme\/other does not match the name @wt-examples\/custom-tasks/,
      );
    },
  );
  await t.step("a library folder without deno.json is refused", async () => {
    const tmp = await Deno.makeTempDir();
    try {
      await assert.rejects(
        planScaffold(join(tmp, "p"), {
          id: "p",
          library: { path: tmp },
          tasks: ["x"],
        }),
        (err: unknown) =>
          err instanceof ScaffoldError && err.usage &&
          /has no deno\.json/.test(err.message),
      );
    } finally {
      await Deno.remove(tmp, { recursive: true });
    }
  });
  await t.step(
    "a reserved instance id is refused with a suggestion",
    async () => {
      await assert.rejects(
        planScaffold("/nonexistent-wt-scaffold/p", {
          id: "p",
          library: { name: "@acme/tasks" },
          tasks: [{ id: "class", task: "f" }],
        }),
        /instance id `class` for task f is reserved.*`class_step`/,
      );
    },
  );
});

type Answer = string | string[] | boolean | symbol;

/** Prompts answered from a script; records what was asked and validation messages. */
function scriptedPrompter(answers: Answer[]): ScaffoldPrompter & {
  asked: string[];
  rejected: string[];
  ended: string[];
} {
  const asked: string[] = [];
  const rejected: string[] = [];
  const ended: string[] = [];
  const next = (message: string): Answer => {
    asked.push(message);
    if (answers.length === 0) throw new Error(`unexpected prompt: ${message}`);
    return answers.shift()!;
  };
  return {
    asked,
    rejected,
    ended,
    intro: () => {},
    outro: (m) => {
      ended.push(`outro: ${m}`);
    },
    cancel: (m) => {
      ended.push(`cancel: ${m}`);
    },
    note: () => {},
    text(opts) {
      let a = next(opts.message);
      while (typeof a === "string" && opts.validate?.(a) !== undefined) {
        rejected.push(opts.validate(a)!);
        a = next(opts.message);
      }
      if (a === "" && opts.defaultValue !== undefined) a = opts.defaultValue;
      return Promise.resolve(a as string | symbol);
    },
    select<T extends string>(opts: {
      message: string;
      options: PromptOption<T>[];
    }) {
      const a = next(opts.message);
      if (typeof a === "string") {
        assert.ok(opts.options.some((o) => o.value === a), `option ${a}`);
      }
      return Promise.resolve(a as T | symbol);
    },
    multiselect<T extends string>(opts: {
      message: string;
      options: PromptOption<T>[];
      initialValues?: T[];
    }) {
      const a = next(opts.message);
      if (Array.isArray(a)) {
        for (const v of a) {
          assert.ok(opts.options.some((o) => o.value === v), `option ${v}`);
        }
      }
      return Promise.resolve(a as T[] | symbol);
    },
    confirm(opts) {
      return Promise.resolve(next(opts.message) as boolean | symbol);
    },
    spinner: () => ({ start() {}, stop() {} }),
  };
}

async function runScaffold(
  args: string[],
  prompter: ScaffoldPrompter,
  io: CliIO,
): Promise<number> {
  const ctx: CliContext = { io, exitCode: 0 };
  const program = buildProgram(ctx, [
    makeScaffoldCommand({ isInteractive: () => true, prompter }),
  ]);
  await program.parseAsync(["scaffold", ...args], { from: "user" });
  return ctx.exitCode;
}

Deno.test("scaffold, interactive (injected prompts)", async (t) => {
  const tmp = await Deno.makeTempDir({ prefix: "wt-scaffold-i-" });
  try {
    const registry = await exampleRegistry(tmp);
    await t.step(
      "asks id, library and tasks; offers the registry's tasks",
      async () => {
        const dir = join(tmp, "asked");
        const p = scriptedPrompter([
          "1bad",
          "", // the default: the folder name
          "example",
          ["add", "double"],
        ]);
        const io = captureIO();
        const code = await runScaffold([dir, "--registry", registry], p, io);
        assert.equal(code, 0, io.err());
        assert.deepEqual(p.asked, [
          "Workflow id",
          "Workflow id",
          "Task library",
          "Tasks to start with (one instance each)",
        ]);
        assert.match(p.rejected[0]!, /workflow id `1bad` is not valid/);
        assert.match(p.ended.at(-1)!, /^outro: Wrote spec\.yaml/);
        assert.deepEqual(await list(dir), FILES);
        const spec = await Deno.readTextFile(join(dir, "spec.yaml"));
        assert.match(spec, /^id: asked$/m);
        assert.match(spec, /task: add\n[\s\S]*task: double/);
        const check = captureIO();
        assert.equal(
          await runCli([
            "check",
            join(dir, "spec.yaml"),
            "--registry",
            registry,
          ], check),
          0,
          check.err(),
        );
      },
    );

    await t.step(
      "flags skip their prompts; a non-empty folder is confirmed",
      async () => {
        const dir = join(tmp, "flags");
        await Deno.mkdir(dir);
        await Deno.writeTextFile(join(dir, "notes.md"), "x");
        const p = scriptedPrompter([true, "example"]);
        const io = captureIO();
        const code = await runScaffold(
          [dir, "--id", "flags", "--task", "multiply"],
          p,
          io,
        );
        assert.equal(code, 0, io.err());
        assert.deepEqual(
          p.asked.slice(1),
          ["Task library"],
          "no id or task prompt",
        );
        assert.match(p.asked[0]!, /is not empty/);
        assert.deepEqual(await list(dir), [...FILES, "notes.md"].sort());
      },
    );

    await t.step("cancelling writes nothing (exit 1)", async () => {
      const dir = join(tmp, "cancelled");
      const p = scriptedPrompter(["ok_id", Symbol("cancel")]);
      const io = captureIO();
      assert.equal(await runScaffold([dir], p, io), 1);
      assert.match(p.ended.at(-1)!, /^cancel: Cancelled.*nothing written/);
      assert.equal(await exists(dir), false);
    });
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test({
  name: "scaffold, interactive on a real pseudo-terminal (script -qc)",
  ignore: Deno.build.os !== "linux",
}, async (t) => {
  let scriptOk = false;
  try {
    scriptOk = (await new Deno.Command("script", {
      args: ["-qec", "true", "/dev/null"],
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).output()).success;
  } catch {
    scriptOk = false;
  }
  if (!scriptOk) {
    console.warn(
      "skipped: util-linux `script` is not available to allocate a pseudo-terminal",
    );
    return;
  }
  const tmp = await Deno.makeTempDir({ prefix: "wt-scaffold-pty-" });
  try {
    const registry = await exampleRegistry(tmp);
    const dir = join(tmp, "pty-flow");
    const cmd = `stty cols 120 rows 50; exec ${Deno.execPath()} run -A ${
      join(ROOT, "compiler", "mod.ts")
    } scaffold ${dir} --registry ${registry}`;
    const child = new Deno.Command("script", {
      args: ["-qfec", cmd, "/dev/null"],
      env: { ...testEnv(), TERM: "xterm-256color" },
      clearEnv: true,
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const writer = child.stdin.getWriter();
    let screen = "";
    const reader = (async () => {
      for await (const chunk of child.stdout) screen += DEC.decode(chunk);
    })();
    const stderr = new Response(child.stderr).text();
    const waitFor = async (text: string, ms = 30_000) => {
      const until = Date.now() + ms;
      while (!screen.includes(text)) {
        if (Date.now() > until) {
          throw new Error(
            `timed out waiting for ${JSON.stringify(text)}:\n${screen}`,
          );
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    const enc = new TextEncoder();
    try {
      await t.step("answers the prompts with keystrokes", async () => {
        await waitFor("Workflow id");
        await writer.write(enc.encode("\r")); // the default: the folder name
        await waitFor("Task library");
        await writer.write(enc.encode("\r")); // the example library
        await waitFor("Tasks to start with");
        await writer.write(enc.encode("\r")); // the preselected `add`
        await waitFor("Wrote spec.yaml");
      });
    } finally {
      await writer.close().catch(() => {});
      const status = await child.status;
      await reader;
      await stderr;
      assert.equal(status.code, 0, screen);
    }
    await t.step("the files are written with the defaults", async () => {
      assert.deepEqual(await list(dir), FILES);
      const spec = await Deno.readTextFile(join(dir, "spec.yaml"));
      assert.match(spec, /^id: pty-flow$/m);
      assert.match(spec, /task: add$/m);
      const cases = parseYaml(
        await Deno.readTextFile(join(dir, "test-cases.yaml")),
      ) as TestCases;
      assert.equal(Object.values(cases)[0]?.expected, 3);
    });
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});
