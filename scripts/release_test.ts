import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  addUnreleasedNote,
  compareSemVer,
  parseSemVer,
  releaseChangelog,
} from "./release.ts";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const SCRIPT = join(ROOT, "scripts", "release.ts");

async function runRelease(
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--no-prompt",
      "--allow-read",
      "--allow-write",
      SCRIPT,
      ...args,
    ],
    stdin: "null",
    env: { NO_COLOR: "1" },
  }).output();
  const dec = new TextDecoder();
  return { code, stdout: dec.decode(stdout), stderr: dec.decode(stderr) };
}

async function write(path: string, text: string): Promise<void> {
  await Deno.mkdir(dirname(path), { recursive: true });
  await Deno.writeTextFile(path, text);
}

const json = (x: unknown) => JSON.stringify(x, null, 2) + "\n";
const changelog = (name: string, unreleased: string) =>
  `# Changelog — ${name}\n\n## Unreleased\n\n${unreleased}## 0.1.0 — 2026-01-01\n\n- First.\n`;

/** A small workspace: a is released; b pins it, c imports it, d only tests with it. */
async function fixture(dir: string): Promise<void> {
  await write(
    join(dir, "deno.json"),
    json({
      workspace: ["./a", "./b", "./c", "./d"],
      imports: { "@x/a": "jsr:@x/a@^0.1.0", "valibot": "npm:valibot@1.5.0" },
    }),
  );
  await write(
    join(dir, "a/deno.json"),
    json({ name: "@x/a", version: "0.1.0", exports: { ".": "./mod.ts" } }),
  );
  await write(join(dir, "a/mod.ts"), "export const a = 1;\n");
  await write(
    join(dir, "a/CHANGELOG.md"),
    changelog("@x/a", "- Added `b()`.\n- Fixed `a`.\n\n"),
  );
  await write(
    join(dir, "b/deno.json"),
    json({
      name: "@x/b",
      version: "1.0.0",
      imports: { "@x/a": "jsr:@x/a@^0.1.0", "@x/a/sub": "jsr:@x/a@~0.1.0/sub" },
    }),
  );
  await write(
    join(dir, "b/mod.ts"),
    'import { a } from "@x/a";\nexport const b = a;\n',
  );
  await write(join(dir, "b/CHANGELOG.md"), changelog("@x/b", ""));
  await write(
    join(dir, "c/deno.json"),
    json({ name: "@x/c", version: "0.3.0" }),
  );
  await write(join(dir, "c/lib/x.ts"), 'export * from "@x/a/sub";\n');
  await write(
    join(dir, "d/deno.json"),
    json({ name: "@x/d", version: "0.1.0" }),
  );
  await write(join(dir, "d/mod.ts"), 'import "@x/ab";\nexport const d = 1;\n');
  await write(join(dir, "d/CHANGELOG.md"), changelog("@x/d", ""));
  // A test or fixture importing the package does not make d a dependent.
  await write(join(dir, "d/mod_test.ts"), 'import "@x/a";\n');
  await write(join(dir, "d/testdata/lib.ts"), 'import "@x/a";\n');
}

Deno.test("semantic versions parse and compare", () => {
  assert.equal(parseSemVer("1.2"), undefined);
  assert.equal(parseSemVer("01.2.3"), undefined);
  assert.deepEqual(parseSemVer("1.2.3-rc.1+b5"), {
    major: 1,
    minor: 2,
    patch: 3,
    pre: ["rc", "1"],
  });
  const order = [
    "0.1.0",
    "0.2.0-alpha",
    "0.2.0-alpha.1",
    "0.2.0-alpha.beta",
    "0.2.0-beta.2",
    "0.2.0-beta.11",
    "0.2.0",
    "0.10.0",
    "1.0.0",
  ];
  for (let i = 1; i < order.length; i++) {
    const a = parseSemVer(order[i - 1]!)!;
    const b = parseSemVer(order[i]!)!;
    assert.ok(compareSemVer(a, b) < 0, `${order[i - 1]} < ${order[i]}`);
    assert.ok(compareSemVer(b, a) > 0);
  }
  assert.equal(
    compareSemVer(parseSemVer("1.0.0+x")!, parseSemVer("1.0.0")!),
    0,
  );
});

