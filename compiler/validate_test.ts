import assert from "node:assert/strict";
import { Catalogue } from "./catalogue.ts";
import type { Diagnostic } from "./diagnostics.ts";
import { parseRegistryText } from "./load_catalogue.ts";
import { parseSpec } from "./parse.ts";
import { flattenInstances } from "./spec_model.ts";
import {
  checkParsedSpec,
  checkSpec,
  effectiveSkipif,
  validateSpec,
} from "./validate.ts";

const registry = parseRegistryText(
  Deno.readTextFileSync(
    new URL("./testdata/validate/registry.json", import.meta.url),
  ),
  "registry.json",
);
const catalogue = new Catalogue(registry);

/** Diagnostics of a spec, without the `argument-left-to-form` reminders (tested on their own). */
function check(yaml: string): Diagnostic[] {
  return withoutFormReminders(
    checkSpec(yaml, "spec.yaml", catalogue).diagnostics,
  );
}
function withoutFormReminders(ds: Diagnostic[]): Diagnostic[] {
  return ds.filter((d) => d.code !== "argument-left-to-form");
}
function codes(ds: Diagnostic[], code: string): Diagnostic[] {
  return ds.filter((d) => d.code === code);
}
/** The single diagnostic with `code`, asserting its location `line:col`. */
function one(ds: Diagnostic[], code: string, at: string): Diagnostic {
  const found = codes(ds, code);
  assert.equal(
    found.length,
    1,
    `expected one ${code}, got: ${JSON.stringify(ds, null, 1)}`,
  );
  const d = found[0]!;
  assert.equal(`${d.line}:${d.col}`, at, `${code}: ${d.message}`);
  assert.equal(d.file, "spec.yaml");
  return d;
}

Deno.test("the valid fixture spec has no diagnostics", () => {
  const text = Deno.readTextFileSync(
    new URL("./testdata/validate/valid.yaml", import.meta.url),
  );
  assert.deepEqual(check(text), []);
});

Deno.test("id rules", async (t) => {
  await t.step("not a valid identifier", () => {
    const d = one(
      check("id: w\nworkflow:\n  - id: my-step\n    task: never\n"),
      "bad-id",
      "3:9",
    );
    assert.match(d.message, /`my_step`/);
  });
  await t.step("JavaScript reserved word", () => {
    const d = one(
      check("id: w\nworkflow:\n  - id: class\n    task: never\n"),
      "reserved-id",
      "3:9",
    );
    assert.match(d.message, /class_step/);
  });
  await t.step("a name the generated code uses", () => {
    one(
      check("id: w\nworkflow:\n  - id: params\n    task: never\n"),
      "reserved-id",
      "3:9",
    );
    one(
      check("id: w\nworkflow:\n  - id: SKIP\n    task: never\n"),
      "reserved-id",
      "3:9",
    );
  });
  await t.step("too long", () => {
    const id = "x".repeat(65);
    const d = one(
      check(`id: w\nworkflow:\n  - id: ${id}\n    task: never\n`),
      "id-too-long",
      "3:9",
    );
    assert.match(d.message, /limit is 64/);
    assert.deepEqual(
      check(`id: w\nworkflow:\n  - id: ${"x".repeat(64)}\n    task: never\n`),
      [],
    );
  });
  await t.step("duplicate: at the second, naming the first's line", () => {
    const d = one(
      check(
        "id: w\nworkflow:\n  - id: a\n    task: never\n  - id: b\n    task: never\n  - id: a\n    task: never\n",
      ),
      "duplicate-id",
      "7:9",
    );
    assert.match(d.message, /line 3/);
  });
  await t.step("equal to the workflow id", () => {
    one(
      check("id: total\nworkflow:\n  - id: total\n    task: never\n"),
      "id-equals-workflow",
      "3:9",
    );
  });
  await t.step("equal to an imported task name", () => {
    const d = one(
      check(
        "id: w\nworkflow:\n  - id: x\n    task: add\n  - id: add\n    task: double\n    partial: {n: 1}\n",
      ),
      "id-shadows-task",
      "5:9",
    );
    assert.match(d.message, /`add`/);
  });
  await t.step("invalid workflow id", () => {
    one(
      check("id: my workflow\nworkflow:\n  - id: a\n    task: never\n"),
      "bad-id",
      "1:5",
    );
  });
});

