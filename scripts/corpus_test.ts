import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Spec, TaskInstance } from "@wt/compiler";
import { ROOT } from "./_workspace.ts";
import { deriveRegistry, mergeOrders } from "./_corpus_registry.ts";
import {
  checkCase,
  jsonDiff,
  KNOWN_INCONSISTENCIES,
  listCases,
} from "./_corpus_check.ts";

const pos = { line: 1, col: 1 };

function inst(
  id: string,
  task: string,
  partial: Record<string, unknown> = {},
): TaskInstance {
  return { type: "task", id, name: id, task, partial, pos };
}

Deno.test("mergeOrders keeps every sequence's order and first appearance otherwise", () => {
  assert.deepEqual(mergeOrders([["a", "c"], ["b", "c", "d"], ["a", "b"]]), [
    "a",
    "b",
    "c",
    "d",
  ]);
  assert.deepEqual(mergeOrders([["x", "y"], ["y", "x"]]), ["x", "y"]);
  assert.deepEqual(mergeOrders([]), []);
});

Deno.test("jsonDiff ignores object key order, not array order", () => {
  assert.deepEqual(jsonDiff({ a: 1, b: [1, 2] }, { b: [1, 2], a: 1 }), []);
  assert.deepEqual(jsonDiff({ b: [2, 1] }, { b: [1, 2] }), [
    "/b/0: got 2, expected 1",
    "/b/1: got 1, expected 2",
  ]);
  assert.deepEqual(jsonDiff({ a: { "x/y": null } }, { a: {} }), [
    "/a/x~1y: got null, expected (absent)",
  ]);
});

Deno.test("deriveRegistry: union per task, hidden bound arguments, conditions, qualified names", () => {
  const spec: Spec = {
    id: "w",
    requirements: [],
    file: "spec.yaml",
    rjsf_overrides: { properties: {}, $defs: {}, uiSchema: {} },
    task_instance_defaults: {
      skipif: { conditions: ["never"], unpack_depth: 1, pos },
    },
    workflow: [
      inst("one", "t", { c: 1, hidden: 2 }),
      inst("two", "t", { a: 1 }),
      inst("q", "pkg.mod.fn"),
      inst("bare", "fn", { z: 1 }),
    ],
  };
  const params = {
    properties: {
      one: {
        type: "object",
        additionalProperties: false,
        properties: { a: { $ref: "#/$defs/A" }, b: {} },
        required: ["a"],
        description: "Task t.",
        title: "one",
      },
      two: {
        type: "object",
        additionalProperties: false,
        properties: { b: {}, c: {} },
        required: ["c"],
        title: "two",
      },
    },
    $defs: {
      A: { $ref: "#/$defs/B" },
      B: { type: "string" },
      Z: { type: "null" },
    },
  };
  const { registry, keyOf, entryFor } = deriveRegistry(spec, params);
  assert.deepEqual(Object.keys(registry.entries).sort(), [
    "corpus.never",
    "corpus.t",
    "pkg.mod.fn",
  ]);
  const t = registry.entries["corpus.t"]!;
  assert.deepEqual(t.json_schema, {
    type: "object",
    additionalProperties: false,
    properties: { a: { $ref: "#/$defs/A" }, b: {}, c: {} },
    required: ["a", "c"],
    $defs: { A: { $ref: "#/$defs/B" }, B: { type: "string" } },
  });
  assert.deepEqual(t.parameters, ["a", "b", "c", "hidden"]);
  assert.equal(t.metadata.description, "Task t.");
  assert.equal(keyOf.get("fn"), "pkg.mod.fn");
  assert.deepEqual(registry.entries["pkg.mod.fn"]!.parameters, ["z"]);
  assert.equal(entryFor(inst("x", "fn")).function_name, "fn");
});

const CASES = join(ROOT, "..", "shared", "corpus", "cases");
const haveCorpus = existsSync(CASES);

Deno.test({
  name: haveCorpus
    ? "corpus: every case matches the reference schemas except the known inconsistencies"
    : `corpus: skipped because ${CASES} does not exist`,
  ignore: !haveCorpus,
  fn: async () => {
    const names = await listCases(CASES);
    const failing: string[] = [];
    for (const name of names) {
      const r = await checkCase(join(CASES, name), name);
      if (!r.ok) failing.push(name);
    }
    assert.deepEqual(failing, Object.keys(KNOWN_INCONSISTENCIES).sort());
    assert.ok(
      names.length - failing.length >= 21,
      `only ${names.length - failing.length} match`,
    );
  },
});
