import assert from "node:assert/strict";
import { locate, parseSpec } from "./parse.ts";
import {
  flattenInstances,
  type TaskGroup,
  type TaskInstance,
} from "./spec_model.ts";
import type { Diagnostic } from "./diagnostics.ts";

const where = (d: Diagnostic | undefined): string =>
  d ? `${d.line}:${d.col}` : "none";
const only = (ds: Diagnostic[], code: string): Diagnostic[] =>
  ds.filter((d) => d.code === code);

Deno.test("parseSpec: YAML edge cases seen in real specs", async (t) => {
  await t.step("tab characters after values are not part of the value", () => {
    const { spec, diagnostics } = parseSpec(
      "id: w\nworkflow:\n  - id: a\t\n    task: f\t\n    partial:\n      column_name: event_type\t\n      cols:\n        - age\t\n",
      "s.yaml",
    );
    assert.deepEqual(diagnostics, []);
    const a = spec!.workflow[0] as TaskInstance;
    assert.equal(a.id, "a");
    assert.equal(a.task, "f");
    assert.deepEqual(a.partial, { column_name: "event_type", cols: ["age"] });
  });

  await t.step(
    "`on:` and `yes`/`no` are strings (YAML 1.2 core schema)",
    () => {
      const { spec, diagnostics } = parseSpec(
        "id: w\nworkflow:\n  - id: a\n    task: merge\n    partial:\n      on: id \n      how: yes\n      off: no\n",
        "s.yaml",
      );
      assert.deepEqual(diagnostics, []);
      assert.deepEqual((spec!.workflow[0] as TaskInstance).partial, {
        on: "id",
        how: "yes",
        off: "no",
      });
    },
  );

  await t.step("`return}}` without the inner space is kept verbatim", () => {
    const { spec } = parseSpec(
      "id: w\nworkflow:\n  - id: a\n    task: f\n  - id: b\n    task: g\n    partial:\n      x: ${{ workflow.a.return}}\n",
      "s.yaml",
    );
    assert.equal(
      (spec!.workflow[1] as TaskInstance).partial["x"],
      "${{ workflow.a.return}}",
    );
  });

  await t.step("references inside list literals, nested to any depth", () => {
    const { spec } = parseSpec(
      "id: w\nworkflow:\n  - id: a\n    task: f\n  - id: b\n    task: g\n    partial:\n      widgets:\n        - ${{ workflow.a.return }}\n        - [1, {deep: '${{ workflow.a.return }}'}]\n",
      "s.yaml",
    );
    const b = spec!.workflow[1] as TaskInstance;
    assert.deepEqual(b.partial["widgets"], [
      "${{ workflow.a.return }}",
      [1, { deep: "${{ workflow.a.return }}" }],
    ]);
    const p = locate(spec!.locations, `${b.path}/partial/widgets/1/1/deep`);
    assert.equal(`${p.line}:${p.col}`, "10:22");
  });

  await t.step("repeated group titles and null / empty / missing names", () => {
    const { spec, diagnostics } = parseSpec(
      `id: w
workflow:
  - type: task-group
    title: Maps
    tasks:
      - id: a
        name: null
        task: f
  - type: task-group
    title: Maps
    tasks:
      - id: b
        name: ""
        task: f
      - id: c
        task: f
`,
      "s.yaml",
    );
    assert.deepEqual(diagnostics, []);
    const groups = spec!.workflow as TaskGroup[];
    assert.equal(groups[0]!.title, groups[1]!.title);
    const [a, b, c] = flattenInstances(spec!);
    assert.equal(a!.name, null);
    assert.equal(b!.name, "");
    assert.equal(c!.name, undefined);
    assert.equal(c!.group, "Maps");
  });

  await t.step(
    "conda requirement (name/version/channel) is a warning at `channel`",
    () => {
      const { spec, diagnostics } = parseSpec(
        `id: w
requirements:
  - name: ecoscope-platform
    version: 2.13.0
    channel: https://repo.prefix.dev/ecoscope-workflows/
  - name: "@acme/geo"
    version: 1.10
    registry: npm
workflow:
  - id: a
    task: f
`,
        "s.yaml",
      );
      assert.equal(diagnostics.length, 1);
      assert.equal(diagnostics[0]!.severity, "warning");
      assert.equal(diagnostics[0]!.code, "conda-requirement");
      assert.equal(where(diagnostics[0]), "5:5");
      assert.match(diagnostics[0]!.message, /cannot be installed from Deno/);
      assert.equal(
        spec!.requirements[0]!.channel,
        "https://repo.prefix.dev/ecoscope-workflows/",
      );
      assert.equal(
        spec!.requirements[1]!.version,
        "1.10",
        "numeric versions keep their source text",
      );
      assert.equal(spec!.requirements[1]!.registry, "npm");
    },
  );

  await t.step("skipif and map are normalised", () => {
    const { spec } = parseSpec(
      `id: w
workflow:
  - id: a
    task: f
    skipif:
      conditions: []
    map:
      argnames: x
      argvalues: [1, 2]
  - id: b
    task: f
    skipif:
      conditions: [never]
      unpack_depth: 2
`,
      "s.yaml",
    );
    const [a, b] = flattenInstances(spec!);
    assert.deepEqual(a!.skipif?.conditions, []);
    assert.equal(a!.skipif?.unpack_depth, 1);
    assert.deepEqual(a!.map?.argnames, ["x"]);
    assert.deepEqual(a!.map?.argvalues, [1, 2]);
    assert.deepEqual(b!.skipif?.conditions, ["never"]);
    assert.equal(b!.skipif?.unpack_depth, 2);
  });
});

