import assert from "node:assert/strict";

Deno.test("the compiler's module graph never includes @wt/task, @wt/registry or task code", async () => {
  const root = new URL("../", import.meta.url);
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", new URL("./mod.ts", import.meta.url).pathname],
    cwd: root.pathname,
    stdout: "piped",
    stderr: "piped",
    stdin: "null",
    env: { NO_COLOR: "1" },
  }).output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  const info = JSON.parse(new TextDecoder().decode(out.stdout)) as {
    modules: Array<{ specifier: string }>;
  };
  const forbidden = ["task/", "registry/", "examples/"].map((d) =>
    new URL(d, root).href
  );
  const offending = info.modules
    .map((m) => m.specifier)
    .filter((s) =>
      forbidden.some((f) => s.startsWith(f)) ||
      /^jsr:@wt\/(task|registry)\b/.test(s)
    );
  assert.deepEqual(offending, []);
  assert.ok(
    info.modules.some((m) => m.specifier.endsWith("/contracts/mod.ts")),
  );
});
