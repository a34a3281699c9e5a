import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { runCli } from "./cli.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const SPEC = fileURLToPath(
  new URL("./testdata/codegen/spec.yaml", import.meta.url),
);

function io() {
  const out = { stdout: "", stderr: "" };
  return {
    out,
    io: {
      stdout: (s: string) => {
        out.stdout += s;
      },
      stderr: (s: string) => {
        out.stderr += s;
      },
      readTextFile: (p: string) => Deno.readTextFile(p),
    },
  };
}

Deno.test("wt-compiler <spec> compiles; exit codes and messages", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "wt-cli-compile-" });
  try {
    await t.step(
      "the bare form compiles, with plain progress lines off a TTY",
      async () => {
        const { out, io: cli } = io();
        const code = await runCli(
          [SPEC, "--out-dir", dir, "--link", ROOT],
          cli,
        );
        assert.equal(code, 0, out.stderr);
        assert.match(out.stderr, /wt-compiler: parsing the spec\n/);
        assert.match(
          out.stderr,
          /wrote .*wt-codegen-fixture-workflow \(version 1\.0\.0\)/,
        );
      },
    );
    await t.step("recompiling reports that nothing changed", async () => {
      const { out, io: cli } = io();
      const code = await runCli([
        "compile",
        SPEC,
        "--out-dir",
        dir,
        "--link",
        ROOT,
        "--no-progress",
      ], cli);
      assert.equal(code, 0, out.stderr);
      const lines = out.stderr.trim().split("\n")
        .filter((l) => !l.includes(": warning: "));
      assert.equal(lines.length, 1, out.stderr);
      assert.match(
        out.stderr,
        /is up to date \(version 1\.0\.0\): nothing changed/,
      );
    });
    await t.step(
      "an existing, different output needs --clobber or --update (exit 2)",
      async () => {
        const { out, io: cli } = io();
        const code = await runCli(
          [
            "compile",
            SPEC,
            "--out-dir",
            dir,
            "--link",
            ROOT,
            "--no-progress",
            "--results-env-var",
            "OTHER",
          ],
          cli,
        );
        assert.equal(code, 2);
        assert.match(out.stderr, /--update .* --clobber/);
        const updated = io();
        const again = await runCli(
          [
            "compile",
            SPEC,
            "--out-dir",
            dir,
            "--link",
            ROOT,
            "--no-progress",
            "--results-env-var",
            "OTHER",
            "--update",
          ],
          updated.io,
        );
        assert.equal(again, 0, updated.out.stderr);
        assert.match(updated.out.stderr, /version 1\.1\.0, was 1\.0\.0/);
      },
    );
    await t.step("--json prints the result", async () => {
      const { out, io: cli } = io();
      const code = await runCli(
        [
          "compile",
          SPEC,
          "--out-dir",
          join(dir, "j"),
          "--link",
          ROOT,
          "--json",
          "--pkg-name-prefix",
          "acme",
        ],
        cli,
      );
      assert.equal(code, 0, out.stderr);
      const result = JSON.parse(out.stdout);
      assert.equal(result.ok, true);
      assert.equal(result.releaseName, "acme-codegen-fixture-workflow");
    });
    await t.step(
      "an invalid spec exits 1 with located diagnostics and writes nothing",
      async () => {
        const bad = join(dir, "bad.yaml");
        await Deno.writeTextFile(
          bad,
          "id: w\nworkflow:\n  - id: a\n    task: add\n    tsk: 1\n",
        );
        const { out, io: cli } = io();
        const code = await runCli([
          bad,
          "--out-dir",
          join(dir, "bad"),
          "--registry",
          join(dir, "none.json"),
        ], cli);
        assert.equal(code, 1);
        assert.match(out.stderr, /bad\.yaml:5:5: error/);
        await assert.rejects(Deno.stat(join(dir, "bad")));
      },
    );
    await t.step("bad options exit 2", async () => {
      const { io: cli } = io();
      assert.equal(
        await runCli([SPEC, "--clobber", "--update", "--out-dir", dir], cli),
        2,
      );
      assert.equal(
        await runCli([
          SPEC,
          "--pkg-name-prefix",
          "Bad Prefix",
          "--out-dir",
          dir,
        ], cli),
        2,
      );
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a successful compile lists at most five warnings and points to check", async () => {
  const dir = await Deno.makeTempDir({ prefix: "wt-cli-compile-warn-" });
  try {
    const custom = join(ROOT, "examples", "custom-tasks");
    const instances = Array.from(
      { length: 7 },
      (_, i) => `  - id: sum${i}\n    task: add\n`,
    ).join("");
    const spec = join(dir, "spec.yaml");
    await Deno.writeTextFile(
      spec,
      `id: many_forms\nrequirements:\n  - name: "@wt-examples/custom-tasks"\n    path: ${custom}\nworkflow:\n${instances}`,
    );
    const { out, io: cli } = io();
    const code = await runCli(
      [
        "compile",
        spec,
        "--out-dir",
        join(dir, "out"),
        "--link",
        ROOT,
        "--no-progress",
      ],
      cli,
    );
    assert.equal(code, 0, out.stderr);
    const warnings = out.stderr.split("\n").filter((l) =>
      l.includes(": warning: ")
    );
    assert.equal(warnings.length, 5, out.stderr);
    assert.match(
      out.stderr,
      /… and 2 more warning\(s\): `wt-compiler check .*spec\.yaml` lists them all/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
