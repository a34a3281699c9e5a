import assert from "node:assert/strict";
import { type CliIO, runCli } from "./cli.ts";

const dir = new URL("./testdata/validate/", import.meta.url);
const fixture = (name: string) => new URL(name, dir).pathname;
const REGISTRY = fixture("registry.json");
const VALID = fixture("valid.yaml");

function memoryIO(
  files: Record<string, string> = {},
): CliIO & { out: string; err: string } {
  const io = {
    out: "",
    err: "",
    stdout: (s: string) => {
      io.out += s;
    },
    stderr: (s: string) => {
      io.err += s;
    },
    readTextFile: (path: string) =>
      path in files ? Promise.resolve(files[path]!) : Deno.readTextFile(path),
  };
  return io;
}

const BAD =
  "id: w\nworkflow:\n  - id: a\n    task: dubble\n  - id: b\n    task: double\n    partial:\n      n: ${{ workflow.c.return }}\n";

Deno.test("wt-compiler check", async (t) => {
  await t.step("valid spec: exit 0", async () => {
    const io = memoryIO();
    assert.equal(await runCli(["check", VALID, "--registry", REGISTRY], io), 0);
    // Warnings are printed, located, and do not fail the check.
    assert.match(
      io.err,
      /valid\.yaml:11:11: warning: required arguments `a`, `b`/,
    );
    assert.match(io.err, /valid \(0 error\(s\), 1 warning\(s\)\)/);
  });
  await t.step(
    "invalid spec: exit 1, one located line per problem",
    async () => {
      const io = memoryIO({ "bad.yaml": BAD });
      assert.equal(
        await runCli(["check", "bad.yaml", "--registry", REGISTRY], io),
        1,
      );
      const lines = io.err.trim().split("\n");
      assert.match(
        lines[0]!,
        /^bad\.yaml:4:11: error: unknown task `dubble`; did you mean `double`\?$/,
      );
      assert.match(
        lines[1]!,
        /^bad\.yaml:8:10: error: reference to unknown instance `c`/,
      );
    },
  );
  await t.step("--json prints the diagnostics on stdout", async () => {
    const io = memoryIO({ "bad.yaml": BAD });
    assert.equal(
      await runCli(["check", "bad.yaml", "--registry", REGISTRY, "--json"], io),
      1,
    );
    const out = JSON.parse(io.out);
    assert.equal(out.valid, false);
    assert.deepEqual(
      out.diagnostics.map((d: { line: number; col: number; code: string }) =>
        `${d.line}:${d.col}:${d.code}`
      ),
      ["4:11:unknown-task", "8:10:unknown-reference"],
    );
  });
  await t.step("usage errors: exit 2", async () => {
    for (
      const args of [[], ["check"], ["check", VALID, "--bogus"], ["nope"], [
        "check",
        "/no/such/spec.yaml",
        "--registry",
        REGISTRY,
      ]]
    ) {
      const io = memoryIO();
      assert.equal(await runCli(args, io), 2, args.join(" "));
      assert.ok(io.err.length > 0);
    }
  });
  await t.step("--help: exit 0", async () => {
    const io = memoryIO();
    assert.equal(await runCli(["--help"], io), 0);
    assert.match(io.out, /check/);
  });
  await t.step(
    "no --registry and no discovery: a clear error, exit 1",
    async () => {
      const io = memoryIO();
      assert.equal(await runCli(["check", VALID], io), 1);
      assert.match(io.err, /--registry FILE/);
    },
  );
  await t.step(
    "no catalogue with --json: structural diagnostics still listed",
    async () => {
      const io = memoryIO({
        "s.yaml": "id: w\nworkflow:\n  - id: a\n    task: f\n    tsk: g\n",
      });
      assert.equal(await runCli(["check", "s.yaml", "--json"], io), 1);
      const out = JSON.parse(io.out);
      assert.equal(out.valid, false);
      assert.match(out.error, /--registry FILE/);
      assert.deepEqual(
        out.diagnostics.map((d: { line: number; col: number }) =>
          `${d.line}:${d.col}`
        ),
        ["5:5"],
      );
    },
  );
  await t.step("invalid registry file: exit 1 naming the problem", async () => {
    const io = memoryIO({ "r.json": '{"version": "2"}' });
    assert.equal(await runCli(["check", VALID, "--registry", "r.json"], io), 1);
    assert.match(io.err, /not a valid RegistryOutput/);
  });
});

