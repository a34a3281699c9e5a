import assert from "node:assert/strict";
import { type RegistryEntry, TASK_GROUP_MARKER } from "@wt/contracts";
import { generateSchemas, SchemaOverrideError } from "./schemas.ts";
import type {
  RjsfOverrides,
  Spec,
  TaskGroup,
  TaskInstance,
  WorkflowItem,
} from "./spec_model.ts";

const pos = { line: 1, col: 1 };
type Json = Record<string, unknown>;

function task(
  id: string,
  taskName: string,
  extra: Partial<Omit<TaskInstance, "type" | "id" | "task" | "pos">> = {},
): TaskInstance {
  return {
    type: "task",
    id,
    name: `Name of ${id}`,
    task: taskName,
    partial: {},
    pos,
    ...extra,
  };
}

function group(
  title: string,
  tasks: TaskInstance[],
  description?: string,
): TaskGroup {
  return { type: "task-group", title, description, tasks, pos };
}

function spec(
  workflow: WorkflowItem[],
  overrides: Partial<RjsfOverrides> = {},
): Spec {
  return {
    id: "w",
    requirements: [],
    file: "spec.yaml",
    task_instance_defaults: {},
    rjsf_overrides: { properties: {}, $defs: {}, uiSchema: {}, ...overrides },
    workflow,
  };
}

function entry(
  fn: string,
  jsonSchema: Json,
  description?: string,
): RegistryEntry {
  return {
    metadata: {
      tags: [],
      deprecated: false,
      ...(description ? { description } : {}),
    },
    json_schema: jsonSchema,
    public_module_path: "m",
    function_name: fn,
  };
}

const ENTRIES: Record<string, RegistryEntry> = {
  add: entry("add", {
    type: "object",
    additionalProperties: false,
    properties: {
      a: { type: "number" },
      b: { type: "number" },
      c: { type: "number" },
    },
    required: ["a", "b", "c"],
  }, "Add numbers."),
  one: entry("one", {
    type: "object",
    properties: { x: { type: "string" } },
  }),
  described: entry("described", {
    type: "object",
    description: "From the schema.",
    properties: { x: { type: "string" } },
    required: ["x"],
  }, "From the metadata."),
  refs: entry("refs", {
    type: "object",
    properties: {
      keep: { $ref: "#/$defs/A" },
      list: {
        type: "array",
        items: { anyOf: [{ $ref: "#/$defs/D" }, { type: "null" }] },
      },
      drop: { $ref: "#/$defs/Gone" },
    },
    required: ["keep", "drop"],
    $defs: {
      A: { type: "object", properties: { b: { $ref: "#/$defs/B" } } },
      B: { anyOf: [{ $ref: "#/$defs/C" }, { type: "string" }] },
      C: { type: "integer" },
      D: { type: "string" },
      Gone: { type: "object", properties: { g: { $ref: "#/$defs/GoneToo" } } },
      GoneToo: { type: "string" },
      Unused: { type: "boolean" },
    },
  }),
};

const entryFor = (t: TaskInstance): RegistryEntry => {
  const e = ENTRIES[t.task];
  if (!e) throw new Error(`unknown task ${t.task}`);
  return e;
};

const props = (s: Json): Json => s["properties"] as Json;
const ui = (s: Json): Json => s["uiSchema"] as Json;

