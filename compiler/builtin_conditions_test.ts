/**
 * The built-in skip conditions (`@wt/registry/conditions`): a spec names them without a
 * requirement, the compiled workflow imports them from `@wt/registry/conditions` and skips
 * as the spec says in both execution modes; a library exporting the same name makes the
 * bare name ambiguous; `--registry FILE` adds nothing.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import {
  compileWithCli,
  type DenoRun,
  runDeno,
  runWorkflowCli,
  skippedInstances,
} from "./testing.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const MOD = join(ROOT, "compiler", "mod.ts");
const CUSTOM_TASKS = join(ROOT, "examples", "custom-tasks");

/** `deno <args>` in a clean environment, from the repository root by default. */
const deno = (args: string[], cwd = ROOT): Promise<DenoRun> =>
  runDeno(args, { cwd });

const requirement = (name: string, path: string) =>
  `  - name: "${name}"\n    path: ${path}\n`;

/** A spec against custom-tasks only, using three built-in conditions. */
const SPEC = [
  "id: builtins",
  "requirements:",
  requirement("@wt-examples/custom-tasks", CUSTOM_TASKS).trimEnd(),
  "task-instance-defaults:",
  "  skipif:",
  "    conditions: [any_dependency_skipped]",
  "workflow:",
  "  - id: empty_sum",
  "    task: sum_list",
  "    partial: {values: []}",
  "    skipif: {conditions: [any_is_empty], unpack_depth: 0}",
  "  - id: doubled_sum",
  "    task: double",
  '    partial: {n: "${{ workflow.empty_sum.return }}"}',
  "  - id: zero_sum",
  "    task: sum_list",
  "    partial: {values: []}",
  "    skipif: {conditions: [never]}",
  "  - id: total",
  "    task: add",
  '    partial: {a: "${{ workflow.zero_sum.return }}", b: 5}',
  "",
].join("\n");

async function runWorkflow(
  release: string,
  mode: string,
  results: string,
): Promise<unknown> {
  const run = await runWorkflowCli(release, [
    "run",
    "--config-json",
    "{}",
    "--execution-mode",
    mode,
  ], { results });
  return { code: run.code, ...run.response };
}

