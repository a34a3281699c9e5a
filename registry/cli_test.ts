import assert from "node:assert/strict";
import * as v from "valibot";
import { RegistryOutput } from "@wt/contracts";
import { collectRegistry, main, parseCliArgs, UsageError } from "./cli.ts";
import { ModuleImportError, RegistrationError } from "./errors.ts";

const ROOT = new URL("../", import.meta.url);
const rootDir = decodeURIComponent(ROOT.pathname);
const EXAMPLES = "./examples/custom-tasks/mod.ts";
const EXAMPLE_TASKS = [
  "add",
  "double",
  "fetch_numbers",
  "greet",
  "multiply",
  "parse_int",
  "split_digits",
  "sum_list",
  "to_label",
];

type Props = Record<string, Record<string, unknown>>;

Deno.test("collectRegistry on the example library", async (t) => {
  const out = await collectRegistry([EXAMPLES], { cwd: rootDir });
  await t.step("entries are keyed by package name and export name", () => {
    assert.deepEqual(
      Object.keys(out.entries).sort(),
      EXAMPLE_TASKS.map((n) => `@wt-examples/custom-tasks.${n}`),
    );
  });
  await t.step("add has integer a and b, both required", () => {
    const add = out.entries["@wt-examples/custom-tasks.add"]!;
    const props = add.json_schema["properties"] as Props;
    assert.equal(props["a"]?.["type"], "integer");
    assert.equal(props["b"]?.["type"], "integer");
    assert.deepEqual(add.json_schema["required"], ["a", "b"]);
    assert.equal(add.function_name, "add");
    assert.equal(add.public_module_path, "@wt-examples/custom-tasks");
    assert.deepEqual(add.parameters, ["a", "b"]);
    assert.deepEqual(add.required_parameters, ["a", "b"]);
    assert.equal(add.metadata.title, "Add");
  });
  await t.step("the output is a valid RegistryOutput", () => {
    assert.equal(v.is(RegistryOutput, out), true);
  });
});

Deno.test("collectRegistry with a package specifier keeps it as module path", async () => {
  const out = await collectRegistry(["@wt-examples/custom-tasks"], {
    functions: ["double"],
  });
  assert.deepEqual(Object.keys(out.entries), [
    "@wt-examples/custom-tasks.double",
  ]);
});

Deno.test("collectRegistry fills titles from export names and skips non-tasks", async () => {
  const spec = "./registry/testdata/tasks.ts";
  const out = await collectRegistry([spec], { cwd: rootDir });
  assert.deepEqual(Object.keys(out.entries), [
    `${spec}.get_patrol_events`,
    `${spec}.old_task`,
  ]);
  const events = out.entries[`${spec}.get_patrol_events`]!;
  assert.equal(events.metadata.title, "Get Patrol Events");
  assert.equal(events.metadata.description, "Fixture task.");
  assert.deepEqual(events.parameters, ["time_range", "client", "since"]);
  assert.deepEqual(Object.keys(events.json_schema["properties"] as Props), [
    "time_range",
  ]);
  assert.deepEqual(events.json_schema["required"], []);
  // Hidden and non-JSON parameters without a default are still required: the compiler
  // needs to know that a spec must bind them.
  assert.deepEqual(events.required_parameters, ["client", "since"]);
  const old = out.entries[`${spec}.old_task`]!;
  assert.equal(old.metadata.title, "Old");
  assert.equal(old.metadata.deprecated, true);
  assert.equal(old.metadata.deprecation_message, "use get_patrol_events");
});