Deno.test("bound arguments are removed and required is recomputed", async (t) => {
  await t.step("partial keys", () => {
    const { params } = generateSchemas(
      spec([task("s", "add", { partial: { b: 2 } })]),
      entryFor,
    );
    const s = props(params)["s"] as Json;
    assert.deepEqual(Object.keys(props(s)), ["a", "c"]);
    assert.deepEqual(s["required"], ["a", "c"]);
    assert.equal(s["additionalProperties"], false);
    assert.equal(s["type"], "object");
  });
  await t.step("map and mapvalues argnames", () => {
    const m = {
      argnames: ["a", "c"],
      argvalues: "${{ workflow.x.return }}",
      pos,
    };
    const { params } = generateSchemas(
      spec([
        task("s", "add", { map: m }),
        task("t", "add", { mapvalues: { ...m, argnames: ["b"] } }),
      ]),
      entryFor,
    );
    assert.deepEqual(props(params)["s"], {
      type: "object",
      additionalProperties: false,
      properties: { b: { type: "number" } },
      required: ["b"],
      description: "Add numbers.",
      title: "Name of s",
    });
    assert.deepEqual((props(params)["t"] as Json)["required"], ["a", "c"]);
  });
  await t.step(
    "required is added (empty) when the task schema has none",
    () => {
      const { params } = generateSchemas(spec([task("s", "one")]), entryFor);
      assert.deepEqual((props(params)["s"] as Json)["required"], []);
    },
  );
  await t.step("the registry entry is not modified", () => {
    generateSchemas(spec([task("s", "add", { partial: { a: 1 } })]), entryFor);
    assert.deepEqual(Object.keys(props(ENTRIES["add"]!.json_schema)), [
      "a",
      "b",
      "c",
    ]);
  });
});

Deno.test("$defs: only definitions reachable from remaining properties are kept", () => {
  const { params, rjsf } = generateSchemas(
    spec([task("s", "refs", { partial: { drop: null } })]),
    entryFor,
  );
  assert.deepEqual(Object.keys(params["$defs"] as Json).sort(), [
    "A",
    "B",
    "C",
    "D",
  ]);
  assert.deepEqual(rjsf["$defs"], params["$defs"]);
  const s = props(params)["s"] as Json;
  assert.equal(s["$defs"], undefined);
  assert.deepEqual(s["required"], ["keep"]);
});

Deno.test("$defs: empty object when nothing refers to a definition", () => {
  const { params } = generateSchemas(
    spec([
      task("s", "refs", { partial: { drop: 1, keep: 1, list: [] } }),
      task("o", "one"),
    ]),
    entryFor,
  );
  assert.deepEqual(params["$defs"], {});
  assert.deepEqual(Object.keys(props(params)), ["o"]);
});

Deno.test("instances with nothing left to set are omitted, and so are empty groups", () => {
  const { params, rjsf } = generateSchemas(
    spec([
      task("full", "one", { partial: { x: "v" } }),
      group(
        "Empty",
        [task("g1", "one", { partial: { x: 1 } })],
        "nothing here",
      ),
      task("kept", "one"),
    ]),
    entryFor,
  );
  assert.deepEqual(Object.keys(props(params)), ["kept"]);
  assert.deepEqual(Object.keys(props(rjsf)), ["kept"]);
  assert.deepEqual(ui(params)["ui:order"], ["kept"]);
  assert.deepEqual(ui(rjsf), { "ui:order": ["kept"] });
});

Deno.test("titles and descriptions", async (t) => {
  await t.step(
    "title is the instance name; null and absent names give an empty title",
    () => {
      const { params } = generateSchemas(
        spec([
          task("named", "one"),
          task("nulled", "one", { name: null }),
          task("empty", "one", { name: "" }),
          { type: "task", id: "absent", task: "one", partial: {}, pos },
        ]),
        entryFor,
      );
      const p = props(params);
      assert.equal((p["named"] as Json)["title"], "Name of named");
      assert.equal((p["nulled"] as Json)["title"], "");
      assert.equal((p["empty"] as Json)["title"], "");
      assert.equal((p["absent"] as Json)["title"], "");
    },
  );
  await t.step(
    "description from the task unless the schema has one; none when neither",
    () => {
      const { params } = generateSchemas(
        spec([task("a", "add"), task("d", "described"), task("o", "one")]),
        entryFor,
      );
      const p = props(params);
      assert.equal((p["a"] as Json)["description"], "Add numbers.");
      assert.equal((p["d"] as Json)["description"], "From the schema.");
      assert.equal(Object.hasOwn(p["o"] as Json, "description"), false);
    },
  );
});