Deno.test("built-in conditions: a spec names them without a requirement", async (t) => {
  const tmp = await Deno.makeTempDir({ prefix: "wt-builtins-" });
  try {
    const spec = join(tmp, "spec.yaml");
    await Deno.writeTextFile(spec, SPEC);
    const out = join(tmp, "out");
    const release = join(out, "wt-builtins-workflow");

    await t.step(
      "compiles with --link; the code imports @wt/registry/conditions",
      async () => {
        const compiled = await compileWithCli(spec, out, { link: ROOT });
        assert.equal(compiled.outputDir, release);
        const config = JSON.parse(
          await Deno.readTextFile(join(release, "deno.json")),
        );
        assert.equal(
          config.imports["@wt/registry/conditions"],
          pathToFileURL(join(ROOT, "registry", "conditions.ts")).href,
        );
        for (const dag of ["dag_sequential.ts", "dag_parallel.ts"]) {
          const code = await Deno.readTextFile(join(release, "src", dag));
          assert.match(
            code,
            /import \{[^}]*\bany_dependency_skipped\b[^}]*\} from "@wt\/registry\/conditions";/,
          );
          assert.match(
            code,
            /\bany_is_empty\b[^;]*"@wt\/registry\/conditions"/s,
          );
          assert.match(
            code,
            /\.skipif\(\[\$condition\(any_is_empty\)\], \{ unpackDepth: 0 \}\)/,
          );
        }
      },
    );

    await t.step(
      "runs in both modes: skipped where the conditions hold",
      async () => {
        for (const mode of ["sequential", "parallel"]) {
          assert.deepEqual(
            await runWorkflow(release, mode, join(tmp, `results-${mode}`)),
            { code: 0, result: 5, error: null, trace: null },
            mode,
          );
        }
        // empty_sum: any_is_empty at depth 0 sees []; doubled_sum: the default
        // any_dependency_skipped; zero_sum: `never` replaces the default and runs on [].
        const skipped = ["doubled_sum", "empty_sum"];
        assert.deepEqual(await skippedInstances(release, {}), {
          sequential: skipped,
          parallel: skipped,
        });
      },
    );

    await t.step(
      "`never` runs an instance whose dependency was skipped",
      async () => {
        // to_label receives the skipped value, so its argument validation fails: it ran.
        await Deno.writeTextFile(
          spec,
          SPEC +
            [
              "  - id: label",
              "    task: to_label",
              '    partial: {n: "${{ workflow.doubled_sum.return }}"}',
              "    skipif: {conditions: [never]}",
              "",
            ].join("\n"),
        );
        const compiled = await compileWithCli(spec, out, {
          link: ROOT,
          extraArgs: ["--clobber"],
        });
        assert.equal(compiled.status, "written");
        for (const mode of ["sequential", "parallel"]) {
          const res = await runWorkflow(
            release,
            mode,
            join(tmp, `never-${mode}`),
          ) as { code: number; error: string };
          assert.equal(res.code, 1, mode);
          assert.match(res.error, /task instance "label"/, mode);
        }
      },
    );
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("built-in conditions: a library exporting the same name makes it ambiguous", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "wt-builtins-ambiguous-" });
  try {
    const lib = join(tmp, "own-never");
    await Deno.mkdir(lib);
    await Deno.writeTextFile(
      join(lib, "deno.json"),
      JSON.stringify({
        name: "@wt-test/own-never",
        version: "0.1.0",
        exports: "./mod.ts",
      }),
    );
    await Deno.writeTextFile(
      join(lib, "mod.ts"),
      [
        'import * as v from "valibot";',
        'import { register } from "@wt/registry";',
        "export const never = register({ params: v.object({ values: v.array(v.unknown()) }) }, () => false);",
        "",
      ].join("\n"),
    );
    const spec = join(tmp, "spec.yaml");
    const write = (condition: string) =>
      Deno.writeTextFile(
        spec,
        "id: w\nrequirements:\n" +
          requirement("@wt-examples/custom-tasks", CUSTOM_TASKS) +
          requirement("@wt-test/own-never", "./own-never") +
          "workflow:\n  - id: a\n    task: double\n    partial: {n: 1}\n" +
          `    skipif:\n      conditions:\n        - "${condition}"\n`,
      );
    const check = () => deno(["run", "-A", MOD, "check", spec, "--link", ROOT]);

    await write("never");
    const bare = await check();
    assert.equal(bare.code, 1, bare.stderr);
    assert.match(
      bare.stderr,
      /spec\.yaml:13:11: error: skip condition: task name `never` is ambiguous: it is exported by 2 modules \(`@wt-test\/own-never\.never`, `@wt\/registry\/conditions\.never`\); write the qualified name, e\.g\. `@wt-test\/own-never\.never`/,
    );

    for (
      const qualified of [
        "@wt/registry/conditions.never",
        "@wt-test/own-never.never",
      ]
    ) {
      await write(qualified);
      const r = await check();
      assert.equal(r.code, 0, `${qualified}: ${r.stderr}`);
    }
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("built-in conditions: --registry FILE is authoritative (nothing added)", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "wt-builtins-registry-" });
  try {
    const spec = join(tmp, "spec.yaml");
    await Deno.writeTextFile(spec, SPEC);
    // Discover the real catalogue (with the built-ins), then write two registry files.
    const dump = await deno([
      "eval",
      `import { discover } from ${
        JSON.stringify(join(ROOT, "compiler", "discovery.ts"))
      };
const out = await discover([{ name: "@wt-examples/custom-tasks", path: ${
        JSON.stringify(CUSTOM_TASKS)
      }, pos: { line: 1, col: 1 } }], { specDir: ${
        JSON.stringify(tmp)
      }, link: ${JSON.stringify(ROOT)}, noCache: true });
console.log(JSON.stringify(out));`,
    ]);
    assert.equal(dump.code, 0, dump.stderr);
    const full = JSON.parse(dump.stdout) as {
      entries: Record<string, unknown>;
    };
    assert.ok(full.entries["@wt/registry/conditions.any_is_empty"]);
    const withBuiltins = join(tmp, "with.json");
    await Deno.writeTextFile(withBuiltins, JSON.stringify(full));
    const without = join(tmp, "without.json");
    await Deno.writeTextFile(
      without,
      JSON.stringify({
        ...full,
        entries: Object.fromEntries(
          Object.entries(full.entries).filter(([k]) =>
            !k.startsWith("@wt/registry/conditions.")
          ),
        ),
      }),
    );

    const missing = await deno([
      "run",
      "-A",
      MOD,
      "check",
      spec,
      "--registry",
      without,
    ]);
    assert.equal(missing.code, 1, missing.stderr);
    assert.match(missing.stderr, /unknown task `any_dependency_skipped`/);
    assert.match(missing.stderr, /unknown task `never`/);

    // With the built-ins in the file and no --link, the workflow imports them from JSR.
    const out = join(tmp, "out");
    const r = await deno([
      "run",
      "-A",
      MOD,
      "compile",
      spec,
      "--registry",
      withBuiltins,
      "--out-dir",
      out,
      "--no-progress",
    ]);
    assert.equal(r.code, 0, r.stderr);
    const release = join(out, "wt-builtins-workflow");
    const config = JSON.parse(
      await Deno.readTextFile(join(release, "deno.json")),
    );
    assert.match(config.imports["@wt/registry/"], /^jsr:\/@wt\/registry@\^\d/);
    const code = await Deno.readTextFile(
      join(release, "src", "dag_sequential.ts"),
    );
    assert.match(code, /from "@wt\/registry\/conditions";/);
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});