Deno.test("task names", async (t) => {
  await t.step("unknown task, with the nearest name", () => {
    const d = one(
      check("id: w\nworkflow:\n  - id: a\n    task: dubble\n"),
      "unknown-task",
      "4:11",
    );
    assert.match(d.message, /did you mean `double`/);
  });
  await t.step("ambiguous bare name lists the candidates", () => {
    const d = one(
      check("id: w\nworkflow:\n  - id: a\n    task: buffer\n"),
      "ambiguous-task",
      "4:11",
    );
    assert.match(d.message, /@wt-examples\/geo-tasks\.buffer/);
    assert.match(d.message, /@wt-examples\/other-geo\.buffer/);
  });
  await t.step("qualified names resolve", () => {
    assert.deepEqual(
      check(
        'id: w\nworkflow:\n  - id: a\n    task: "@wt-examples/geo-tasks.buffer"\n',
      ),
      [],
    );
  });
  await t.step(
    "unknown qualified name suggests the modules exporting the function",
    () => {
      const d = one(
        check(
          'id: w\nworkflow:\n  - id: a\n    task: "@wt-examples/nowhere-at-all.double"\n',
        ),
        "unknown-task",
        "4:11",
      );
      assert.match(d.message, /@wt-examples\/custom-tasks\.double/);
    },
  );
  await t.step("deprecated task is a warning", () => {
    const ds = check("id: w\nworkflow:\n  - id: a\n    task: old_add\n");
    const d = one(ds, "deprecated-task", "4:11");
    assert.equal(d.severity, "warning");
    assert.match(d.message, /use `add` instead/);
  });
});

Deno.test("references", async (t) => {
  await t.step("unknown target, with the nearest id", () => {
    const d = one(
      check(
        "id: w\nworkflow:\n  - id: total\n    task: add\n  - id: b\n    task: double\n    partial:\n      n: ${{ workflow.totl.return }}\n",
      ),
      "unknown-reference",
      "8:10",
    );
    assert.match(d.message, /did you mean `total`/);
  });
  await t.step("inside a list literal", () => {
    one(
      check(
        "id: w\nworkflow:\n  - id: s\n    task: sum_all\n    partial:\n      values:\n        - 1\n        - ${{ workflow.nope.return }}\n",
      ),
      "unknown-reference",
      "8:11",
    );
  });
  await t.step("self reference", () => {
    one(
      check(
        "id: w\nworkflow:\n  - id: a\n    task: double\n    partial:\n      n: ${{ workflow.a.return }}\n",
      ),
      "self-reference",
      "6:10",
    );
  });
  await t.step(
    "forward reference names the later instance and its line",
    () => {
      const d = one(
        check(
          "id: w\nworkflow:\n  - id: b\n    task: double\n    partial:\n      n: ${{ workflow.a.return }}\n  - id: a\n    task: add\n",
        ),
        "forward-reference",
        "6:10",
      );
      assert.match(d.message, /`a`.*defined later \(line 7\)/);
    },
  );
  await t.step("cycle is printed", () => {
    const ds = check(
      `id: w
workflow:
  - id: a
    task: double
    partial:
      n: \${{ workflow.c.return }}
  - id: b
    task: double
    partial:
      n: \${{ workflow.a.return }}
  - id: c
    task: double
    partial:
      n: \${{ workflow.b.return }}
`,
    );
    const d = one(ds, "cycle", "6:10");
    assert.match(d.message, /a -> c -> b -> a/);
    assert.equal(codes(ds, "forward-reference").length, 0);
  });
  await t.step("map argvalues references count too", () => {
    one(
      check(
        "id: w\nworkflow:\n  - id: a\n    task: double\n    map:\n      argnames: n\n      argvalues: ${{ workflow.zz.return }}\n",
      ),
      "unknown-reference",
      "7:18",
    );
  });
  await t.step("env reads are not references", () => {
    assert.deepEqual(
      check(
        "id: w\nworkflow:\n  - id: a\n    task: double\n    partial:\n      n: ${{ env.N }}\n",
      ),
      [],
    );
  });
});

