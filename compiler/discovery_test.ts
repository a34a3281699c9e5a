import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import {
  discover,
  DiscoveryError,
  type DiscoveryPhase,
  specDiscoverer,
} from "./discovery.ts";
import { isPinned, planDiscovery } from "./_discovery_plan.ts";
import type { Requirement } from "./spec_model.ts";
import type { RegistryOutput } from "@wt/contracts";

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO = dirname(HERE);
const FIXTURES = join(HERE, "testdata", "discovery");
const pos = { line: 3, col: 5 };

function lib(name: string): Requirement {
  return { name: `@wt-test/${name}`, path: `libs/${name}`, pos };
}

async function expectDiscoveryError(
  promise: Promise<unknown>,
): Promise<DiscoveryError> {
  try {
    await promise;
  } catch (e) {
    assert.ok(e instanceof DiscoveryError, `expected DiscoveryError, got ${e}`);
    return e;
  }
  assert.fail("discovery should have failed");
}

const base = { specDir: FIXTURES, link: REPO, noCache: true } as const;

const BUILTINS = [
  "@wt/registry/conditions.all_are_none",
  "@wt/registry/conditions.any_dependency_skipped",
  "@wt/registry/conditions.any_is_empty",
  "@wt/registry/conditions.never",
];

/** The entry keys of a discovery output without the built-in conditions, sorted. */
function libraryKeys(out: RegistryOutput): string[] {
  return Object.keys(out.entries).filter((k) =>
    !k.startsWith("@wt/registry/conditions.")
  ).sort();
}

/**
 * Write a library whose deno.json has its own imports (`shouty` → ./vendor/shouty.ts) and a
 * subpath export into `dir/scoped` (built at test time: a fixture with a bare import that only
 * its own config resolves would break `deno check` of the repository).
 */
async function writeScopedLib(dir: string): Promise<string> {
  const folder = join(dir, "scoped");
  await Deno.mkdir(join(folder, "vendor"), { recursive: true });
  await Deno.writeTextFile(
    join(folder, "deno.json"),
    JSON.stringify({
      name: "@wt-test/scoped",
      version: "0.1.0",
      exports: { ".": "./mod.ts", "./extra": "./extra.ts" },
      imports: { "shouty": "./vendor/shouty.ts" },
    }),
  );
  await Deno.writeTextFile(
    join(folder, "vendor", "shouty.ts"),
    "export const exclaim = (s: string): string => `${s}!`;\n",
  );
  await Deno.writeTextFile(
    join(folder, "extra.ts"),
    "export const EXTRA = 1;\n",
  );
  await Deno.writeTextFile(
    join(folder, "mod.ts"),
    [
      'import * as v from "valibot";',
      'import { register } from "@wt/registry";',
      'import { exclaim } from "shouty";',
      "export const excite = register({ params: v.object({ text: v.string() }) }, ({ text }) => exclaim(text));",
      "",
    ].join("\n"),
  );
  return folder;
}

const scopedReq: Requirement = { name: "@wt-test/scoped", path: "scoped", pos };

Deno.test("discover: a path library resolved against a linked checkout", async () => {
  const phases: DiscoveryPhase[] = [];
  const out = await discover([lib("tiny")], {
    ...base,
    onPhase: (p) => phases.push(p),
  });
  assert.deepEqual(libraryKeys(out), [
    "@wt-test/tiny.count",
    "@wt-test/tiny.shout",
  ]);
  const shout = out.entries["@wt-test/tiny.shout"]!;
  assert.equal(shout.public_module_path, "@wt-test/tiny");
  assert.equal(shout.function_name, "shout");
  assert.equal(shout.metadata.title, "Shout");
  assert.deepEqual(shout.metadata.tags, ["text"]);
  assert.deepEqual(shout.parameters, ["word"]);
  assert.deepEqual(phases, ["prepare", "resolve", "sandbox", "done"]);
});

Deno.test("discover: the built-in conditions are always listed, beside the requirements", async () => {
  const out = await discover([lib("tiny")], base);
  assert.deepEqual(
    Object.keys(out.entries).filter((k) => k.startsWith("@wt/registry/"))
      .sort(),
    BUILTINS,
  );
  const never = out.entries["@wt/registry/conditions.never"]!;
  assert.equal(never.public_module_path, "@wt/registry/conditions");
  assert.equal(never.function_name, "never");
  assert.deepEqual(never.metadata.tags, ["condition"]);
  assert.deepEqual(never.parameters, ["values"]);
  // A spec without requirements still gets them.
  const none = await discover([], base);
  assert.deepEqual(Object.keys(none.entries).sort(), BUILTINS);
});