Deno.test("collectRegistry errors", async (t) => {
  await t.step("duplicate export names across modules", async () => {
    await assert.rejects(
      collectRegistry(
        ["./registry/testdata/dup_a.ts", "./registry/testdata/dup_b.ts"],
        { cwd: rootDir },
      ),
      (e: unknown) => {
        assert.ok(e instanceof RegistrationError);
        assert.match(
          e.message,
          /duplicate task name 'add'.*dup_a\.ts.*dup_b\.ts/,
        );
        return true;
      },
    );
  });
  await t.step(
    "a library task may share its name with a built-in condition",
    async () => {
      const out = await collectRegistry(
        [
          "./registry/testdata/own_never.ts",
          "./registry/conditions.ts",
          "./registry/testdata/dup_a.ts",
        ],
        { cwd: rootDir, functions: ["never", "any_is_empty"] },
      );
      assert.deepEqual(Object.keys(out.entries).sort(), [
        "./registry/testdata/own_never.ts.never",
        "@wt/registry/conditions.any_is_empty",
        "@wt/registry/conditions.never",
      ]);
      // Two libraries (not built-ins) sharing a name is still an error.
      await assert.rejects(
        collectRegistry(
          [
            "./registry/conditions.ts",
            "./registry/testdata/own_never.ts",
            "./registry/testdata/dup_a.ts",
            "./registry/testdata/dup_b.ts",
          ],
          { cwd: rootDir },
        ),
        /duplicate task name 'add'/,
      );
    },
  );
  await t.step("the same module given twice is read once", async () => {
    const out = await collectRegistry(
      ["./registry/testdata/dup_a.ts", "./registry/testdata/dup_a.ts"],
      { cwd: rootDir },
    );
    assert.equal(Object.keys(out.entries).length, 1);
  });
  await t.step("an unknown --function name", async () => {
    await assert.rejects(
      collectRegistry([EXAMPLES], { cwd: rootDir, functions: ["add", "nope"] }),
      /no task named 'nope'.*tasks found: add/,
    );
  });
  await t.step("a module that throws on import", async () => {
    const spec = "./registry/testdata/throws_on_import.ts";
    await assert.rejects(
      collectRegistry([spec], { cwd: rootDir }),
      (e: unknown) => {
        assert.ok(e instanceof ModuleImportError);
        assert.equal(e.specifier, spec);
        assert.match(e.message, /throws_on_import\.ts.*boom while importing/);
        return true;
      },
    );
  });
  await t.step("a module that does not exist", async () => {
    await assert.rejects(
      collectRegistry(["./registry/testdata/missing.ts"], { cwd: rootDir }),
      (e: unknown) =>
        e instanceof ModuleImportError && /missing\.ts/.test(e.message),
    );
  });
});

Deno.test("parseCliArgs", async (t) => {
  await t.step("repeatable options and --flag=value", () => {
    assert.deepEqual(
      parseCliArgs([
        "--package",
        "a",
        "-p",
        "b",
        "--format=pretty",
        "--function",
        "f",
      ]),
      { packages: ["a", "b"], format: "pretty", functions: ["f"], help: false },
    );
  });
  await t.step("defaults", () => {
    assert.deepEqual(parseCliArgs(["--package=x"]), {
      packages: ["x"],
      format: "json",
      functions: [],
      help: false,
    });
  });
  await t.step("help needs no package", () => {
    assert.equal(parseCliArgs(["--help"]).help, true);
  });
  const bad: Array<[string[], RegExp]> = [
    [[], /at least one --package/],
    [["--package"], /'--package' needs a value/],
    [["--package", "--format", "json"], /'--package' needs a value/],
    [["--package", "a", "--format", "yaml"], /'json' or 'pretty', got 'yaml'/],
    [["--package", "a", "--bogus"], /unknown option '--bogus'/],
    [["--package", "a", "extra"], /unexpected argument 'extra'/],
    [["--package="], /needs a specifier/],
  ];
  for (const [argv, pattern] of bad) {
    await t.step(`rejects ${JSON.stringify(argv)}`, () => {
      assert.throws(() => parseCliArgs(argv), (e: unknown) => {
        assert.ok(e instanceof UsageError);
        assert.match(e.message, pattern);
        return true;
      });
    });
  }
});

Deno.test("main returns 2 on bad arguments without importing anything", async () => {
  const errors: unknown[] = [];
  const original = console.error;
  console.error = (...args: unknown[]) => errors.push(args.join(" "));
  try {
    assert.equal(await main(["--format", "xml", "--package", "x"]), 2);
  } finally {
    console.error = original;
  }
  assert.match(String(errors[0]), /--format must be/);
});

