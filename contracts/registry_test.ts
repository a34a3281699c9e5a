import assert from "node:assert/strict";
import * as v from "valibot";
import {
  entryParameters,
  entryRequiredParameters,
  qualifiedName,
  REGISTRY_OUTPUT_VERSION,
  RegistryEntry,
  RegistryMetadata,
  RegistryOutput,
} from "./mod.ts";

const entry = {
  metadata: { title: "Add" },
  json_schema: {
    type: "object",
    properties: { a: { type: "integer" }, b: { type: "integer" } },
    required: ["a", "b"],
  },
  public_module_path: "@wt-examples/custom-tasks",
  function_name: "add",
};

Deno.test("RegistryMetadata fills defaults and checks types", () => {
  assert.deepEqual(v.parse(RegistryMetadata, {}), {
    tags: [],
    deprecated: false,
  });
  const a = v.parse(RegistryMetadata, {});
  const b = v.parse(RegistryMetadata, {});
  assert.notEqual(a.tags, b.tags, "each parse gets its own tags array");
  assert.equal(v.is(RegistryMetadata, { tags: ["io", 1] }), false);
  assert.equal(v.is(RegistryMetadata, { deprecated: "yes" }), false);
  assert.equal(v.is(RegistryMetadata, { title: 1 }), false);
});

Deno.test("RegistryEntry", async (t) => {
  await t.step("parses with defaults in metadata", () => {
    const e = v.parse(RegistryEntry, entry);
    assert.deepEqual(e.metadata, { title: "Add", tags: [], deprecated: false });
    assert.equal(e.parameters, undefined);
  });
  await t.step("rejects missing or empty names and a non-object schema", () => {
    assert.equal(v.is(RegistryEntry, { ...entry, function_name: "" }), false);
    assert.equal(
      v.is(RegistryEntry, { ...entry, public_module_path: "" }),
      false,
    );
    assert.equal(v.is(RegistryEntry, { ...entry, json_schema: [] }), false);
    assert.equal(v.is(RegistryEntry, { ...entry, parameters: [1] }), false);
    assert.equal(
      v.is(RegistryEntry, { ...entry, required_parameters: "a" }),
      false,
    );
    const { metadata: _, ...noMeta } = entry;
    assert.equal(v.is(RegistryEntry, noMeta), false);
  });
});

Deno.test("RegistryOutput checks the version and the entries", () => {
  const out = v.parse(RegistryOutput, {
    version: REGISTRY_OUTPUT_VERSION,
    entries: { [qualifiedName(entry)]: entry },
  });
  assert.equal(out.version, "1.0.0");
  assert.equal(
    out.entries["@wt-examples/custom-tasks.add"]?.function_name,
    "add",
  );
  assert.equal(v.is(RegistryOutput, { version: "2.0.0", entries: {} }), false);
  assert.equal(
    v.is(RegistryOutput, { version: "1.0.0", entries: { x: {} } }),
    false,
  );
});

Deno.test("qualifiedName joins module path and function name", () => {
  assert.equal(qualifiedName(entry), "@wt-examples/custom-tasks.add");
  assert.equal(
    qualifiedName({ public_module_path: "./tasks/mod.ts", function_name: "f" }),
    "./tasks/mod.ts.f",
  );
});

Deno.test("entryParameters", async (t) => {
  const parsed = v.parse(RegistryEntry, entry);
  await t.step("falls back to the schema's properties", () => {
    assert.deepEqual(entryParameters(parsed), ["a", "b"]);
  });
  await t.step("prefers `parameters` (hidden arguments included)", () => {
    const withHidden = { ...parsed, parameters: ["frame", "a", "b"] };
    const names = entryParameters(withHidden);
    assert.deepEqual(names, ["frame", "a", "b"]);
    names.push("mutated");
    assert.deepEqual(
      withHidden.parameters,
      ["frame", "a", "b"],
      "returns a copy",
    );
  });
  await t.step("no properties → no parameters", () => {
    assert.deepEqual(
      entryParameters({ ...parsed, json_schema: { type: "object" } }),
      [],
    );
  });
});

Deno.test("entryRequiredParameters", async (t) => {
  const parsed = v.parse(RegistryEntry, entry);
  await t.step("falls back to the schema's required list", () => {
    assert.deepEqual(entryRequiredParameters(parsed), ["a", "b"]);
    assert.deepEqual(
      entryRequiredParameters({ ...parsed, json_schema: { type: "object" } }),
      [],
    );
  });
  await t.step(
    "prefers `required_parameters` (hidden arguments included)",
    () => {
      const withHidden = v.parse(RegistryEntry, {
        ...entry,
        parameters: ["frame", "a", "b"],
        required_parameters: ["frame", "a"],
      });
      assert.deepEqual(withHidden.required_parameters, ["frame", "a"]);
      assert.deepEqual(entryRequiredParameters(withHidden), ["frame", "a"]);
    },
  );
});