Deno.test("discover: the example library and several requirements at once", async () => {
  const out = await discover([
    {
      name: "@wt-examples/custom-tasks",
      path: "../../../examples/custom-tasks",
      pos,
    },
    lib("tiny"),
  ], base);
  assert.ok(out.entries["@wt-examples/custom-tasks.add"], "add discovered");
  assert.ok(out.entries["@wt-test/tiny.count"], "count discovered");
});

Deno.test("specDiscoverer: requirements are relative to the spec file", async () => {
  const run = specDiscoverer({ link: REPO, noCache: true });
  const out = await run({
    file: join(FIXTURES, "spec.yaml"),
    requirements: [lib("tiny")],
  });
  assert.ok(out.entries["@wt-test/tiny.shout"]);
  const viaUrl = await run({
    file: new URL("file://" + join(FIXTURES, "spec.yaml")).href,
    requirements: [lib("tiny")],
  });
  assert.deepEqual(viaUrl, out);
});

Deno.test("discover: an npm requirement loads from the npm cache in the sandbox", async () => {
  // valibot is an npm package with no registered tasks: discovery succeeds with no entries.
  const out = await discover(
    [{ name: "valibot", version: "1.5.0", registry: "npm", pos }, lib("tiny")],
    base,
  );
  assert.deepEqual(libraryKeys(out), [
    "@wt-test/tiny.count",
    "@wt-test/tiny.shout",
  ]);
});