Deno.test("malformed expressions", async (t) => {
  await t.step("extra text around an expression", () => {
    const d = one(
      check(
        'id: w\nworkflow:\n  - id: a\n    task: add\n  - id: b\n    task: double\n    partial:\n      n: "x ${{ workflow.a.return }}"\n',
      ),
      "malformed-expression",
      "8:10",
    );
    assert.match(d.message, /whole string/);
  });
  await t.step("missing `.return`", () => {
    const d = one(
      check(
        'id: w\nworkflow:\n  - id: a\n    task: add\n  - id: b\n    task: sum_all\n    partial:\n      values: ["${{ workflow.a }}"]\n',
      ),
      "malformed-expression",
      "8:16",
    );
    assert.match(d.message, /\.return/);
  });
});

Deno.test("map rules", async (t) => {
  await t.step("argvalues must be a reference or a list", () => {
    one(
      check(
        "id: w\nworkflow:\n  - id: a\n    task: double\n    map:\n      argnames: n\n      argvalues: 3\n",
      ),
      "bad-argvalues",
      "7:18",
    );
  });
  await t.step("unknown argname", () => {
    const d = one(
      check(
        "id: w\nworkflow:\n  - id: a\n    task: double\n    map:\n      argnames: [m]\n      argvalues: [1]\n",
      ),
      "unknown-argument",
      "6:18",
    );
    assert.match(d.message, /did you mean `n`/);
  });
  await t.step("argname also in partial is a warning", () => {
    const d = one(
      check(
        "id: w\nworkflow:\n  - id: a\n    task: double\n    partial: {n: 1}\n    mapvalues:\n      argnames: n\n      argvalues: [1]\n",
      ),
      "argument-bound-twice",
      "7:17",
    );
    assert.equal(d.severity, "warning");
  });
});