async function runCli(
  args: string[],
  permissions: string[] = ["--allow-read"],
): Promise<{ code: number; stdout: string; stderr: string }> {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--no-prompt", ...permissions, "registry/cli.ts", ...args],
    cwd: rootDir,
    stdin: "null",
    env: { NO_COLOR: "1" },
  }).output();
  const dec = new TextDecoder();
  return { code, stdout: dec.decode(stdout), stderr: dec.decode(stderr) };
}

Deno.test("registry CLI as a subprocess", async (t) => {
  await t.step("prints the example library's RegistryOutput (-A)", async () => {
    const r = await runCli(["--format", "json", "--package", EXAMPLES], ["-A"]);
    assert.equal(r.code, 0, r.stderr);
    const out = v.parse(RegistryOutput, JSON.parse(r.stdout));
    const add = out.entries["@wt-examples/custom-tasks.add"]!;
    const props = add.json_schema["properties"] as Props;
    assert.equal(props["a"]?.["type"], "integer");
    assert.equal(props["b"]?.["type"], "integer");
    assert.deepEqual(add.json_schema["required"], ["a", "b"]);
    assert.equal(Object.keys(out.entries).length, EXAMPLE_TASKS.length);
    assert.equal(r.stdout.trim().split("\n").length, 1);
  });
  await t.step("works with read permission only (sandboxed)", async () => {
    const r = await runCli([
      "--format",
      "pretty",
      "--package",
      EXAMPLES,
      "--function",
      "greet",
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^\{\n {2}"version": "1\.0\.0"/);
    const out = v.parse(RegistryOutput, JSON.parse(r.stdout));
    assert.deepEqual(Object.keys(out.entries), [
      "@wt-examples/custom-tasks.greet",
    ]);
  });
  await t.step(
    "an un-awaited operation that fails after the import: exit 1, nothing printed",
    async () => {
      const r = await runCli([
        "--package",
        "./registry/testdata/late_rejection.ts",
      ]);
      assert.equal(r.code, 1, r.stderr);
      assert.equal(r.stdout, "");
      assert.match(r.stderr, /un-awaited promise rejected/);
      assert.match(r.stderr, /Requires net access to "127\.0\.0\.1:9"/);
    },
  );
  await t.step("bad arguments exit 2 with usage", async () => {
    const r = await runCli(["--format", "json"]);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, "");
    assert.match(r.stderr, /give at least one --package/);
    assert.match(r.stderr, /Usage: wt-registry/);
    const r2 = await runCli(["--package", EXAMPLES, "--nope"]);
    assert.equal(r2.code, 2);
  });
  await t.step("--help exits 0", async () => {
    const r = await runCli(["--help"]);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /Usage: wt-registry/);
  });
  await t.step(
    "a module that throws on import exits 1 naming the specifier",
    async () => {
      const spec = "./registry/testdata/throws_on_import.ts";
      const r = await runCli(["--package", spec]);
      assert.equal(r.code, 1);
      assert.equal(r.stdout, "");
      assert.match(
        r.stderr,
        /could not import task module '\.\/registry\/testdata\/throws_on_import\.ts'/,
      );
      assert.match(r.stderr, /boom while importing the fixture/);
    },
  );
  await t.step(
    "a registration mistake exits 1 with the RegistrationError",
    async () => {
      const r = await runCli([
        "--package",
        "./registry/testdata/bad_registration.ts",
      ]);
      assert.equal(r.code, 1);
      assert.match(
        r.stderr,
        /bad_registration\.ts.*RegistrationError.*tagged 'io'/,
      );
    },
  );
  await t.step("duplicate task names exit 1", async () => {
    const r = await runCli([
      "--package",
      "./registry/testdata/dup_a.ts",
      "--package",
      "./registry/testdata/dup_b.ts",
    ]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /duplicate task name 'add'/);
  });
});
