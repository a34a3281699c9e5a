import assert from "node:assert/strict";
import { importTarget, isPath, publicModulePath } from "./_specifier.ts";

const ROOT = new URL("../", import.meta.url);
const rootDir = decodeURIComponent(ROOT.pathname);

Deno.test("isPath tells paths from package specifiers", () => {
  for (
    const p of ["./a.ts", "../a.ts", "/abs/a.ts", "file:///a.ts", "C:\\x\\a.ts"]
  ) {
    assert.equal(isPath(p), true, p);
  }
  for (
    const p of [
      "@wt/registry",
      "npm:left-pad",
      "jsr:@std/path",
      "https://x/y.ts",
    ]
  ) {
    assert.equal(isPath(p), false, p);
  }
});

Deno.test("importTarget resolves relative paths against the given folder", () => {
  assert.equal(
    importTarget("./examples/custom-tasks/mod.ts", rootDir),
    new URL("examples/custom-tasks/mod.ts", ROOT).href,
  );
  assert.equal(importTarget("@wt/registry", rootDir), "@wt/registry");
  assert.equal(importTarget("/tmp/a b.ts", rootDir), "file:///tmp/a%20b.ts");
});

Deno.test("importTarget turns Windows paths into file URLs", () => {
  assert.equal(
    importTarget("C:\\x\\a b.ts", undefined),
    "file:///C:/x/a%20b.ts",
  );
  assert.equal(importTarget("./a.ts", "C:\\work"), "file:///C:/work/a.ts");
  assert.equal(
    importTarget("..\\a.ts", "C:\\work\\sub\\"),
    "file:///C:/work/a.ts",
  );
});

Deno.test("publicModulePath uses the package name for a package's exports", async (t) => {
  await t.step("main export → package name", async () => {
    const spec = "./examples/custom-tasks/mod.ts";
    assert.equal(
      await publicModulePath(spec, importTarget(spec, rootDir)),
      "@wt-examples/custom-tasks",
    );
  });
  await t.step("subpath export → name/subpath", async () => {
    const spec = "./registry/cli.ts";
    assert.equal(
      await publicModulePath(spec, importTarget(spec, rootDir)),
      "@wt/registry/cli",
    );
  });
  await t.step(
    "a file the package does not export → the path as given",
    async () => {
      const spec = "./registry/testdata/tasks.ts";
      assert.equal(
        await publicModulePath(spec, importTarget(spec, rootDir)),
        spec,
      );
    },
  );
  await t.step(
    "nearest deno.json without a name → the path as given",
    async () => {
      const spec = "./scripts/docs.ts";
      assert.equal(
        await publicModulePath(spec, importTarget(spec, rootDir)),
        spec,
      );
    },
  );
  await t.step("package specifiers are kept", async () => {
    assert.equal(
      await publicModulePath(
        "@wt-examples/custom-tasks",
        "@wt-examples/custom-tasks",
      ),
      "@wt-examples/custom-tasks",
    );
  });
});