Deno.test("arguments against the task's schema", async (t) => {
  await t.step("unknown argument name, with the nearest one", () => {
    const d = one(
      check(
        "id: w\nworkflow:\n  - id: a\n    task: add\n    partial:\n      aa: 1\n",
      ),
      "unknown-argument",
      "6:7",
    );
    assert.match(d.message, /did you mean `a`/);
  });
  await t.step("hidden parameters are valid argument names", () => {
    assert.deepEqual(
      check(
        "id: w\nworkflow:\n  - id: a\n    task: style\n    partial:\n      frame: 1\n      style: {}\n",
      ),
      [],
    );
  });
  await t.step("literal of the wrong type", () => {
    const d = one(
      check(
        "id: w\nworkflow:\n  - id: a\n    task: add\n    partial:\n      a: one\n",
      ),
      "invalid-argument-value",
      "6:10",
    );
    assert.match(d.message, /must be number/);
  });
  await t.step(
    "nested value failing a $ref'd $defs schema is located at the nested node",
    () => {
      one(
        check(
          "id: w\nworkflow:\n  - id: a\n    task: style\n    partial:\n      style:\n        color: red\n        width: -1\n",
        ),
        "invalid-argument-value",
        "8:16",
      );
    },
  );
  await t.step("extra property under additionalProperties: false", () => {
    const d = one(
      check(
        "id: w\nworkflow:\n  - id: a\n    task: style\n    partial:\n      style:\n        colour: red\n",
      ),
      "invalid-argument-value",
      "7:9",
    );
    assert.match(d.message, /colour/);
  });
  await t.step("enum", () => {
    const d = one(
      check(
        "id: w\nworkflow:\n  - id: a\n    task: style\n    partial:\n      style: {}\n      mode: medium\n",
      ),
      "invalid-argument-value",
      "7:13",
    );
    assert.match(d.message, /"fast", "slow"/);
  });
  await t.step("values containing expressions are not checked", () => {
    assert.deepEqual(
      check(
        'id: w\nworkflow:\n  - id: a\n    task: style\n    partial:\n      style: {width: "${{ env.W }}"}\n',
      ),
      [],
    );
  });
  await t.step("required hidden argument that nothing binds", () => {
    const d = one(
      check(
        "id: w\nworkflow:\n  - id: a\n    task: persist\n    partial:\n      text: hi\n",
      ),
      "unbound-argument",
      "4:11",
    );
    assert.match(d.message, /`root_path`/);
  });
  await t.step(
    "required hidden argument from `required_parameters` (what @wt/registry emits)",
    () => {
      // The registry keeps hidden arguments out of the JSON Schema, `required` included;
      // `required_parameters` is where their being required shows.
      const cat = new Catalogue({
        version: "1.0.0",
        entries: {
          "m.plot": {
            metadata: { tags: [], deprecated: false },
            json_schema: {
              type: "object",
              properties: { n: { type: "integer" } },
              required: ["n"],
              additionalProperties: false,
            },
            parameters: ["n", "frame", "style"],
            required_parameters: ["n", "frame"],
            public_module_path: "m",
            function_name: "plot",
          },
        },
      });
      const run = (yaml: string) =>
        withoutFormReminders(checkSpec(yaml, "spec.yaml", cat).diagnostics);
      const d = one(
        run("id: w\nworkflow:\n  - id: p\n    task: plot\n"),
        "unbound-argument",
        "4:11",
      );
      assert.match(d.message, /`frame`/);
      assert.deepEqual(
        run(
          "id: w\nworkflow:\n  - id: p\n    task: plot\n    partial: {frame: 1}\n",
        ),
        [],
      );
    },
  );
  await t.step(
    "required form arguments left to the form: one warning per instance",
    () => {
      const all = checkSpec(
        "id: w\nworkflow:\n  - id: a\n    task: add\n    partial: {a: 1}\n  - id: c\n    task: add\n  - id: d\n    task: add\n    partial: {a: 1, b: 2}\n",
        "spec.yaml",
        catalogue,
      );
      assert.ok(
        all.spec && all.diagnostics.every((d) => d.severity === "warning"),
      );
      const ds = codes(all.diagnostics, "argument-left-to-form");
      assert.deepEqual(ds.map((d) => `${d.line}:${d.col}`), ["4:11", "7:11"]);
      assert.match(
        ds[0]!.message,
        /required argument `b` of task instance `a` is left/,
      );
      assert.match(
        ds[1]!.message,
        /required arguments `a`, `b` of task instance `c` are left to the form/,
      );
    },
  );
});

Deno.test("skip conditions and task-instance-defaults", async (t) => {
  await t.step("an instance's own skipif wins, even when empty", () => {
    const { spec } = parseSpec(
      "id: w\ntask-instance-defaults:\n  skipif:\n    conditions: [any_dependency_skipped]\nworkflow:\n  - id: a\n    task: never\n  - id: b\n    task: never\n    skipif:\n      conditions: []\n",
      "spec.yaml",
    );
    const [a, b] = flattenInstances(spec!);
    assert.deepEqual(effectiveSkipif(a!, spec!)?.conditions, [
      "any_dependency_skipped",
    ]);
    assert.deepEqual(effectiveSkipif(b!, spec!)?.conditions, []);
    assert.deepEqual(validateSpec(spec!, catalogue), []);
  });
  await t.step("unknown condition in the defaults", () => {
    const d = one(
      check(
        "id: w\ntask-instance-defaults:\n  skipif:\n    conditions:\n      - any_dependncy_skipped\nworkflow:\n  - id: a\n    task: never\n",
      ),
      "unknown-task",
      "5:9",
    );
    assert.match(
      d.message,
      /skip condition.*did you mean `any_dependency_skipped`/,
    );
  });
  await t.step("unknown condition in an instance", () => {
    one(
      check(
        "id: w\nworkflow:\n  - id: a\n    task: never\n    skipif:\n      conditions: [nevr]\n",
      ),
      "unknown-task",
      "6:20",
    );
  });
});

