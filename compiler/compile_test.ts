import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { compile, CompileError, releaseName } from "./compile.ts";
import { SpecError } from "./diagnostics.ts";
import { readFingerprint } from "./fingerprint.ts";
import { runWorkflowCli } from "./testing.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const FIXTURE = fileURLToPath(
  new URL("./testdata/codegen/spec.yaml", import.meta.url),
);

async function withSpec(
  text: string,
  fn: (spec: string, out: string) => Promise<void>,
): Promise<void> {
  // The spec lives in the fixture folder so that its relative requirement path resolves.
  const dir = fileURLToPath(new URL("./testdata/codegen/", import.meta.url));
  const spec = join(dir, `_tmp_${crypto.randomUUID().slice(0, 8)}.yaml`);
  const out = await Deno.makeTempDir({ prefix: "wt-compile-test-" });
  await Deno.writeTextFile(spec, text);
  try {
    await fn(spec, out);
  } finally {
    await Deno.remove(spec);
    await Deno.remove(out, { recursive: true });
  }
}

const SPEC = await Deno.readTextFile(FIXTURE);

Deno.test("releaseName", () => {
  assert.equal(releaseName("add_then_double"), "wt-add-then-double-workflow");
  assert.equal(releaseName("x", "acme"), "acme-x-workflow");
});

Deno.test("compile writes a runnable workspace; the workflow CLI reports bad input", async (t) => {
  await withSpec(SPEC, async (spec, out) => {
    const result = await compile(spec, { outDir: out, link: ROOT });
    assert.equal(result.status, "written");
    assert.equal(result.version, "1.0.0");
    const release = result.outputDir;
    for (
      const f of [
        "deno.json",
        "VERSION",
        "README.md",
        "Dockerfile",
        ".dockerignore",
        "params.json",
        "rjsf.json",
        "graph.dot",
        "graph.svg",
        "src/cli.ts",
        "src/dag_sequential.ts",
        "src/dag_parallel.ts",
        "tests/workflow_test.ts",
      ]
    ) {
      await Deno.stat(join(release, f));
    }
    const readme = await Deno.readTextFile(join(release, "README.md"));
    assert.deepEqual(readFingerprint(readme), result.fingerprint);
    assert.equal(
      (await Deno.readTextFile(join(release, "VERSION"))).trim(),
      "1.0.0",
    );
    const dockerfile = await Deno.readTextFile(join(release, "Dockerfile"));
    assert.match(dockerfile, /^FROM denoland\/deno:\d+\.\d+\.\d+$/m);
    assert.match(dockerfile, /RUN deno install --entrypoint src\/cli\.ts/);
    assert.match(dockerfile, /"--workflows", "\/app\/workflows"/);
    assert.match(dockerfile, /path libraries: @wt-examples\/custom-tasks/);
    const dot = await Deno.readTextFile(join(release, "graph.dot"));
    assert.match(dot, /"total":"return" -> "doubled":"a0"/);
    assert.match(await Deno.readTextFile(join(release, "graph.svg")), /<svg/);
    const seq = await Deno.readTextFile(join(release, "src/dag_sequential.ts"));
    assert.match(seq, /\.partial\(\{ "b": 5 \}\)/);
    assert.match(seq, /\.partial\(\{ "n": total \}\)/);
    assert.match(seq, /\.setTaskInstanceId\("doubled"\)\s*\.handleErrors\(\)/);
    const results = join(out, "results");
    const env = { results };

    for (const mode of ["sequential", "parallel"]) {
      await t.step(`runs in ${mode} mode`, async () => {
        await Deno.remove(results, { recursive: true }).catch(() => {});
        const r = await runWorkflowCli(release, [
          "run",
          "--config-json",
          '{"total":{"a":1}}',
          "--execution-mode",
          mode,
        ], env);
        assert.equal(r.code, 0, r.stderr);
        assert.deepEqual(r.response, { result: 12, error: null, trace: null });
      });
    }
    await t.step("bad JSON exits 2", async () => {
      const r = await runWorkflowCli(
        release,
        ["run", "--config-json", "{nope"],
        env,
      );
      assert.equal(r.code, 2);
      assert.match(r.stderr, /--config-json is not valid JSON/);
    });
    await t.step("a schema violation exits 2 naming the path", async () => {
      const r = await runWorkflowCli(release, [
        "run",
        "--config-json",
        '{"total":{"a":"x"}}',
      ], env);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /total\.a: must be integer/);
    });
    await t.step("a config that is not an object exits 2", async () => {
      for (const config of ["null", "[]", '"x"']) {
        const r = await runWorkflowCli(
          release,
          ["run", "--config-json", config],
          env,
        );
        assert.equal(r.code, 2, `${config}: ${r.stderr}`);
        assert.match(r.stderr, /must be a JSON object of form values/);
      }
    });
    await t.step(
      "a missing form section with required fields exits 2",
      async () => {
        const r = await runWorkflowCli(
          release,
          ["run", "--config-json", "{}"],
          env,
        );
        assert.equal(r.code, 2, r.stderr);
        assert.match(r.stderr, /total: 'total' is a required property/);
      },
    );
    await t.step("missing WT_RESULTS exits 2", async () => {
      const r = await runWorkflowCli(release, [
        "run",
        "--config-json",
        '{"total":{"a":1}}',
      ]);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /WT_RESULTS is not set/);
    });
    await t.step("get and convert", async () => {
      const r = await runWorkflowCli(release, ["get", "params"], env);
      assert.equal(r.code, 0, r.stderr);
      assert.ok(JSON.parse(r.stdout).properties.total);
      const bad = await runWorkflowCli(release, ["get", "nothing"], env);
      assert.equal(bad.code, 2);
    });
  });
});

