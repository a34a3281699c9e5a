// Package hygiene of every workspace member: its deno.json, README, CHANGELOG and module
// doc; imports across members by package name only; no `jsr:` imports.
import assert from "node:assert/strict";
import { dirname, join, relative, resolve } from "node:path";
import { members, ROOT } from "./_workspace.ts";

const IMPORT =
  /(?:^|[\s;])(?:import|export)\s[^"']*?\bfrom\s*["']([^"']+)["']|\bimport\s*\(\s*["']([^"']+)["']|^\s*import\s*["']([^"']+)["']/gm;

/** Module specifiers imported by a TypeScript source (static, dynamic and side-effect). */
function importSpecifiers(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(IMPORT)) out.push((m[1] ?? m[2] ?? m[3])!);
  return out;
}

async function sources(dir: string): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(dir)) {
    const path = join(dir, e.name);
    if (e.isDirectory) {
      if (["node_modules", "dist", "testdata", ".git"].includes(e.name)) {
        continue;
      }
      out.push(...await sources(path));
    } else if (/\.(ts|tsx)$/.test(e.name)) out.push(path);
  }
  return out;
}

Deno.test("importSpecifiers finds static, dynamic, re-export and side-effect imports", () => {
  assert.deepEqual(
    importSpecifiers(
      'import a from "x";\nimport { b } from "../y.ts";\nexport * from "./z.ts";\n' +
        'const m = await import("jsr:@std/path");\nimport "./side.ts";\n' +
        'export type { T } from "@wt/contracts";\n',
    ),
    ["x", "../y.ts", "./z.ts", "jsr:@std/path", "./side.ts", "@wt/contracts"],
  );
});

Deno.test("every member is a publishable package with docs", async (t) => {
  for (const m of await members()) {
    await t.step(m.name, async () => {
      const c = m.config;
      assert.match(String(c["name"]), /^@wt(-examples)?\/[a-z-]+$/, "name");
      assert.match(String(c["version"]), /^\d+\.\d+\.\d+/, "version");
      assert.equal(typeof c["license"], "string", "license");
      assert.ok(m.entries.length > 0, "exports");
      if (m.dir.startsWith("examples/")) {
        // Example libraries are workspace members but never published.
        assert.equal(c["publish"], false, `${m.dir}/deno.json publish: false`);
      } else {
        const exclude = (c["publish"] as { exclude?: string[] } | undefined)
          ?.exclude ?? [];
        assert.ok(
          exclude.some((p) => p.includes("_test.ts")),
          `${m.dir}/deno.json publish.exclude leaves out tests`,
        );
      }
      for (const file of ["README.md", "CHANGELOG.md"]) {
        const text = await Deno.readTextFile(join(ROOT, m.dir, file));
        assert.ok(text.includes(m.name), `${m.dir}/${file} names ${m.name}`);
      }
      const mod = await Deno.readTextFile(join(ROOT, m.dir, "mod.ts"));
      assert.match(
        mod,
        /^\s*\*\s*@module/m,
        `${m.dir}/mod.ts has a @module doc`,
      );
    });
  }
});

Deno.test("members import each other by package name, and nothing from jsr:", async () => {
  const problems: string[] = [];
  const all = await members();
  const dirs = all.map((m) => resolve(ROOT, m.dir));
  for (const m of all) {
    const root = resolve(ROOT, m.dir);
    // A member nested in another (none today) is not part of it.
    const nested = dirs.filter((d) => d !== root && d.startsWith(root + "/"));
    for (const file of await sources(root)) {
      if (nested.some((d) => file.startsWith(d + "/"))) continue;
      const text = await Deno.readTextFile(file);
      for (const spec of importSpecifiers(text)) {
        const at = relative(ROOT, file);
        if (spec.startsWith("jsr:")) problems.push(`${at}: imports ${spec}`);
        if (!spec.startsWith(".")) continue;
        const target = resolve(dirname(file), spec);
        if (target !== root && !target.startsWith(root + "/")) {
          problems.push(
            `${at}: imports ${spec} outside ${m.dir}/ (use the package name)`,
          );
        }
      }
    }
  }
  assert.deepEqual(problems, []);
});