Deno.test("every problem is reported in one run", () => {
  const ds = check(`id: w
workflow:
  - id: a
    task: ad
  - id: a
    task: double
    partial:
      n: \${{ workflow.b.return }}
      m: 1
    tsk: x
`);
  const got = ds.map((d) => `${d.line}:${d.col} ${d.code}`);
  assert.deepEqual(got, [
    "4:11 unknown-task",
    "5:9 duplicate-id",
    "8:10 unknown-reference",
    "9:7 unknown-argument",
    "10:5 unknown-key",
  ]);
});

Deno.test("without a catalogue only task-independent rules run", () => {
  const { spec } = parseSpec(
    "id: w\nworkflow:\n  - id: a\n    task: nothing_known\n    partial:\n      x: ${{ workflow.a.return }}\n",
    "spec.yaml",
  );
  const ds = validateSpec(spec!);
  assert.deepEqual(ds.map((d) => d.code), ["self-reference"]);
});

Deno.test("a 500-instance spec validates (speed is measured by deno task bench)", () => {
  const lines = ["id: big", "workflow:", "  - id: t0", "    task: add"];
  for (let i = 1; i < 500; i++) {
    lines.push(
      `  - id: t${i}`,
      "    task: sum_all",
      "    partial:",
      "      values:",
      `        - \${{ workflow.t${i - 1}.return }}`,
      `        - \${{ workflow.t${Math.floor(i / 2)}.return }}`.replace(
        `t${i}.`,
        "t0.",
      ),
      "        - 1",
    );
  }
  const text = lines.join("\n") + "\n";
  const { diagnostics } = checkSpec(text, "spec.yaml", catalogue);
  assert.deepEqual(withoutFormReminders(diagnostics), []);
  assert.deepEqual(codes(diagnostics, "argument-left-to-form").length, 1);
});

Deno.test("literal map argvalues are checked element by element", async (t) => {
  await t.step("single argname", () => {
    const d = one(
      check(
        "id: w\nworkflow:\n  - id: a\n    task: double\n    map:\n      argnames: n\n      argvalues: [1, two, 3]\n",
      ),
      "invalid-argument-value",
      "7:22",
    );
    assert.match(d.message, /map element 1 of argument `n`/);
  });
  await t.step("several argnames need tuples", () => {
    const ds = check(
      "id: w\nworkflow:\n  - id: a\n    task: add\n    map:\n      argnames: [a, b]\n      argvalues:\n        - [1, 2]\n        - [1]\n        - [x, 2]\n",
    );
    one(ds, "bad-argvalues", "9:11");
    one(ds, "invalid-argument-value", "10:12");
  });
});

Deno.test("literal mapvalues argvalues: [key, value] pairs, values checked", async (t) => {
  await t.step("valid pairs with keys of any type", () => {
    assert.deepEqual(
      check(
        "id: w\nworkflow:\n  - id: a\n    task: double\n    mapvalues:\n      argnames: n\n      argvalues: [[x, 1], [2, 3], [null, 4]]\n",
      ),
      [],
    );
  });
  await t.step("an element that is not a pair", () => {
    const ds = check(
      "id: w\nworkflow:\n  - id: a\n    task: double\n    mapvalues:\n      argnames: n\n      argvalues: [[x, 1], 2, [y]]\n",
    );
    assert.deepEqual(
      codes(ds, "bad-argvalues").map((d) => `${d.line}:${d.col}`),
      ["7:27", "7:30"],
    );
    assert.match(ds[0]!.message, /\[key, value\] pair/);
  });
  await t.step("a value that fails the schema, at the value", () => {
    const d = one(
      check(
        "id: w\nworkflow:\n  - id: a\n    task: double\n    mapvalues:\n      argnames: n\n      argvalues: [[x, 1], [y, two]]\n",
      ),
      "invalid-argument-value",
      "7:31",
    );
    assert.match(d.message, /mapvalues value 1 of argument `n`/);
  });
  await t.step("several argnames need a tuple as the value", () => {
    const ds = check(
      "id: w\nworkflow:\n  - id: a\n    task: add\n    mapvalues:\n      argnames: [a, b]\n      argvalues:\n        - [k1, [1, 2]]\n        - [k2, [1]]\n        - [k3, [x, 2]]\n",
    );
    one(ds, "bad-argvalues", "9:16");
    one(ds, "invalid-argument-value", "10:17");
  });
  await t.step("a reference as an element or a value is not checked", () => {
    assert.deepEqual(
      check(
        "id: w\nworkflow:\n  - id: s\n    task: double\n  - id: a\n    task: double\n    mapvalues:\n      argnames: n\n      argvalues: ['${{ workflow.s.return }}', [k, '${{ workflow.s.return }}']]\n",
      ),
      [],
    );
  });
});