Deno.test("wt-compiler schema", async (t) => {
  await t.step("params and rjsf", async () => {
    const io = memoryIO();
    assert.equal(
      await runCli([
        "schema",
        VALID,
        "--registry",
        REGISTRY,
        "--format",
        "params",
      ], io),
      0,
    );
    const params = JSON.parse(io.out);
    assert.deepEqual(Object.keys(params.properties), [
      "total",
      "styled",
      "saved",
    ]);
    const io2 = memoryIO();
    assert.equal(
      await runCli([
        "schema",
        VALID,
        "--registry",
        REGISTRY,
        "--format",
        "rjsf",
      ], io2),
      0,
    );
    assert.ok("Doubling" in JSON.parse(io2.out).properties);
  });
  await t.step("invalid spec: exit 1, nothing on stdout", async () => {
    const io = memoryIO({ "bad.yaml": BAD });
    assert.equal(
      await runCli([
        "schema",
        "bad.yaml",
        "--registry",
        REGISTRY,
        "--format",
        "rjsf",
      ], io),
      1,
    );
    assert.equal(io.out, "");
  });
  await t.step("bad --format: exit 2", async () => {
    const io = memoryIO();
    assert.equal(
      await runCli(
        ["schema", VALID, "--registry", REGISTRY, "--format", "xml"],
        io,
      ),
      2,
    );
    const io2 = memoryIO();
    assert.equal(
      await runCli(["schema", VALID, "--registry", REGISTRY], io2),
      2,
    );
  });
});

Deno.test("compiler/mod.ts runs the CLI as the main module", async () => {
  const mod = new URL("./mod.ts", import.meta.url).pathname;
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      mod,
      "check",
      fixture("valid.yaml"),
      "--registry",
      REGISTRY,
      "--json",
    ],
    stdout: "piped",
    stderr: "piped",
    stdin: "null",
  }).output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  assert.equal(JSON.parse(new TextDecoder().decode(out.stdout)).valid, true);
});

Deno.test("check reports every kind of mistake in one spec, each at its node", async () => {
  const io = memoryIO();
  assert.equal(
    await runCli([
      "check",
      fixture("mistakes.yaml"),
      "--registry",
      REGISTRY,
      "--json",
    ], io),
    1,
  );
  const got = JSON.parse(io.out).diagnostics.map((
    d: { line: number; col: number; severity: string; code: string },
  ) => `${d.line}:${d.col} ${d.severity} ${d.code}`);
  assert.deepEqual(got, [
    "5:5 warning conda-requirement",
    "8:18 error unknown-task",
    "11:11 warning argument-left-to-form",
    "13:10 error invalid-argument-value",
    "14:9 error bad-id",
    "15:11 error unknown-task",
    "16:9 error reserved-id",
    "17:11 error ambiguous-task",
    "18:9 error duplicate-id",
    "21:10 error unknown-reference",
    "25:10 error self-reference",
    "29:10 error forward-reference",
    "31:11 warning argument-left-to-form",
    "35:10 error cycle",
    "43:10 error malformed-expression",
    "49:5 error map-incomplete",
    "49:5 error map-and-mapvalues",
    "52:11 warning argument-left-to-form",
    "54:7 error unknown-argument",
    "60:16 error invalid-argument-value",
    "62:11 error unbound-argument",
    "62:11 error unbound-argument",
    "63:5 error unknown-key",
    "68:15 warning deprecated-task",
  ]);
});

Deno.test("check and schema without --registry discover the spec's tasks", async (t) => {
  const mod = new URL("./mod.ts", import.meta.url).pathname;
  const root = new URL("../", import.meta.url).pathname;
  const examples = new URL("../examples/", import.meta.url).pathname;
  const run = async (args: string[]) => {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", mod, ...args, "--link", root],
      stdout: "piped",
      stderr: "piped",
      stdin: "null",
      env: { NO_COLOR: "1" },
    }).output();
    const dec = new TextDecoder();
    return {
      code: out.code,
      stdout: dec.decode(out.stdout),
      stderr: dec.decode(out.stderr),
    };
  };
  await t.step("check: a valid example spec", async () => {
    const r = await run(["check", `${examples}chaining-tasks/spec.yaml`]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /valid \(0 error/);
  });
  await t.step(
    "check: a mistake is located against discovered tasks",
    async () => {
      const tmp = await Deno.makeTempDir({ prefix: "wt-check-" });
      try {
        const spec = `${tmp}/spec.yaml`;
        await Deno.writeTextFile(
          spec,
          `id: w\nrequirements:\n  - name: "@wt-examples/custom-tasks"\n    path: ${examples}custom-tasks\n` +
            "workflow:\n  - id: a\n    task: dubble\n",
        );
        const r = await run(["check", spec]);
        assert.equal(r.code, 1, r.stderr);
        assert.match(
          r.stderr,
          /spec\.yaml:7:11: error: unknown task `dubble`; did you mean `double`\?/,
        );
      } finally {
        await Deno.remove(tmp, { recursive: true });
      }
    },
  );
  await t.step("schema: params of an example spec", async () => {
    const r = await run([
      "schema",
      `${examples}partial/spec.yaml`,
      "--format",
      "params",
    ]);
    assert.equal(r.code, 0, r.stderr);
    const params = JSON.parse(r.stdout);
    assert.deepEqual(params.properties.total.required, ["a"]);
  });
});