Deno.test("a failing compile leaves nothing behind", async () => {
  const broken = SPEC.replace("task: double", "task: dubble");
  await withSpec(broken, async (spec, out) => {
    await assert.rejects(compile(spec, { outDir: out, link: ROOT }), (err) => {
      assert.ok(err instanceof SpecError);
      assert.ok(err.diagnostics.some((d) => d.message.includes("double")));
      return true;
    });
    assert.deepEqual([...Deno.readDirSync(out)], []);
  });
});

Deno.test("a library that reads the environment at import fails discovery; nothing written", async () => {
  const spec = fileURLToPath(
    new URL("./testdata/codegen/hostile.yaml", import.meta.url),
  );
  const out = await Deno.makeTempDir({ prefix: "wt-hostile-test-" });
  try {
    await assert.rejects(
      compile(spec, { outDir: out, link: ROOT }),
      (err: Error) =>
        /env/i.test(err.message) && /hostile_env/.test(err.message),
    );
    assert.deepEqual([...Deno.readDirSync(out)], []);
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});

Deno.test("fingerprints, --update version bumps and unchanged recompilation", async () => {
  await withSpec(SPEC, async (spec, out) => {
    // Unformatted to save time: fingerprints hash the files before formatting anyway.
    const recompile = (flags: { update?: boolean; clobber?: boolean } = {}) =>
      compile(spec, { outDir: out, link: ROOT, format: false, ...flags });
    const first = await recompile();
    const again = await recompile();
    assert.equal(again.status, "unchanged");
    assert.equal(again.version, "1.0.0");

    // Cosmetic edit: same spec and params hashes, the artifacts differ (titles).
    await Deno.writeTextFile(spec, SPEC.replace("Add Two Numbers", "Sum"));
    await assert.rejects(
      recompile(),
      (err) =>
        err instanceof CompileError && err.usage &&
        /--update|--clobber/.test(err.message),
    );
    const cosmetic = await recompile({ update: true });
    assert.equal(
      cosmetic.fingerprint.spec_sha256,
      first.fingerprint.spec_sha256,
    );
    assert.equal(
      cosmetic.fingerprint.params_sha256,
      first.fingerprint.params_sha256,
    );
    assert.notEqual(
      cosmetic.fingerprint.artifacts_sha256,
      first.fingerprint.artifacts_sha256,
    );
    assert.equal(cosmetic.version, "1.1.0");

    // Recompiling the same spec after a bump is a no-op, with or without --update.
    for (const update of [true, false, true]) {
      const same = await recompile({ update });
      assert.equal(same.status, "unchanged", `update: ${update}`);
      assert.equal(same.version, "1.1.0");
    }

    // Structural edit that keeps the form: minor bump.
    await Deno.writeTextFile(spec, SPEC.replace("b: 5", "b: 6"));
    const structural = await recompile({ update: true });
    assert.notEqual(
      structural.fingerprint.spec_sha256,
      first.fingerprint.spec_sha256,
    );
    assert.equal(
      structural.fingerprint.params_sha256,
      first.fingerprint.params_sha256,
    );
    assert.equal(structural.version, "1.2.0");

    // The form changes (b no longer bound): major bump.
    await Deno.writeTextFile(
      spec,
      SPEC.replace("    partial:\n      b: 5\n", ""),
    );
    const form = await recompile({ update: true });
    assert.notEqual(
      form.fingerprint.params_sha256,
      first.fingerprint.params_sha256,
    );
    assert.equal(form.version, "2.0.0");
    const deno = JSON.parse(
      await Deno.readTextFile(join(form.outputDir, "deno.json")),
    );
    assert.equal(deno.version, "2.0.0");

    // --update keeps the lockfile; --clobber drops it.
    await Deno.writeTextFile(
      join(form.outputDir, "deno.lock"),
      '{"version":"5"}\n',
    );
    await Deno.writeTextFile(
      spec,
      SPEC.replace("    partial:\n      b: 5\n", "").replace(
        "Double The Total",
        "Twice",
      ),
    );
    const kept = await recompile({ update: true });
    assert.equal(kept.version, "2.1.0");
    assert.equal(
      await Deno.readTextFile(join(kept.outputDir, "deno.lock")),
      '{"version":"5"}\n',
    );

    // --clobber replaces and restarts the version.
    await Deno.writeTextFile(spec, SPEC);
    const clobbered = await recompile({ clobber: true });
    assert.equal(clobbered.version, "1.0.0");
    const leftovers = [...Deno.readDirSync(out)].map((e) => e.name);
    assert.deepEqual(leftovers, [clobbered.releaseName]);
    await assert.rejects(Deno.stat(join(clobbered.outputDir, "deno.lock")));
  });
});

Deno.test("the parallel executor runs independent tasks and map elements concurrently", async () => {
  const spec = fileURLToPath(
    new URL("./testdata/codegen/parallel.yaml", import.meta.url),
  );
  const out = await Deno.makeTempDir({ prefix: "wt-parallel-test-" });
  try {
    const result = await compile(spec, {
      outDir: out,
      link: ROOT,
      format: false,
    });
    const times: Record<string, number> = {};
    for (const mode of ["sequential", "parallel"]) {
      const results = join(out, mode);
      const start = performance.now();
      const r = await runWorkflowCli(result.outputDir, [
        "run",
        "--config-json",
        "{}",
        "--execution-mode",
        mode,
      ], { results });
      times[mode] = performance.now() - start;
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.response?.result, 10);
    }
    // Sequential: 2 × 400 ms + 4 map elements × 400 ms; parallel: the critical path, 2 × 400 ms.
    assert.ok(
      times.sequential! >= 2400,
      `sequential took ${times.sequential} ms`,
    );
    assert.ok(
      times.parallel! < times.sequential! - 1000,
      `parallel ${times.parallel} ms vs sequential ${times.sequential} ms`,
    );
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});

Deno.test("mock io, get and convert of a compiled workflow with a task group", async (t) => {
  const spec = fileURLToPath(
    new URL("./testdata/codegen/mock_io.yaml", import.meta.url),
  );
  const out = await Deno.makeTempDir({ prefix: "wt-mockio-test-" });
  try {
    const { outputDir } = await compile(spec, {
      outDir: out,
      link: ROOT,
      format: false,
    });
    const deno = JSON.parse(
      await Deno.readTextFile(join(outputDir, "deno.json")),
    );
    assert.match(
      deno.tasks.workflow.command,
      /--allow-net /,
      "io tasks get network access",
    );
    const results = join(out, "results");
    const env = { results };
    const config =
      '{"numbers":{"url":"https://example.invalid/n.json","count":3}}';
    for (const mode of ["sequential", "parallel"]) {
      await t.step(`--mock-io returns the canned data (${mode})`, async () => {
        const r = await runWorkflowCli(outputDir, [
          "run",
          "--config-json",
          config,
          "--mock-io",
          "--execution-mode",
          mode,
        ], env);
        assert.equal(r.code, 0, r.stderr);
        assert.deepEqual(r.response, {
          result: 3 + 1 + 4,
          error: null,
          trace: null,
        });
      });
    }
    await t.step("convert formdata → params and back", async () => {
      const formdata = {
        Download: { numbers: { url: "https://x.test/n.json", count: 2 } },
      };
      const toParams = await runWorkflowCli(
        outputDir,
        ["convert", "--from", "formdata", "--to", "params"],
        { ...env, stdin: JSON.stringify(formdata) },
      );
      assert.equal(toParams.code, 0, toParams.stderr);
      const params = JSON.parse(toParams.stdout);
      assert.deepEqual(params, {
        result: { numbers: formdata.Download.numbers },
      });
      const back = await runWorkflowCli(
        outputDir,
        ["convert", "--from", "params", "--to", "formdata"],
        { ...env, stdin: JSON.stringify(params.result) },
      );
      assert.deepEqual(JSON.parse(back.stdout), { result: formdata });
      const invalid = await runWorkflowCli(
        outputDir,
        ["convert", "--from", "params", "--to", "formdata"],
        { ...env, stdin: '{"numbers":{"count":"x"}}' },
      );
      const errors = JSON.parse(invalid.stdout).validation_errors;
      assert.ok(Array.isArray(errors) && errors.length > 0);
      const badJson = await runWorkflowCli(
        outputDir,
        ["convert", "--from", "params", "--to", "formdata"],
        { ...env, stdin: "{" },
      );
      assert.equal(badJson.code, 2);
      assert.ok(
        JSON.parse(badJson.stdout).validation_errors[0].message.includes(
          "not valid JSON",
        ),
      );
    });
    await t.step("get rjsf nests the group", async () => {
      const r = await runWorkflowCli(outputDir, ["get", "rjsf"], env);
      assert.equal(r.code, 0, r.stderr);
      assert.ok(JSON.parse(r.stdout).properties.Download.properties.numbers);
      const names = await runWorkflowCli(outputDir, [
        "get",
        "data-connection-property-names",
      ], env);
      assert.deepEqual(JSON.parse(names.stdout), []);
    });
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});

async function readTree(dir: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  const walk = async (rel: string): Promise<void> => {
    for await (const e of Deno.readDir(join(dir, rel))) {
      const path = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory) await walk(path);
      else files.set(path, await Deno.readTextFile(join(dir, path)));
    }
  };
  await walk("");
  return new Map([...files].sort(([a], [b]) => a < b ? -1 : 1));
}

Deno.test("formatting while the graph renders writes what formatting afterwards writes", async () => {
  await withSpec(SPEC, async (spec, out) => {
    const overlapped = await compile(spec, {
      outDir: join(out, "a"),
      link: ROOT,
    });
    const plain = await compile(spec, {
      outDir: join(out, "b"),
      link: ROOT,
      format: false,
    });
    assert.deepEqual(overlapped.fingerprint, plain.fingerprint);
    const fmt = await new Deno.Command(Deno.execPath(), {
      args: [
        "fmt",
        "--quiet",
        "--config",
        join(plain.outputDir, "deno.json"),
        plain.outputDir,
      ],
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).output();
    assert.ok(fmt.success, new TextDecoder().decode(fmt.stderr));
    const a = await readTree(overlapped.outputDir);
    const b = await readTree(plain.outputDir);
    assert.deepEqual([...a.keys()], [...b.keys()]);
    for (const [path, text] of a) {
      assert.ok(text === b.get(path), `${path} differs`);
    }
    assert.ok(a.get("graph.svg")!.includes("<svg"));
    assert.deepEqual(
      readFingerprint(a.get("README.md")!),
      overlapped.fingerprint,
    );
  });
});