Deno.test("grouped forms: rjsf nests groups under their title, params stays flat", () => {
  const { params, rjsf } = generateSchemas(
    spec([
      task("first", "one"),
      group("Doubling", [
        task("d1", "one"),
        task("d2", "add", { partial: { a: 1 } }),
      ], "Doubles"),
      group("Bare", [task("b1", "one")]),
    ]),
    entryFor,
  );
  assert.deepEqual(Object.keys(props(params)), ["first", "d1", "d2", "b1"]);
  assert.deepEqual(Object.keys(props(rjsf)), ["first", "Doubling", "Bare"]);
  const g = props(rjsf)["Doubling"] as Json;
  assert.equal(g["type"], "object");
  assert.equal(g["description"], "Doubles");
  assert.equal(g[TASK_GROUP_MARKER], true);
  assert.equal(Object.hasOwn(g, "title"), false);
  assert.deepEqual(props(g)["d1"], props(params)["d1"]);
  assert.deepEqual(props(g)["d2"], props(params)["d2"]);
  assert.equal(
    Object.hasOwn(props(rjsf)["Bare"] as Json, "description"),
    false,
  );
  assert.deepEqual(Object.keys(params).sort(), [
    "$defs",
    "additionalProperties",
    "properties",
    "uiSchema",
  ]);
  assert.equal(rjsf["additionalProperties"], false);
});

Deno.test("repeated group titles are merged into one group at the first position", () => {
  const { rjsf } = generateSchemas(
    spec([
      group("G", [task("a", "one")], "first"),
      task("mid", "one"),
      group(
        "G",
        [task("b", "one"), task("c", "one", { partial: { x: 1 } })],
        "second",
      ),
    ]),
    entryFor,
  );
  assert.deepEqual(Object.keys(props(rjsf)), ["G", "mid"]);
  const g = props(rjsf)["G"] as Json;
  assert.deepEqual(Object.keys(props(g)), ["a", "b"]);
  assert.equal(g["description"], "first");
  assert.deepEqual(ui(rjsf)["G"], { "ui:order": ["a", "b"] });
});

Deno.test("ui:order only where there are two or more children", () => {
  const { params, rjsf } = generateSchemas(
    spec([
      task("single", "one"),
      task("multi", "add"),
      group("Solo", [task("s_multi", "add", { partial: { c: 1 } })]),
      group("SoloSingle", [task("s_single", "one")]),
      group("Pair", [task("p1", "one"), task("p2", "add")]),
    ]),
    entryFor,
  );
  assert.deepEqual(ui(params), {
    multi: { "ui:order": ["a", "b", "c"] },
    s_multi: { "ui:order": ["a", "b"] },
    p2: { "ui:order": ["a", "b", "c"] },
    "ui:order": ["single", "multi", "s_multi", "s_single", "p1", "p2"],
  });
  assert.deepEqual(ui(rjsf), {
    multi: { "ui:order": ["a", "b", "c"] },
    Solo: { s_multi: { "ui:order": ["a", "b"] } },
    Pair: { "ui:order": ["p1", "p2"], p2: { "ui:order": ["a", "b", "c"] } },
    "ui:order": ["single", "multi", "Solo", "SoloSingle", "Pair"],
  });
});