Deno.test("rjsf-overrides are checked against the generated form, at their keys", async (t) => {
  const head =
    "id: w\nworkflow:\n  - id: total\n    task: add\n    partial: {a: 1}\n";
  await t.step("valid overrides: no diagnostics", () => {
    assert.deepEqual(
      check(
        "id: w\nrjsf-overrides:\n  properties:\n    total.properties.b.default: 2\n  uiSchema:\n    total.b.ui:widget: updown\n" +
          head.slice(6),
      ),
      [],
    );
  });
  await t.step("a path through a non-object value is an error", () => {
    const d = one(
      check(
        "id: w\nrjsf-overrides:\n  properties:\n    total.title.x: 1\n" +
          head.slice(6),
      ),
      "bad-override",
      "4:5",
    );
    assert.match(d.message, /`total\.title` is not an object/);
  });
  await t.step("a property the form does not have is a warning", () => {
    const ds = check(
      "id: w\nrjsf-overrides:\n  properties:\n    total.properties.a.default: 2\n    totl.title: X\n" +
        head.slice(6),
    );
    assert.deepEqual(
      ds.map((d) => `${d.severity} ${d.code} ${d.line}:${d.col}`),
      [
        "warning override-creates 4:5", // `a` is bound by the spec
        "warning override-creates 5:5",
      ],
    );
  });
  await t.step("not checked while the spec has errors", () => {
    const ds = check(
      "id: w\nrjsf-overrides:\n  properties:\n    total.title.x: 1\n" +
        head.slice(6).replace("task: add", "task: nope"),
    );
    assert.deepEqual(codes(ds, "bad-override"), []);
  });
});

Deno.test("a top-level id equal to a group title is an error", () => {
  const d = one(
    check(
      "id: w\nworkflow:\n  - type: task-group\n    title: total\n    tasks:\n      - id: x\n        task: never\n  - id: total\n    task: add\n",
    ),
    "id-equals-group-title",
    "8:9",
  );
  assert.match(d.message, /line 4/);
});

Deno.test("checkParsedSpec checks one parse twice as checkSpec checks the text", () => {
  const text =
    "id: w\nworkflow:\n  - id: a\n    task: nope\n  - id: b\n    task: add\n    partial: {a: 1, b: '${{ workflow.c.return }}'}\n";
  const parsed = parseSpec(text, "spec.yaml");
  const before = structuredClone(parsed);
  const structural = checkParsedSpec(parsed);
  const full = checkParsedSpec(parsed, catalogue);
  assert.deepEqual(structural, checkSpec(text, "spec.yaml"));
  assert.deepEqual(full, checkSpec(text, "spec.yaml", catalogue));
  assert.ok(codes(full.diagnostics, "unknown-task").length === 1);
  assert.ok(codes(structural.diagnostics, "unknown-task").length === 0);
  assert.deepEqual(parsed, before);
  const broken = parseSpec("id: [", "spec.yaml");
  assert.equal(checkParsedSpec(broken, catalogue).spec, undefined);
});