Deno.test("releaseChangelog moves the Unreleased notes under the version", () => {
  const out = releaseChangelog(
    changelog("@x/a", "- New thing.\n\n"),
    "@x/a",
    "0.2.0",
    "2026-12-01",
  );
  assert.equal(
    out,
    "# Changelog — @x/a\n\n## Unreleased\n\n## 0.2.0 — 2026-12-01\n\n- New thing.\n\n" +
      "## 0.1.0 — 2026-01-01\n\n- First.\n",
  );
  const empty = releaseChangelog(
    changelog("@x/a", ""),
    "@x/a",
    "0.2.0",
    "2026-12-01",
  );
  assert.match(
    empty,
    /## 0\.2\.0 — 2026-12-01\n\n- No notable changes\.\n\n## 0\.1\.0/,
  );
  const fresh = releaseChangelog("", "@x/a", "0.2.0", "2026-12-01");
  assert.equal(
    fresh,
    "# Changelog — @x/a\n\n## Unreleased\n\n## 0.2.0 — 2026-12-01\n\n- No notable changes.\n",
  );
});

Deno.test("addUnreleasedNote appends once", () => {
  const once = addUnreleasedNote(
    changelog("@x/b", "- Mine.\n\n"),
    "@x/b",
    "- Uses x.",
  );
  assert.match(once, /## Unreleased\n\n- Mine\.\n- Uses x\.\n\n## 0\.1\.0/);
  assert.equal(addUnreleasedNote(once, "@x/b", "- Uses x."), once);
  assert.equal(
    addUnreleasedNote("", "@x/c", "- Uses x."),
    "# Changelog — @x/c\n\n## Unreleased\n\n- Uses x.\n",
  );
});

Deno.test("release on a temporary workspace", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "wt-release-" });
  try {
    await fixture(dir);
    await t.step(
      "bumps, records, updates pins and dependents, prints the tag",
      async () => {
        const r = await runRelease([
          "@x/a",
          "0.2.0",
          "--root",
          dir,
          "--date",
          "2026-12-01",
        ]);
        assert.equal(r.code, 0, r.stderr);
        const lines = r.stdout.trim().split("\n");
        assert.equal(lines.at(-1), "@x/a/v0.2.0");
        assert.match(r.stdout, /@x\/a: 0\.1\.0 → 0\.2\.0/);
        assert.match(r.stdout, /dependents: @x\/b, @x\/c/);

        const a = JSON.parse(await Deno.readTextFile(join(dir, "a/deno.json")));
        assert.equal(a.version, "0.2.0");
        const aLog = await Deno.readTextFile(join(dir, "a/CHANGELOG.md"));
        assert.match(
          aLog,
          /## Unreleased\n\n## 0\.2\.0 — 2026-12-01\n\n- Added `b\(\)`\.\n- Fixed `a`\.\n\n## 0\.1\.0/,
        );

        const b = JSON.parse(await Deno.readTextFile(join(dir, "b/deno.json")));
        assert.equal(b.version, "1.0.0");
        assert.deepEqual(b.imports, {
          "@x/a": "jsr:@x/a@^0.2.0",
          "@x/a/sub": "jsr:@x/a@~0.2.0/sub",
        });
        const root = JSON.parse(
          await Deno.readTextFile(join(dir, "deno.json")),
        );
        assert.equal(root.imports["@x/a"], "jsr:@x/a@^0.2.0");
        assert.equal(root.imports["valibot"], "npm:valibot@1.5.0");

        assert.match(
          await Deno.readTextFile(join(dir, "b/CHANGELOG.md")),
          /## Unreleased\n\n- Uses `@x\/a` 0\.2\.0\.\n\n## 0\.1\.0/,
        );
        assert.match(
          await Deno.readTextFile(join(dir, "c/CHANGELOG.md")),
          /^# Changelog — @x\/c\n\n## Unreleased\n\n- Uses `@x\/a` 0\.2\.0\.\n$/,
        );
        assert.equal(
          await Deno.readTextFile(join(dir, "d/CHANGELOG.md")),
          changelog("@x/d", ""),
        );
      },
    );
    await t.step("a member folder works as the package", async () => {
      const r = await runRelease(["d", "0.1.1", "--root", dir, "--dry-run"]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout.trim().split("\n").at(-1), "@x/d/v0.1.1");
      assert.match(r.stdout, /dry run/);
      const d = JSON.parse(await Deno.readTextFile(join(dir, "d/deno.json")));
      assert.equal(d.version, "0.1.0", "--dry-run writes nothing");
    });
    await t.step("failures exit 1", async () => {
      const same = await runRelease(["@x/a", "0.2.0", "--root", dir]);
      assert.equal(same.code, 1);
      assert.match(
        same.stderr,
        /is at 0\.2\.0; the new version 0\.2\.0 must be greater/,
      );
      const older = await runRelease(["@x/a", "0.2.0-rc.1", "--root", dir]);
      assert.equal(older.code, 1);
      const bad = await runRelease(["@x/a", "v1", "--root", dir]);
      assert.equal(bad.code, 1);
      assert.match(bad.stderr, /'v1' is not a semantic version/);
      const unknown = await runRelease(["@x/zzz", "1.0.0", "--root", dir]);
      assert.equal(unknown.code, 1);
      assert.match(
        unknown.stderr,
        /no workspace member '@x\/zzz'; members: @x\/a \(a\)/,
      );
      const date = await runRelease([
        "@x/a",
        "0.3.0",
        "--root",
        dir,
        "--date",
        "soon",
      ]);
      assert.equal(date.code, 1);
    });
    await t.step("bad arguments exit 2", async () => {
      for (
        const args of [[], ["@x/a"], ["@x/a", "1.0.0", "extra"], ["--bogus"], [
          "@x/a",
          "1.0.0",
          "--root",
        ]]
      ) {
        const r = await runRelease(args);
        assert.equal(r.code, 2, JSON.stringify(args));
        assert.match(r.stderr, /Usage: deno task release/);
      }
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

async function copyTree(from: string, to: string): Promise<void> {
  await Deno.mkdir(to, { recursive: true });
  for await (const entry of Deno.readDir(from)) {
    const src = join(from, entry.name);
    const dst = join(to, entry.name);
    if (entry.isDirectory) {
      if (["testdata", "node_modules", "dist"].includes(entry.name)) continue;
      await copyTree(src, dst);
    } else if (/\.(ts|tsx|json|md)$/.test(entry.name)) {
      await Deno.copyFile(src, dst);
    }
  }
}

Deno.test("release on a temporary copy of this workspace", async () => {
  const dir = await Deno.makeTempDir({ prefix: "wt-release-copy-" });
  try {
    const root = JSON.parse(await Deno.readTextFile(join(ROOT, "deno.json")));
    await Deno.copyFile(join(ROOT, "deno.json"), join(dir, "deno.json"));
    for (const m of root.workspace as string[]) {
      await copyTree(join(ROOT, m), join(dir, m));
    }
    const before = await Deno.readTextFile(join(ROOT, "contracts/deno.json"));
    const r = await runRelease([
      "@wt/contracts",
      "0.2.0",
      "--root",
      dir,
      "--date",
      "2026-12-01",
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim().split("\n").at(-1), "@wt/contracts/v0.2.0");
    assert.match(r.stdout, /dependents: .*@wt\/registry/);
    const copied = JSON.parse(
      await Deno.readTextFile(join(dir, "contracts/deno.json")),
    );
    assert.equal(copied.version, "0.2.0");
    assert.match(
      await Deno.readTextFile(join(dir, "contracts/CHANGELOG.md")),
      /## Unreleased\n\n## 0\.2\.0 — 2026-12-01\n/,
    );
    // The note joins whatever the Unreleased section already holds.
    const registryLog = await Deno.readTextFile(
      join(dir, "registry/CHANGELOG.md"),
    );
    const unreleased = registryLog.split("## Unreleased\n")[1]?.split(
      /^## /m,
    )[0];
    assert.match(unreleased ?? "", /^- Uses `@wt\/contracts` 0\.2\.0\.$/m);
    assert.equal(
      await Deno.readTextFile(join(ROOT, "contracts/deno.json")),
      before,
      "the real tree is untouched",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