Deno.test("parseSpec: structural problems are located", async (t) => {
  await t.step("YAML syntax error", () => {
    const { spec, diagnostics } = parseSpec(
      "id: w\nworkflow:\n  - id: [a\n",
      "s.yaml",
    );
    assert.equal(spec, undefined);
    assert.ok(diagnostics.length > 0);
    assert.equal(diagnostics[0]!.code, "yaml-syntax");
    assert.ok(diagnostics.every((d) => d.line >= 1 && d.col >= 1));
  });

  await t.step("duplicate mapping key", () => {
    const { diagnostics } = parseSpec(
      "id: w\nworkflow:\n  - id: a\n    id: b\n    task: f\n",
      "s.yaml",
    );
    assert.equal(diagnostics[0]!.code, "yaml-syntax");
    assert.equal(where(diagnostics[0]), "4:5");
  });

  await t.step("unknown top-level key, with the nearest valid key", () => {
    const { diagnostics } = parseSpec(
      "id: w\nworkflow:\n  - id: a\n    task: f\nworkfow: []\n",
      "s.yaml",
    );
    const [d] = only(diagnostics, "unknown-key");
    assert.equal(where(d), "5:1");
    assert.match(d!.message, /did you mean `workflow`/);
  });

  await t.step("unknown instance key", () => {
    const { diagnostics } = parseSpec(
      "id: w\nworkflow:\n  - id: a\n    tsk: f\n",
      "s.yaml",
    );
    const [d] = only(diagnostics, "unknown-key");
    assert.equal(where(d), "4:5");
    assert.match(d!.message, /did you mean `task`/);
    assert.equal(where(only(diagnostics, "missing-key")[0]), "3:5");
  });

  await t.step(
    "unknown keys in group, map, skipif, requirement, defaults, overrides",
    () => {
      const { diagnostics } = parseSpec(
        `id: w
requirements:
  - name: x
    paht: ../x
rjsf-overrides:
  uischema: {}
task-instance-defaults:
  skipiff: {}
workflow:
  - type: task-group
    title: G
    descripton: d
    tasks:
      - id: a
        task: f
        map:
          argnames: x
          argvalue: [1]
        skipif:
          condition: [never]
`,
        "s.yaml",
      );
      const got = only(diagnostics, "unknown-key").map((d) =>
        `${where(d)} ${d.message.split(";")[0]}`
      );
      assert.deepEqual(got, [
        "4:5 unknown key `paht` in a requirement",
        "6:3 unknown key `uischema` in `rjsf-overrides`",
        "8:3 unknown key `skipiff` in `task-instance-defaults`",
        "12:5 unknown key `descripton` in a task group",
        "18:11 unknown key `argvalue` in `map`",
        "20:11 unknown key `condition` in `skipif`",
      ]);
      assert.equal(where(only(diagnostics, "map-incomplete")[0]), "16:9");
    },
  );

  await t.step("wrong value types", () => {
    const { diagnostics } = parseSpec(
      "id: w\nworkflow:\n  - id: 12\n    task: f\n    partial: [1]\n    skipif:\n      unpack_depth: -1\n",
      "s.yaml",
    );
    const got = only(diagnostics, "bad-type").map(where);
    assert.deepEqual(got, ["3:9", "5:14", "7:21"]);
  });

  await t.step("missing id and workflow", () => {
    const { spec, diagnostics } = parseSpec("requirements: []\n", "s.yaml");
    assert.ok(spec);
    assert.deepEqual(only(diagnostics, "missing-key").map(where), [
      "1:1",
      "1:1",
    ]);
  });

  await t.step("`map` and `mapvalues` together: at the second one", () => {
    const { diagnostics } = parseSpec(
      "id: w\nworkflow:\n  - id: a\n    task: f\n    map: {argnames: x, argvalues: [1]}\n    mapvalues: {argnames: y, argvalues: [2]}\n",
      "s.yaml",
    );
    const [d] = only(diagnostics, "map-and-mapvalues");
    assert.equal(where(d), "6:5");
  });

  await t.step("argnames without argvalues", () => {
    const { diagnostics } = parseSpec(
      "id: w\nworkflow:\n  - id: a\n    task: f\n    mapvalues:\n      argnames: x\n",
      "s.yaml",
    );
    const [d] = only(diagnostics, "map-incomplete");
    assert.equal(where(d), "5:5");
    assert.match(d!.message, /add `argvalues`/);
  });

  await t.step("nested task group and unknown item type", () => {
    const { diagnostics } = parseSpec(
      `id: w
workflow:
  - type: task-group
    title: G
    tasks:
      - type: task-group
        title: H
        tasks: []
  - type: tsk-group
    id: a
`,
      "s.yaml",
    );
    assert.equal(where(only(diagnostics, "nested-group")[0]), "6:9");
    const [bad] = only(diagnostics, "bad-value");
    assert.equal(where(bad), "9:11");
    assert.match(bad!.message, /did you mean `task-group`/);
  });

  await t.step("a group without `type` hints at `type: task-group`", () => {
    const { diagnostics } = parseSpec(
      "id: w\nworkflow:\n  - title: G\n    tasks: []\n",
      "s.yaml",
    );
    const keys = only(diagnostics, "unknown-key");
    assert.equal(where(keys[0]), "3:5");
    assert.match(keys[0]!.message, /type: task-group/);
  });

  await t.step("empty text and non-mapping root", () => {
    assert.equal(parseSpec("", "s.yaml").diagnostics[0]!.code, "empty-spec");
    const r = parseSpec("- a\n- b\n", "s.yaml");
    assert.equal(r.spec, undefined);
    assert.equal(r.diagnostics[0]!.code, "bad-type");
  });

  await t.step("recursive aliases are reported, not followed forever", () => {
    const r = parseSpec(
      "id: w\nworkflow:\n  - id: a\n    task: f\n    partial:\n      x: &r [1, *r]\n",
      "s.yaml",
    );
    assert.ok(
      r.diagnostics.some((d) =>
        d.code === "recursive-alias" || d.code === "yaml-syntax"
      ),
    );
  });
});
