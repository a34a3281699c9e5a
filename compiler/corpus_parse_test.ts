import assert from "node:assert/strict";
import { hasErrors } from "./diagnostics.ts";
import { parseSpec } from "./parse.ts";
import { flattenInstances } from "./spec_model.ts";
import { validateSpec } from "./validate.ts";

const CASES = new URL("../../shared/corpus/cases/", import.meta.url);

function caseNames(): string[] | undefined {
  try {
    return [...Deno.readDirSync(CASES)].filter((e) => e.isDirectory).map((e) =>
      e.name
    ).sort();
  } catch {
    return undefined;
  }
}

const names = caseNames();

Deno.test({
  name: names
    ? `every corpus spec parses and passes task-independent validation (${names.length} cases)`
    : "corpus specs parse (SKIPPED: ../shared/corpus/cases not found)",
  ignore: names === undefined,
  fn: async (t) => {
    assert.ok(names && names.length > 0);
    for (const name of names) {
      await t.step(name, () => {
        const file = new URL(`${name}/spec.yaml`, CASES);
        const { spec, diagnostics } = parseSpec(
          Deno.readTextFileSync(file),
          file.pathname,
        );
        assert.ok(spec, `${name}: no spec`);
        const semantic = validateSpec(spec);
        const all = [...diagnostics, ...semantic];
        assert.ok(
          !hasErrors(all),
          JSON.stringify(all.filter((d) => d.severity === "error"), null, 1),
        );
        // Only conda warnings are expected from the structure alone.
        assert.ok(
          all.every((d) => d.code === "conda-requirement"),
          JSON.stringify(all, null, 1),
        );
        assert.ok(flattenInstances(spec).length >= 10);
      });
    }
  },
});
