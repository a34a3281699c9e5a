import assert from "node:assert/strict";
import {
  artifactsSha256,
  bumpVersion,
  canonicalJson,
  paramsSha256,
  readFingerprint,
  specSha256,
} from "./fingerprint.ts";
import type { Spec } from "./spec_model.ts";

const pos = { line: 1, col: 1 };

function spec(overrides: Partial<Spec> = {}): Spec {
  return {
    id: "w",
    requirements: [{ name: "@a/lib", path: "../lib", pos }],
    file: "spec.yaml",
    task_instance_defaults: {},
    rjsf_overrides: { properties: {}, $defs: {}, uiSchema: {} },
    workflow: [
      {
        type: "task-group",
        title: "Group",
        description: "A group",
        pos,
        tasks: [{
          type: "task",
          id: "a",
          name: "A",
          task: "add",
          partial: { b: 1 },
          pos,
          group: "Group",
        }],
      },
    ],
    ...overrides,
  };
}

Deno.test("canonicalJson sorts keys at every level and drops undefined", () => {
  assert.equal(
    canonicalJson({ b: [{ z: 1, y: undefined, a: 2 }], a: null }),
    '{"a":null,"b":[{"a":2,"z":1}]}',
  );
});

Deno.test("specSha256 ignores names, titles, descriptions, requirements and positions", () => {
  const base = specSha256(spec());
  const cosmetic = spec({
    requirements: [],
    file: "other.yaml",
    workflow: [{
      type: "task-group",
      title: "Renamed",
      pos: { line: 9, col: 9 },
      tasks: [{
        type: "task",
        id: "a",
        name: null,
        task: "add",
        partial: { b: 1 },
        pos,
        group: "Renamed",
      }],
    }],
  });
  assert.equal(specSha256(cosmetic), base);
  const ungrouped = spec({
    workflow: [{ type: "task", id: "a", task: "add", partial: { b: 1 }, pos }],
  });
  assert.notEqual(specSha256(ungrouped), base, "grouping is structure");
  const rebound = spec({
    workflow: [{ type: "task", id: "a", task: "add", partial: { b: 2 }, pos }],
  });
  assert.notEqual(specSha256(rebound), specSha256(ungrouped));
  const skip = spec({
    task_instance_defaults: {
      skipif: { conditions: ["never"], unpack_depth: 1, pos },
    },
  });
  assert.notEqual(specSha256(skip), base);
});

Deno.test("paramsSha256 drops schema keywords, not property names", () => {
  const a = {
    properties: {
      t: {
        title: "T",
        properties: { title: { type: "string", default: "x" } },
      },
    },
  };
  const b = {
    properties: {
      t: {
        title: "U",
        properties: { title: { type: "string", default: "y" } },
      },
    },
  };
  const c = { properties: { t: { properties: { name: { type: "string" } } } } };
  assert.equal(paramsSha256(a), paramsSha256(b));
  assert.notEqual(paramsSha256(a), paramsSha256(c));
  assert.equal(
    paramsSha256({ ...a, uiSchema: { "ui:order": ["t"] } }),
    paramsSha256(a),
  );
});

Deno.test("artifactsSha256 ignores README, VERSION, lockfile and the version field", () => {
  const files = (v: string, readme: string) =>
    new Map([
      ["deno.json", JSON.stringify({ name: "x", version: v })],
      ["VERSION", v],
      ["README.md", readme],
      ["src/cli.ts", "code"],
    ]);
  assert.equal(
    artifactsSha256(files("1.0.0", "a")),
    artifactsSha256(files("2.0.0", "b")),
  );
  const changed = files("1.0.0", "a");
  changed.set("src/cli.ts", "other code");
  assert.notEqual(
    artifactsSha256(changed),
    artifactsSha256(files("1.0.0", "a")),
  );
});

Deno.test("readFingerprint rejects missing or malformed blocks", () => {
  assert.equal(readFingerprint("# no block"), undefined);
  assert.equal(
    readFingerprint(
      "<!-- wt:fingerprint:begin -->\n{nope\n<!-- wt:fingerprint:end -->",
    ),
    undefined,
  );
});

Deno.test("bumpVersion", () => {
  assert.equal(bumpVersion("0.3.9", false), "0.4.0");
  assert.equal(bumpVersion("0.3.9\n", true), "1.0.0");
  assert.throws(() => bumpVersion("v1", true), /MAJOR\.MINOR\.PATCH/);
});
