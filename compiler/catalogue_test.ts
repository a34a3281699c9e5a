import assert from "node:assert/strict";
import type { RegistryEntry } from "@wt/contracts";
import { Catalogue, describeResolution } from "./catalogue.ts";
import { CatalogueLoadError, parseRegistryText } from "./load_catalogue.ts";

const entry = (mod: string, fn: string): RegistryEntry => ({
  metadata: { tags: [], deprecated: false },
  json_schema: { type: "object", properties: {} },
  public_module_path: mod,
  function_name: fn,
});

const cat = new Catalogue({
  version: "1.0.0",
  entries: {
    "@a/m.add": entry("@a/m", "add"),
    "@a/n.add": entry("@a/n", "add"),
    "@a/m.double": entry("@a/m", "double"),
    "pkg.tasks.io.get_events": entry("pkg.tasks.io", "get_events"),
  },
});

Deno.test("Catalogue.resolve", async (t) => {
  await t.step("bare name by function name", () => {
    const r = cat.resolve("double");
    assert.equal(r.kind, "found");
    if (r.kind === "found") assert.equal(r.qualified, "@a/m.double");
  });
  await t.step("ambiguous bare name lists candidates", () => {
    const r = cat.resolve("add");
    assert.deepEqual(r, {
      kind: "ambiguous",
      candidates: ["@a/m.add", "@a/n.add"],
    });
    assert.match(describeResolution("add", r), /`@a\/m\.add`, `@a\/n\.add`/);
  });
  await t.step("qualified names, including dotted module paths", () => {
    assert.equal(cat.resolve("@a/n.add").kind, "found");
    assert.equal(cat.resolve("pkg.tasks.io.get_events").kind, "found");
    assert.equal(cat.resolve("get_events").kind, "found");
  });
  await t.step("unknown names get the nearest suggestions", () => {
    assert.deepEqual(cat.resolve("duble"), {
      kind: "unknown",
      suggestions: ["double"],
    });
    const r = cat.resolve("@a/x.double");
    assert.equal(r.kind, "unknown");
    if (r.kind === "unknown") assert.deepEqual(r.suggestions, ["@a/m.double"]);
    assert.deepEqual(cat.resolve("zzzzzzzz"), {
      kind: "unknown",
      suggestions: [],
    });
    assert.match(
      describeResolution("zzzzzzzz", cat.resolve("zzzzzzzz")),
      /requirements/,
    );
  });
});

Deno.test("parseRegistryText rejects bad input with a located message", () => {
  assert.throws(() => parseRegistryText("{", "r.json"), CatalogueLoadError);
  assert.throws(
    () =>
      parseRegistryText(
        '{"version": "1.0.0", "entries": {"x": {"metadata": {}}}}',
        "r.json",
      ),
    (e: unknown) =>
      e instanceof CatalogueLoadError && /entries\.x/.test(e.message),
  );
});