Deno.test("discover: a library's own deno.json imports are honoured", async () => {
  const dir = await Deno.makeTempDir({ prefix: "wt-discovery-scoped-" });
  try {
    await writeScopedLib(dir);
    const out = await discover([scopedReq], { ...base, specDir: dir });
    assert.deepEqual(libraryKeys(out), ["@wt-test/scoped.excite"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("discover: a library in another workspace sees its root imports and siblings", async () => {
  const ws = await Deno.makeTempDir({ prefix: "wt-discovery-ws-" });
  try {
    const write = (rel: string, data: unknown) =>
      Deno.writeTextFile(
        join(ws, rel),
        typeof data === "string" ? data : JSON.stringify(data),
      );
    await Deno.mkdir(join(ws, "tasks"));
    await Deno.mkdir(join(ws, "util"));
    await write("deno.json", {
      workspace: ["./tasks", "./util"],
      imports: { "v": "npm:valibot@1.5.0" },
    });
    await write("util/deno.json", {
      name: "@acme/util",
      version: "1.0.0",
      exports: "./mod.ts",
    });
    await write(
      "util/mod.ts",
      "export const twice = (n: number): number => 2 * n;\n",
    );
    await write("tasks/deno.json", {
      name: "@acme/tasks",
      version: "1.0.0",
      exports: "./mod.ts",
    });
    await write(
      "tasks/mod.ts",
      [
        'import * as v from "v";',
        'import { register } from "@wt/registry";',
        'import { twice } from "@acme/util";',
        "export const dbl = register({ params: v.object({ n: v.number() }) }, ({ n }) => twice(n));",
        "",
      ].join("\n"),
    );
    const out = await discover([{ name: "@acme/tasks", path: "tasks", pos }], {
      specDir: ws,
      link: REPO,
      noCache: true,
    });
    assert.deepEqual(libraryKeys(out), ["@acme/tasks.dbl"]);
  } finally {
    await Deno.remove(ws, { recursive: true });
  }
});

Deno.test("discover: output printed by a library at import time is tolerated", async () => {
  const out = await discover([lib("chatty")], base);
  assert.deepEqual(libraryKeys(out), ["@wt-test/chatty.noop"]);
});

Deno.test("discover: cache hit on the second call, miss after a change", async () => {
  const cacheDir = await Deno.makeTempDir({ prefix: "wt-discovery-cache-" });
  const specDir = await Deno.makeTempDir({ prefix: "wt-discovery-spec-" });
  try {
    // A private copy of the tiny library, so the test can change it.
    const copy = join(specDir, "tiny");
    await Deno.mkdir(copy);
    for (const f of ["deno.json", "mod.ts", "_helper.ts"]) {
      await Deno.copyFile(join(FIXTURES, "libs", "tiny", f), join(copy, f));
    }
    const req: Requirement = { name: "@wt-test/tiny", path: "tiny", pos };
    const options = { specDir, link: REPO, cacheDir };

    const first: DiscoveryPhase[] = [];
    const out1 = await discover([req], {
      ...options,
      onPhase: (p) => first.push(p),
    });
    assert.ok(first.includes("sandbox"), "first call runs the sandbox");
    const files = [...Deno.readDirSync(cacheDir)].map((e) => e.name);
    assert.equal(files.length, 1);
    assert.match(files[0]!, /^[0-9a-f]{64}\.json$/);

    const second: DiscoveryPhase[] = [];
    const out2 = await discover([req], {
      ...options,
      onPhase: (p) => second.push(p),
    });
    assert.deepEqual(
      second,
      ["prepare", "cached"],
      "second call is a cache hit",
    );
    assert.deepEqual(out2, out1);

    // Changing the library's code changes the key.
    await Deno.writeTextFile(
      join(copy, "mod.ts"),
      (await Deno.readTextFile(join(copy, "mod.ts"))) +
        "\nexport const whisper = register({ params: v.object({ w: v.string() }) }, ({ w }) => w);\n",
    );
    const third: DiscoveryPhase[] = [];
    const out3 = await discover([req], {
      ...options,
      onPhase: (p) => third.push(p),
    });
    assert.ok(
      third.includes("sandbox"),
      "a changed library is discovered again",
    );
    assert.ok(out3.entries["@wt-test/tiny.whisper"]);

    // A corrupt entry is a miss, not an error.
    for (const e of Deno.readDirSync(cacheDir)) {
      await Deno.writeTextFile(join(cacheDir, e.name), "{not json");
    }
    const fourth: DiscoveryPhase[] = [];
    const out4 = await discover([req], {
      ...options,
      onPhase: (p) => fourth.push(p),
    });
    assert.ok(fourth.includes("sandbox"));
    assert.deepEqual(out4, out3);
  } finally {
    await Deno.remove(cacheDir, { recursive: true });
    await Deno.remove(specDir, { recursive: true });
  }
});

Deno.test("discover: a version range is resolved before the cache lookup", async () => {
  const cacheDir = await Deno.makeTempDir({ prefix: "wt-discovery-cache-" });
  const specDir = await Deno.makeTempDir({ prefix: "wt-discovery-spec-" });
  try {
    const copy = join(specDir, "ranged");
    await Deno.mkdir(copy);
    await Deno.writeTextFile(
      join(copy, "deno.json"),
      JSON.stringify({
        name: "@wt-test/ranged",
        version: "0.1.0",
        exports: "./mod.ts",
        imports: { "valibot": "npm:valibot@^1.5.0" },
      }),
    );
    await Deno.copyFile(
      join(FIXTURES, "libs", "tiny", "mod.ts"),
      join(copy, "mod.ts"),
    );
    await Deno.copyFile(
      join(FIXTURES, "libs", "tiny", "_helper.ts"),
      join(copy, "_helper.ts"),
    );
    const req: Requirement = { name: "@wt-test/ranged", path: "ranged", pos };
    const options = { specDir, link: REPO, cacheDir };
    const first: DiscoveryPhase[] = [];
    await discover([req], { ...options, onPhase: (p) => first.push(p) });
    assert.deepEqual(first, ["prepare", "resolve", "sandbox", "done"]);
    const second: DiscoveryPhase[] = [];
    const out = await discover([req], {
      ...options,
      onPhase: (p) => second.push(p),
    });
    assert.deepEqual(second, ["prepare", "resolve", "cached"]);
    assert.ok(out.entries["@wt-test/ranged.shout"]);
  } finally {
    await Deno.remove(cacheDir, { recursive: true });
    await Deno.remove(specDir, { recursive: true });
  }
});

/** A branded task written by hand (the layout `@wt/registry` reads), so the package needs no imports. */
const FAKE_JSR_MODULES: Record<string, string> = {
  "@fake/tasks":
    `export const hello = Object.assign((p: { name: string }) => "hi " + p.name, {
  [Symbol.for("wt.registry.task")]: {
    version: 1,
    metadata: { title: "Hello", tags: [], deprecated: false },
    json_schema: { type: "object", properties: { name: { type: "string" } }, required: ["name"] },
    parameters: ["name"],
    fn: (p: { name: string }) => "hi " + p.name,
  },
});
`,
  "@fake/hostile": `export const home = Deno.env.get("HOME");\n`,
  "@fake/remote":
    `const u = ["https:", "", "deno.land", "x.ts"].join("/");\nexport const m = await import(u);\n`,
};

/** A minimal JSR registry on loopback: meta.json, <version>_meta.json (checksums), files. */
async function fakeJsr(): Promise<
  { url: string; requests: string[]; close(): Promise<void> }
> {
  const files = new Map<string, string>();
  for (const [name, code] of Object.entries(FAKE_JSR_MODULES)) {
    const bytes = new TextEncoder().encode(code);
    const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
    const hex = [...digest].map((b) => b.toString(16).padStart(2, "0")).join(
      "",
    );
    files.set(
      `/${name}/meta.json`,
      JSON.stringify({ latest: "1.0.0", versions: { "1.0.0": {} } }),
    );
    files.set(
      `/${name}/1.0.0_meta.json`,
      JSON.stringify({
        manifest: {
          "/mod.ts": { size: bytes.length, checksum: `sha256-${hex}` },
        },
        exports: { ".": "./mod.ts" },
      }),
    );
    files.set(`/${name}/1.0.0/mod.ts`, code);
  }
  const requests: string[] = [];
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    (req) => {
      const path = new URL(req.url).pathname;
      requests.push(path);
      const body = files.get(path);
      return body === undefined
        ? new Response("not found", { status: 404 })
        : new Response(body, {
          headers: {
            "content-type": path.endsWith(".ts")
              ? "application/typescript"
              : "application/json",
          },
        });
    },
  );
  return {
    url: `http://127.0.0.1:${server.addr.port}/`,
    requests,
    close: () => server.shutdown(),
  };
}

Deno.test("discover: JSR requirements are cached first, then loaded offline in the sandbox", async (t) => {
  const jsr = await fakeJsr();
  const previous = Deno.env.get("JSR_URL");
  Deno.env.set("JSR_URL", jsr.url);
  try {
    await t.step("a published task library", async () => {
      let atSandbox = -1;
      const out = await discover(
        [{ name: "@fake/tasks", version: "1.0.0", registry: "jsr", pos }],
        {
          ...base,
          onPhase: (p) => {
            if (p === "sandbox") atSandbox = jsr.requests.length;
          },
        },
      );
      assert.equal(
        jsr.requests.length,
        atSandbox,
        "no request from the sandbox",
      );
      assert.deepEqual(libraryKeys(out), ["@fake/tasks.hello"]);
      assert.equal(
        out.entries["@fake/tasks.hello"]!.public_module_path,
        "@fake/tasks",
      );
      assert.ok(
        jsr.requests.includes("/@fake/tasks/1.0.0/mod.ts"),
        "resolved from the registry",
      );
    });
    await t.step(
      "the sandbox fetches nothing and still denies other permissions",
      async () => {
        const err = await expectDiscoveryError(discover(
          [{ name: "@fake/hostile", version: "1.0.0", registry: "jsr", pos }],
          base,
        ));
        assert.equal(err.permission, "env");
        assert.equal(err.module, "@fake/hostile");
      },
    );
    await t.step("import access covers the JSR host only", async () => {
      const err = await expectDiscoveryError(discover(
        [
          { name: "@fake/tasks", version: "1.0.0", registry: "jsr", pos },
          lib("hostile_import"),
        ],
        base,
      ));
      assert.equal(err.permission, "import");
      assert.equal(err.module, "@wt-test/hostile_import");
      assert.match(err.message, /deno\.land:443/);
    });
    await t.step(
      "a JSR package importing other remote code is refused",
      async () => {
        const err = await expectDiscoveryError(discover(
          [{ name: "@fake/remote", version: "1.0.0", registry: "jsr", pos }],
          base,
        ));
        assert.equal(err.kind, "import");
        assert.equal(err.module, "@fake/remote");
        assert.match(err.message, /blocked/);
      },
    );
    await t.step("an unknown package fails resolution", async () => {
      const err = await expectDiscoveryError(discover(
        [{ name: "@fake/missing", version: "1.0.0", registry: "jsr", pos }],
        base,
      ));
      assert.equal(err.kind, "resolve");
      assert.equal(err.module, "@fake/missing");
    });
  } finally {
    if (previous === undefined) Deno.env.delete("JSR_URL");
    else Deno.env.set("JSR_URL", previous);
    await jsr.close();
  }
});

Deno.test("discover: the sandbox denies every permission a hostile library tries", async (t) => {
  const cases: Array<[string, string, RegExp]> = [
    ["hostile_read", "read", /\/etc\/hostname/],
    ["hostile_node_fs", "read", /\/etc\/passwd/],
    ["hostile_env", "env", /HOME/],
    ["hostile_net", "net", /127\.0\.0\.1:9/],
    ["hostile_unawaited", "net", /127\.0\.0\.1:9/],
    ["hostile_fetch", "net", /127\.0\.0\.1:8080/],
    ["hostile_run", "run", /"sh"/],
    ["hostile_write", "write", /pwned\.txt/],
    ["hostile_ffi", "ffi", /libc/],
    ["hostile_sys", "sys", /hostname/],
    ["hostile_import", "import", /deno\.land/],
    ["hostile_sibling", "read", /compiler\/deno\.json/],
  ];
  for (const [name, permission, target] of cases) {
    await t.step(`${name} → ${permission} denied`, async () => {
      const err = await expectDiscoveryError(discover([lib(name)], base));
      assert.equal(err.kind, "permission");
      assert.equal(err.permission, permission);
      assert.equal(err.module, `@wt-test/${name}`);
      assert.match(err.message, new RegExp(`"@wt-test/${name}"`));
      assert.match(err.message, new RegExp(`${permission} access`));
      assert.match(err.message, target);
      assert.match(err.message, /Fix:/);
    });
  }
  await t.step("the hostile write left no file behind", async () => {
    await assert.rejects(
      Deno.stat(join(FIXTURES, "libs", "hostile_write", "pwned.txt")),
      Deno.errors.NotFound,
    );
  });
  await t.step(
    "a denial is attributed to the right module among several",
    async () => {
      const err = await expectDiscoveryError(
        discover([lib("tiny"), lib("hostile_env")], base),
      );
      assert.equal(err.permission, "env");
      assert.equal(err.module, "@wt-test/hostile_env");
    },
  );
});

Deno.test("discover: the registry CLI runs with denied permissions, empty cwd, closed stdin", async () => {
  const out = await discover([lib("tiny")], {
    ...base,
    registryCli: join(FIXTURES, "probe_cli.ts"),
  });
  const probe = JSON.parse(out.entries["probe.probe"]!.metadata.description!);
  assert.deepEqual(probe.packages, [
    "@wt-test/tiny",
    "@wt/registry/conditions",
  ]);
  for (const name of ["write", "net", "env", "run", "ffi", "sys", "import"]) {
    assert.equal(probe[name], "denied", `${name} permission`);
  }
  assert.notEqual(probe.readEtc, "granted");
  assert.notEqual(probe.readRoot, "granted");
  assert.deepEqual(probe.cwdEntries, [], "working folder is empty");
  assert.equal(probe.stdinRead, null, "stdin is closed");
});

Deno.test("discover: a library that throws at import names the module and the error", async () => {
  const err = await expectDiscoveryError(discover([lib("throws")], base));
  assert.equal(err.kind, "import");
  assert.equal(err.module, "@wt-test/throws");
  assert.match(err.message, /"@wt-test\/throws"/);
  assert.match(err.message, /this library is broken at import/);
});

Deno.test("discover: a library that never finishes importing hits the timeout", async () => {
  const started = performance.now();
  const err = await expectDiscoveryError(
    discover([lib("loops")], { ...base, timeoutMs: 2_000 }),
  );
  assert.equal(err.kind, "timeout");
  assert.match(err.message, /timed out after 2000 ms/);
  assert.match(err.message, /"@wt-test\/loops"/);
  assert.ok(performance.now() - started < 20_000, "killed promptly");
});

Deno.test("discover: a library that allocates without bound hits the memory cap", async () => {
  const err = await expectDiscoveryError(
    discover([lib("hog")], { ...base, memoryMb: 64 }),
  );
  assert.equal(err.kind, "memory");
  assert.match(err.message, /out of memory \(cap 64 MiB\)/);
});

Deno.test("discover: a registry CLI printing garbage with exit 0 is rejected", async (t) => {
  for (const cli of ["junk_cli.ts", "wrong_cli.ts"]) {
    await t.step(cli, async () => {
      const err = await expectDiscoveryError(
        discover([lib("tiny")], { ...base, registryCli: join(FIXTURES, cli) }),
      );
      assert.equal(err.kind, "output");
      assert.match(err.message, /not a valid RegistryOutput/);
    });
  }
});

Deno.test("discover: requirements that cannot be installed are refused up front", async (t) => {
  await t.step("conda channel", async () => {
    const err = await expectDiscoveryError(discover([
      {
        name: "ecoscope-workflows-ext-ecoscope",
        channel: "conda-forge",
        version: "1.0",
        pos,
      },
    ], base));
    assert.equal(err.kind, "unsupported");
    assert.equal(err.module, "ecoscope-workflows-ext-ecoscope");
    assert.match(err.message, /conda/);
    assert.match(err.message, /--registry FILE/);
  });
  await t.step("missing path", async () => {
    const err = await expectDiscoveryError(
      discover([{ name: "@x/missing", path: "libs/nope", pos }], base),
    );
    assert.equal(err.kind, "config");
    assert.match(err.message, /libs\/nope does not exist/);
  });
  await t.step("link that is not a wt checkout", async () => {
    const err = await expectDiscoveryError(
      discover([lib("tiny")], { ...base, link: FIXTURES }),
    );
    assert.equal(err.kind, "config");
    assert.match(err.message, /--link/);
  });
});

Deno.test("planDiscovery: import map and read access", async (t) => {
  await t.step("linked checkout and a path library", async () => {
    const dir = await Deno.makeTempDir({ prefix: "wt-discovery-scoped-" });
    try {
      const folder = await writeScopedLib(dir);
      const plan = await planDiscovery([scopedReq], {
        specDir: dir,
        link: REPO,
        wtVersion: "0.1.0",
      });
      const url = (p: string) => pathToFileURL(p).href;
      assert.equal(
        plan.config.imports["@wt-test/scoped"],
        url(join(folder, "mod.ts")),
      );
      assert.equal(
        plan.config.imports["@wt-test/scoped/extra"],
        url(join(folder, "extra.ts")),
      );
      assert.equal(
        plan.config.imports["@wt/registry"],
        url(join(REPO, "registry/mod.ts")),
      );
      assert.equal(
        plan.config.imports["@wt/registry/cli"],
        url(join(REPO, "registry/cli.ts")),
      );
      assert.match(plan.config.imports["valibot"]!, /^npm:valibot@/);
      assert.equal(
        plan.config.scopes[url(folder) + "/"]?.["shouty"],
        url(join(folder, "vendor/shouty.ts")),
      );
      assert.equal(plan.cliModule, join(REPO, "registry", "cli.ts"));
      assert.ok(plan.readPaths.includes(folder));
      assert.ok(plan.readPaths.includes(join(REPO, "registry")));
      assert.ok(!plan.readPaths.includes(REPO), "not the whole checkout");
      assert.ok(
        !plan.readPaths.includes(join(REPO, "compiler")),
        "not the compiler",
      );
      assert.equal(plan.usesJsr, false);
      assert.ok(isPinned(plan.config));
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
  await t.step("published packages without link", async () => {
    const plan = await planDiscovery([
      { name: "@acme/tasks", version: "1.2.3", registry: "jsr", pos },
      { name: "acme-npm-tasks", version: "^2.0.0", registry: "npm", pos },
    ], { specDir: FIXTURES, wtVersion: "0.1.0" });
    assert.equal(plan.config.imports["@acme/tasks"], "jsr:@acme/tasks@1.2.3");
    assert.equal(
      plan.config.imports["acme-npm-tasks"],
      "npm:acme-npm-tasks@^2.0.0",
    );
    assert.equal(plan.config.imports["@wt/registry"], "jsr:@wt/registry@0.1.0");
    assert.equal(plan.cliModule, "jsr:@wt/registry@0.1.0/cli");
    assert.deepEqual(plan.packages, ["@acme/tasks", "acme-npm-tasks"]);
    assert.deepEqual(plan.builtins, ["@wt/registry/conditions"]);
    assert.equal(plan.usesJsr, true);
    assert.equal(isPinned(plan.config), false, "a range is not pinned");
  });
});
