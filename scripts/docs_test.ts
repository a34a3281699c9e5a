import assert from "node:assert/strict";
import { join } from "node:path";
import { members, ROOT } from "./_workspace.ts";

Deno.test("deno task docs writes one HTML site per package into a new nested folder", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "wt-docs-" });
  try {
    const output = join(tmp, "not", "there", "yet");
    const { code, stderr } = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", join(ROOT, "scripts", "docs.ts"), "--output", output],
      cwd: ROOT,
      stdout: "null",
      stderr: "piped",
      env: { NO_COLOR: "1" },
    }).output();
    assert.equal(code, 0, new TextDecoder().decode(stderr));
    for (const m of await members()) {
      const index = join(output, m.name.replace("/", "__"), "index.html");
      const html = await Deno.readTextFile(index);
      assert.ok(html.includes(m.name), `${index} names ${m.name}`);
    }
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});
