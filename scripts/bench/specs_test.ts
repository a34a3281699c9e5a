import assert from "node:assert/strict";
import { join } from "node:path";
import { Catalogue } from "../../compiler/catalogue.ts";
import { discover } from "../../compiler/discovery.ts";
import { parseSpec } from "../../compiler/parse.ts";
import { checkSpec } from "../../compiler/validate.ts";
import { dagSpec, sizedSpec } from "./specs.ts";
import { ROOT } from "./_process.ts";

async function catalogueOf(yaml: string, cacheDir: string): Promise<Catalogue> {
  const { spec } = parseSpec(yaml, "spec.yaml");
  assert.ok(spec);
  return new Catalogue(
    await discover(spec.requirements, { specDir: ROOT, link: ROOT, cacheDir }),
  );
}

Deno.test("bench specs are valid against their task libraries", async (t) => {
  const cacheDir = await Deno.makeTempDir();
  try {
    await t.step("sized specs: n instances, no diagnostics", async () => {
      const customTasks = join(ROOT, "examples", "custom-tasks");
      const catalogue = await catalogueOf(
        sizedSpec(10, customTasks).yaml,
        cacheDir,
      );
      for (const n of [10, 100]) {
        const s = sizedSpec(n, customTasks);
        const { spec, diagnostics } = checkSpec(s.yaml, "spec.yaml", catalogue);
        assert.deepEqual(
          diagnostics.filter((d) => d.code !== "argument-left-to-form"),
          [],
        );
        const count = spec!.workflow.reduce(
          (k, item) => k + (item.type === "task" ? 1 : item.tasks.length),
          0,
        );
        assert.equal(count, n);
      }
      assert.throws(() => sizedSpec(15, customTasks), RangeError);
    });
    await t.step("DAG specs: no diagnostics, critical paths", async () => {
      const sleepTasks = join(ROOT, "scripts", "bench", "tasks");
      const size = { width: 3, depth: 4, ms: 10 };
      const catalogue = await catalogueOf(
        dagSpec("deep", size, sleepTasks).yaml,
        cacheDir,
      );
      const expected = { wide: [5, 30], deep: [4, 40], lattice: [13, 50] };
      for (const shape of ["wide", "deep", "lattice"] as const) {
        const d = dagSpec(shape, size, sleepTasks);
        const { diagnostics } = checkSpec(d.yaml, "spec.yaml", catalogue);
        assert.deepEqual(diagnostics, [], shape);
        assert.deepEqual([d.instances, d.criticalPathMs], expected[shape]);
        assert.equal(d.totalSleepMs, d.instances * size.ms);
      }
    });
  } finally {
    await Deno.remove(cacheDir, { recursive: true });
  }
});