Deno.test("rjsf-overrides apply by dotted key path to rjsf.json only", async (t) => {
  const workflow = [
    task("top", "refs", { partial: { drop: 1 } }),
    group("My Group", [task("inner", "add")], "d"),
  ];
  const overrides: RjsfOverrides = {
    properties: {
      "top.properties.keep.title": "Kept",
      "My Group.properties.inner.properties.a.default": 5,
      "My Group.properties.inner.title": "",
      "new.deep.key": [1, 2],
    },
    $defs: { "D.oneOf": [{ const: "x", title: "X" }], C: { type: "number" } },
    uiSchema: {
      "My Group.inner.a.ui:widget": "hidden",
      "top.list.items.ui:options.label": false,
      "ui:order": ["My Group", "top"],
    },
  };
  const { params, rjsf } = generateSchemas(spec(workflow, overrides), entryFor);
  await t.step("properties, through group titles", () => {
    assert.equal(
      ((props(props(rjsf)["top"] as Json)["keep"]) as Json)["title"],
      "Kept",
    );
    const inner = props(props(rjsf)["My Group"] as Json)["inner"] as Json;
    assert.equal((props(inner)["a"] as Json)["default"], 5);
    assert.equal(inner["title"], "");
    assert.deepEqual(props(rjsf)["new"], { deep: { key: [1, 2] } });
  });
  await t.step("$defs: nested keys set, whole definitions replaced", () => {
    const defs = rjsf["$defs"] as Json;
    assert.deepEqual(defs["D"], {
      type: "string",
      oneOf: [{ const: "x", title: "X" }],
    });
    assert.deepEqual(defs["C"], { type: "number" });
  });
  await t.step("uiSchema, through group titles, including ui:order", () => {
    assert.deepEqual(ui(rjsf), {
      top: {
        "ui:order": ["keep", "list"],
        list: { items: { "ui:options": { label: false } } },
      },
      "My Group": {
        inner: { "ui:order": ["a", "b", "c"], a: { "ui:widget": "hidden" } },
      },
      "ui:order": ["My Group", "top"],
    });
  });
  await t.step("params.json is untouched", () => {
    assert.equal(
      ((props(props(params)["top"] as Json)["keep"]) as Json)["title"],
      undefined,
    );
    assert.deepEqual((params["$defs"] as Json)["C"], { type: "integer" });
    assert.deepEqual(ui(params)["ui:order"], ["top", "inner"]);
    assert.equal(props(params)["new"], undefined);
  });
  await t.step(
    "a path through a non-object value is a SchemaOverrideError",
    () => {
      const bad = spec(workflow, { properties: { "top.required.0": "x" } });
      assert.throws(() => generateSchemas(bad, entryFor), (err: unknown) => {
        assert.ok(err instanceof SchemaOverrideError);
        assert.equal(err.keyPath, "top.required.0");
        assert.match(err.message, /top\.required/);
        return true;
      });
    },
  );
  await t.step(
    "with onOverrideProblem: problems are reported, the rest applied",
    () => {
      const problems: unknown[] = [];
      const { rjsf } = generateSchemas(
        spec(workflow, {
          properties: {
            "top.required.0": "x",
            "tpo.properties.keep.title": "typo",
            "top.properties.keep.title": "Kept",
          },
          $defs: { "Unused.title": "U", "D.title": "Dee" },
          uiSchema: { "top.keep.ui:widget": "textarea" },
        }),
        entryFor,
        { onOverrideProblem: (p) => problems.push(p) },
      );
      assert.deepEqual(problems, [
        {
          section: "properties",
          keyPath: "top.required.0",
          kind: "not-object",
          at: "top.required",
        },
        {
          section: "properties",
          keyPath: "tpo.properties.keep.title",
          kind: "created",
          at: "tpo",
        },
        {
          section: "$defs",
          keyPath: "Unused.title",
          kind: "created",
          at: "Unused",
        },
        {
          section: "uiSchema",
          keyPath: "top.keep.ui:widget",
          kind: "created",
          at: "top.keep",
        },
      ]);
      const top = props(rjsf)["top"] as Json;
      assert.equal((props(top)["keep"] as Json)["title"], "Kept");
      assert.equal(((rjsf["$defs"] as Json)["D"] as Json)["title"], "Dee");
    },
  );
  await t.step("`__proto__` in a key path is an ordinary key", () => {
    const { rjsf } = generateSchemas(
      spec(workflow, { properties: { "__proto__.x": 1 } }),
      entryFor,
    );
    const p = props(rjsf);
    assert.ok(Object.hasOwn(p, "__proto__"));
    assert.equal(JSON.parse(JSON.stringify(p))["__proto__"].x, 1);
    assert.equal(Object.getPrototypeOf(p), Object.prototype);
  });
});
