import assert from "node:assert/strict";
import type { RegistryEntry } from "@wt/contracts";
import { generateWorkspace, prepareWorkspace } from "./codegen.ts";
import { dotToSvg } from "./graph.ts";
import type { Spec } from "./spec_model.ts";

const pos = { line: 1, col: 1 };

function entry(
  module: string,
  fn: string,
  props: string[],
  tags: string[] = [],
): RegistryEntry {
  return {
    metadata: { tags, deprecated: false },
    json_schema: {
      type: "object",
      properties: Object.fromEntries(
        props.map((p) => [p, { type: "integer" }]),
      ),
    },
    public_module_path: module,
    function_name: fn,
  };
}

const ENTRIES: Record<string, RegistryEntry> = {
  "@a/m.add": entry("@a/m", "add", ["a", "b"]),
  "@b/n.add": entry("@b/n", "add", ["xs", "cfg"], ["io"]),
  never: entry("@a/m", "never", ["values"]),
};

const spec: Spec = {
  id: "w",
  requirements: [],
  file: "spec.yaml",
  rjsf_overrides: { properties: {}, $defs: {}, uiSchema: {} },
  task_instance_defaults: {},
  workflow: [
    { type: "task", id: "first", task: "@a/m.add", partial: { b: 1 }, pos },
    {
      type: "task-group",
      title: "G",
      pos,
      tasks: [{
        type: "task",
        id: "second",
        task: "@b/n.add",
        partial: {
          cfg: {
            deep: ["${{ workflow.first.return }}", {
              home: "${{ env.HOME_DIR }}",
            }],
            literal: "${{ not an expression",
          },
        },
        map: {
          argnames: ["xs"],
          argvalues: ["${{ workflow.first.return }}", 2],
          pos,
        },
        skipif: { conditions: ["never"], unpack_depth: 2, pos },
        pos,
      }],
    },
  ],
};

Deno.test("generateWorkspace binds values exactly", async () => {
  const { files, fingerprint } = await generateWorkspace({
    spec,
    resolve: (name) => ENTRIES[name]!,
    skipifFor: (i) => i.skipif,
    params: { properties: { first: { properties: { a: {} } } } },
    rjsf: { properties: {} },
    releaseName: "wt-w-workflow",
    packageName: "@workflows/wt-w-workflow",
    version: "1.0.0",
    resultsEnvVar: "MY_RESULTS",
    imports: {},
    libraries: {},
    testCases: {},
    specName: "spec.yaml",
    linked: false,
  });
  const seq = files.get("src/dag_sequential.ts")!;
  // Two modules export `add`: the second is aliased.
  assert.match(seq, /import \{ add, never, \} from "@a\/m";/);
  assert.match(seq, /import \{ add as add_1, \} from "@b\/n";/);
  assert.match(seq, /\$task\(add_1, \$options\)/);
  // Nested references and env reads inside dict/list literals; malformed text stays literal.
  assert.match(
    seq,
    /"cfg": \{ "deep": \[first, \{ "home": \$env\("HOME_DIR", "second"\), \}, \], "literal": "\$\{\{ not an expression", \}/,
  );
  assert.match(
    seq,
    /\.map\(\["xs"\], \[first, 2, \], \{ concurrency: \$options\.concurrency \}\)/,
  );
  assert.match(
    seq,
    /\.skipif\(\[\$condition\(never\), \], \{ unpackDepth: 2 \}\)/,
  );
  assert.match(seq, /\.partial\(\$form\(\$params, "second"\)\)/);
  const par = files.get("src/dag_parallel.ts")!;
  assert.match(par, /"deep": \[\(await first\)/);
  assert.match(par, /await Promise\.all\(\[first, second, \]\)/);
  const cli = files.get("src/cli.ts")!;
  assert.match(cli, /export const RESULTS_ENV_VAR = "MY_RESULTS";/);
  const deno = JSON.parse(files.get("deno.json")!);
  assert.equal(deno.version, "1.0.0");
  // io task → network; env list names the results variable and the spec's env references.
  assert.match(
    deno.tasks.workflow.command,
    /--allow-env=MY_RESULTS,[^ ]*HOME_DIR/,
  );
  assert.match(deno.tasks.workflow.command, /--allow-net /);
  assert.match(files.get("README.md")!, new RegExp(fingerprint.spec_sha256));
  assert.match(files.get("graph.dot")!, /"first":"return" -> "second":/);
});

Deno.test("artifacts_sha256 does not depend on the version", async () => {
  const at = (version: string) =>
    generateWorkspace({
      spec,
      resolve: (name) => ENTRIES[name]!,
      skipifFor: (i) => i.skipif,
      params: { properties: { first: { properties: { a: {} } } } },
      rjsf: { properties: {} },
      releaseName: "wt-w-workflow",
      packageName: "@workflows/wt-w-workflow",
      version,
      resultsEnvVar: "WT_RESULTS",
      imports: {},
      libraries: {},
      testCases: {},
      specName: "spec.yaml",
      linked: false,
    });
  const [one, two] = await Promise.all([at("1.0.0"), at("7.3.0")]);
  assert.equal(JSON.parse(two.files.get("deno.json")!).version, "7.3.0");
  assert.equal(
    one.fingerprint.artifacts_sha256,
    two.fingerprint.artifacts_sha256,
  );
});

Deno.test("prepareWorkspace then complete is generateWorkspace", async () => {
  const input = {
    spec,
    resolve: (name: string) => ENTRIES[name]!,
    skipifFor: () => undefined,
    params: { properties: { first: { properties: { a: {} } } } },
    rjsf: { properties: {} },
    releaseName: "wt-w-workflow",
    packageName: "@workflows/wt-w-workflow",
    version: "2.1.0",
    resultsEnvVar: "WT_RESULTS",
    imports: {},
    libraries: { "@a/m": "1.0.0" },
    testCases: {},
    specName: "spec.yaml",
    linked: false,
  };
  const whole = await generateWorkspace(input);
  const prepared = await prepareWorkspace(input);
  assert.equal(prepared.dot, prepared.files.get("graph.dot"));
  for (const late of ["graph.svg", "VERSION", "README.md"]) {
    assert.ok(!prepared.files.has(late), late);
  }
  const done = await prepared.complete(await dotToSvg(prepared.dot));
  assert.deepEqual(done, whole);
  assert.deepEqual([...done.files.keys()], [...whole.files.keys()]);
  // The README carries the fingerprint, whose artifacts hash covers graph.svg.
  const other = await prepared.complete("<svg></svg>");
  assert.notEqual(
    other.fingerprint.artifacts_sha256,
    done.fingerprint.artifacts_sha256,
  );
  assert.match(
    other.files.get("README.md")!,
    new RegExp(other.fingerprint.artifacts_sha256),
  );
});
