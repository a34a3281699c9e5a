import assert from "node:assert/strict";
import fc from "fast-check";
import { parse, stringify } from "yaml";
import { Catalogue } from "./catalogue.ts";
import type { Diagnostic } from "./diagnostics.ts";
import { parseRegistryText } from "./load_catalogue.ts";
import { checkSpec } from "./validate.ts";

const base = Deno.readTextFileSync(
  new URL("./testdata/validate/valid.yaml", import.meta.url),
);
const catalogue = new Catalogue(
  parseRegistryText(
    Deno.readTextFileSync(
      new URL("./testdata/validate/registry.json", import.meta.url),
    ),
    "registry.json",
  ),
);

function assertLocated(ds: Diagnostic[], text: string): void {
  const lines = text.split("\n").length;
  for (const d of ds) {
    assert.equal(d.file, "spec.yaml");
    assert.ok(
      Number.isInteger(d.line) && d.line >= 1 && d.line <= lines + 1,
      JSON.stringify(d),
    );
    assert.ok(Number.isInteger(d.col) && d.col >= 1, JSON.stringify(d));
    assert.ok(d.message.length > 0 && d.code.length > 0, JSON.stringify(d));
    assert.notEqual(d.code, "internal", d.message);
  }
}

type Json = unknown;
type Mutation = (doc: Json, pick: number, junk: Json) => void;

/** Every container (object/array) in the document, with a path for deterministic picking. */
function containers(doc: Json): Array<Record<string, Json> | Json[]> {
  const out: Array<Record<string, Json> | Json[]> = [];
  const walk = (v: Json) => {
    if (Array.isArray(v)) {
      out.push(v);
      v.forEach(walk);
    } else if (v && typeof v === "object") {
      out.push(v as Record<string, Json>);
      Object.values(v).forEach(walk);
    }
  };
  walk(doc);
  return out;
}

const mutations: Mutation[] = [
  // delete a key / an element
  (doc, pick) => {
    const cs = containers(doc);
    const c = cs[pick % cs.length]!;
    if (Array.isArray(c)) c.splice(pick % Math.max(c.length, 1), 1);
    else {
      const keys = Object.keys(c);
      if (keys.length) delete c[keys[pick % keys.length]!];
    }
  },
  // replace a value with junk
  (doc, pick, junk) => {
    const cs = containers(doc);
    const c = cs[pick % cs.length]!;
    if (Array.isArray(c)) {
      if (c.length) c[pick % c.length] = junk;
    } else {
      const keys = Object.keys(c);
      if (keys.length) c[keys[pick % keys.length]!] = junk;
    }
  },
  // insert a junk key
  (doc, pick, junk) => {
    const cs = containers(doc);
    const c = cs[pick % cs.length]!;
    if (Array.isArray(c)) c.splice(pick % (c.length + 1), 0, junk);
    else c[`junk${pick % 7}`] = junk;
  },
  // swap two list elements (breaks dependency order)
  (doc, pick) => {
    const lists = containers(doc).filter((c): c is Json[] =>
      Array.isArray(c) && c.length > 1
    );
    if (!lists.length) return;
    const l = lists[pick % lists.length]!;
    const i = pick % l.length;
    const j = (i + 1) % l.length;
    [l[i], l[j]] = [l[j], l[i]];
  },
  // change an id (or any string) into a reserved word / duplicate / bad identifier
  (doc, pick) => {
    const cs = containers(doc).filter((c) =>
      !Array.isArray(c) && "id" in c
    ) as Array<Record<string, Json>>;
    if (!cs.length) return;
    const c = cs[pick % cs.length]!;
    c["id"] = [
      "class",
      "my-id",
      "total",
      "x".repeat(70),
      "",
      "doubled",
      "add",
    ][pick % 7]!;
  },
  // break an expression
  (doc, pick) => {
    const cs = containers(doc);
    for (const c of cs) {
      const entries = Array.isArray(c)
        ? c.map((v, i) => [i, v] as const)
        : Object.entries(c);
      for (const [k, v] of entries) {
        if (typeof v === "string" && v.includes("${{")) {
          const broken = [
            v.replace(".return", ""),
            v + " tail",
            v.replace("}}", "}"),
            v.replace(/workflow\.\w+/, "workflow.nowhere"),
            "${{ secrets.X }}",
          ][pick % 5];
          (c as Record<string | number, Json>)[k] = broken;
          return;
        }
      }
    }
  },
];

const junkArb: fc.Arbitrary<Json> = fc.oneof(
  fc.constant(null),
  fc.integer(),
  fc.boolean(),
  fc.string({ maxLength: 12 }),
  fc.constantFrom(
    "${{ workflow.total.return }}",
    "${{ env.X }}",
    "${{",
    "task-group",
  ),
  fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.integer(), { maxKeys: 3 }),
);

Deno.test("property: mutated specs yield located diagnostics, never exceptions", () => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.nat(mutations.length - 1), fc.nat(1000), junkArb), {
        minLength: 1,
        maxLength: 4,
      }),
      (steps) => {
        const doc = parse(base);
        for (const [m, pick, junk] of steps) mutations[m]!(doc, pick, junk);
        const text = stringify(doc);
        const { diagnostics } = checkSpec(text, "spec.yaml", catalogue);
        assertLocated(diagnostics, text);
      },
    ),
    { numRuns: 300, seed: 42 },
  );
});

Deno.test("property: text-level corruption yields located diagnostics, never exceptions", () => {
  fc.assert(
    fc.property(
      fc.nat(base.length),
      fc.nat(20),
      fc.constantFrom(
        "\t",
        ":",
        "- ",
        "  ",
        "{",
        "[",
        '"',
        "'",
        "&a ",
        "*a",
        "!!int ",
        "\n",
        "#",
        "${{",
      ),
      (at, cut, insert) => {
        const text = base.slice(0, at) + insert +
          base.slice(Math.min(base.length, at + cut));
        const { diagnostics } = checkSpec(text, "spec.yaml", catalogue);
        assertLocated(diagnostics, text);
      },
    ),
    { numRuns: 300, seed: 7 },
  );
});
