import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { TASK_GROUP_MARKER } from "@wt/contracts";
import { createApp } from "./app.ts";
import { localInvokerFactory } from "./invoker_factory.ts";
import { RunStore } from "./store.ts";
import { loadWorkflow, WorkflowRegistry } from "./workflows.ts";
import { uiRoutes } from "./ui.ts";
import {
  formPath,
  GROUP_MARKER,
  groupOwners,
  itemsToErrorSchema,
} from "./ui/_form_errors.ts";
import { compileWithCli } from "@wt/compiler/testing";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const CHROMIUM = "/usr/bin/chromium";
const TOKEN = "ui-test-token";
const CHAINING = "wt-chaining-tasks-workflow";
const GROUPED = "wt-ui-grouped-workflow";
/** The runner's hand-written fixture: sleeps or fails on request. */
const FIXTURE = "wt-add-workflow";
/** Screenshots land here (gitignored); `WT_UI_ARTIFACTS` overrides. */
const ARTIFACTS = Deno.env.get("WT_UI_ARTIFACTS") ??
  join(ROOT, ".out", "ui-test");

const GROUPED_RJSF = {
  properties: {
    total: { type: "object", properties: { a: {}, b: {} } },
    Greeting: {
      type: "object",
      [TASK_GROUP_MARKER]: true,
      properties: { hello: { type: "object" } },
    },
  },
};

Deno.test("form errors: server validation items land at their form fields", async (t) => {
  await t.step("the group marker is the contracts' one", () => {
    assert.equal(GROUP_MARKER, TASK_GROUP_MARKER);
  });
  await t.step("grouped task instances get their group title in front", () => {
    const owners = groupOwners(GROUPED_RJSF);
    assert.deepEqual([...owners], [["hello", "Greeting"]]);
    assert.deepEqual(formPath(["hello", "name"], owners), [
      "Greeting",
      "hello",
      "name",
    ]);
    assert.deepEqual(formPath(["total", "a"], owners), ["total", "a"]);
    assert.deepEqual(formPath([], owners), []);
  });
  await t.step("items become an RJSF error schema", () => {
    const tree = itemsToErrorSchema(
      [
        {
          message: "must NOT have fewer than 1 characters",
          path: ["hello", "name"],
        },
        { message: "must be integer", path: ["params", "total", "a"] },
        {
          message: "must have required property 'b'",
          path: ["params", "total", "b"],
        },
        { message: "must be integer", path: ["params", "total", "a"] },
        { message: "no params at all", path: [] },
      ],
      GROUPED_RJSF,
      ["params"],
    );
    assert.deepEqual(tree, {
      Greeting: {
        hello: {
          name: { __errors: ["must NOT have fewer than 1 characters"] },
        },
      },
      total: {
        a: { __errors: ["must be integer", "must be integer"] },
        b: { __errors: ["must have required property 'b'"] },
      },
      __errors: ["no params at all"],
    });
  });
  await t.step("array indices become keys", () => {
    const tree = itemsToErrorSchema(
      [{ message: "bad", path: ["list", 2] }],
      {},
    );
    assert.deepEqual(tree, { list: { "2": { __errors: ["bad"] } } });
  });
});

Deno.test("ui routes: pages need no token, the API still does", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "wt-ui-" });
  const runner = createApp({
    store: new RunStore(":memory:"),
    workflows: new WorkflowRegistry(),
    invokerFactory: localInvokerFactory(),
    dataDir,
    token: TOKEN,
    log: () => {},
  });
  try {
    for (const path of ["/ui", `/ui/${CHAINING}`, `/ui/${CHAINING}/runs`]) {
      const res = await runner.app.request(path);
      assert.equal(res.status, 200, path);
      assert.match(res.headers.get("content-type") ?? "", /^text\/html/);
      assert.equal(res.headers.get("cache-control"), "no-cache");
      const html = await res.text();
      assert.match(html, /data-auth="required"/);
      assert.doesNotMatch(html, new RegExp(TOKEN));
      // an inline icon: otherwise the browser asks for /favicon.ico, which the token
      // guards, and every page load logs a 401 in the console
      assert.match(html, /<link rel="icon" href="data:,">/);
    }
    const page = await (await runner.app.request(`/ui/${CHAINING}/runs/r-1`))
      .text();
    assert.match(page, /data-page="run"/);
    assert.match(page, new RegExp(`data-workflow="${CHAINING}"`));
    assert.match(page, /data-run="r-1"/);
    const js = await runner.app.request("/ui/_assets/client.js");
    assert.equal(js.status, 200);
    await js.body?.cancel();
    const api = await runner.app.request("/workflows");
    assert.equal(api.status, 401);
    await api.body?.cancel();
    const bad = await runner.app.request("/ui/..%2Fetc");
    assert.equal(bad.status, 404);
    await bad.body?.cancel();
    const deep = await runner.app.request("/ui/a/b/c/d");
    assert.equal(deep.status, 404);
    assert.match(await deep.text(), /no page \/ui\/a\/b\/c\/d/);
    const slash = await runner.app.request("/ui/");
    assert.equal(slash.status, 301);
    assert.equal(slash.headers.get("location"), "/ui");
    const slash2 = await runner.app.request(`/ui/${CHAINING}/`);
    assert.equal(slash2.headers.get("location"), `/ui/${CHAINING}`);
  } finally {
    await runner.close();
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("ui routes: assets carry ETags and are immutable when versioned", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "wt-ui-bundle-" });
  const bundle = join(dir, "client.js");
  await Deno.writeTextFile(bundle, "console.log('ui');\n");
  const ui = uiRoutes({ uiBundlePath: bundle, uiAutoBuild: false });
  try {
    await t.step(
      "the bundle: ETag, 304, immutable when versioned",
      async () => {
        const html = await (await ui.request("/")).text();
        assert.match(html, /data-auth="none"/);
        const src = /src="\/ui(\/_assets\/client\.js\?v=([0-9a-f]+))"/.exec(
          html,
        );
        assert.ok(src, "the shell references the versioned bundle");
        const res = await ui.request(src[1]!);
        assert.equal(res.status, 200);
        assert.equal(await res.text(), "console.log('ui');\n");
        assert.match(res.headers.get("content-type") ?? "", /javascript/);
        assert.equal(
          res.headers.get("cache-control"),
          "public, max-age=31536000, immutable",
        );
        const etag = res.headers.get("etag");
        assert.equal(etag, `"${src[2]}"`);
        const again = await ui.request("/_assets/client.js", {
          headers: { "if-none-match": etag! },
        });
        assert.equal(again.status, 304);
        assert.equal(again.headers.get("cache-control"), "no-cache");
        await again.body?.cancel();
        // a rebuilt bundle gets a new version
        await Deno.writeTextFile(bundle, "console.log('ui v2');\n");
        const later = new Date(Date.now() + 5000);
        await Deno.utime(bundle, later, later);
        const html2 = await (await ui.request("/")).text();
        assert.doesNotMatch(html2, new RegExp(`v=${src[2]}`));
        const stale = await ui.request("/_assets/client.js", {
          headers: { "if-none-match": etag! },
        });
        assert.equal(stale.status, 200);
        assert.equal(await stale.text(), "console.log('ui v2');\n");
      },
    );
    await t.step("the style sheet", async () => {
      const res = await ui.request("/_assets/style.css");
      assert.equal(res.status, 200);
      assert.match(res.headers.get("content-type") ?? "", /^text\/css/);
      assert.match(await res.text(), /\.task-group/);
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("ui routes: a missing bundle is built on first use, or named in a 503", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "wt-ui-bundle-" });
  try {
    await t.step(
      "without auto-build: 503 telling to run deno task build:ui",
      async () => {
        const ui = uiRoutes({
          uiBundlePath: join(dir, "missing", "client.js"),
          uiAutoBuild: false,
          log: () => {},
        });
        const page = await ui.request("/");
        assert.equal(page.status, 503);
        assert.match(await page.text(), /deno task build:ui/);
        const js = await ui.request("/_assets/client.js");
        assert.equal(js.status, 503);
        assert.match(await js.text(), /deno task build:ui/);
      },
    );
    await t.step("with auto-build: deno bundle writes it once", async () => {
      const path = join(dir, "built", "client.js");
      const logs: string[] = [];
      const ui = uiRoutes({ uiBundlePath: path, log: (m) => logs.push(m) });
      const [a, b] = await Promise.all([
        ui.request("/_assets/client.js"),
        ui.request("/"),
      ]);
      assert.equal(a.status, 200);
      assert.equal(b.status, 200);
      await b.body?.cancel();
      const js = await a.text();
      assert.ok(js.length > 100_000, "a real bundle of React and RJSF");
      assert.equal(await Deno.readTextFile(path), js);
      assert.equal(logs.filter((l) => /building/.test(l)).length, 1);
      const leftovers = [...Deno.readDirSync(join(dir, "built"))].map((e) =>
        e.name
      );
      assert.deepEqual(leftovers, ["client.js"]);
    });
    await t.step(
      "with auto-build: a bundle older than its sources is rebuilt",
      async () => {
        const path = join(dir, "stale", "client.js");
        await Deno.mkdir(join(dir, "stale"));
        await Deno.writeTextFile(path, "console.log('old');\n");
        const old = new Date("2000-01-01T00:00:00Z");
        await Deno.utime(path, old, old);
        const logs: string[] = [];
        const ui = uiRoutes({ uiBundlePath: path, log: (m) => logs.push(m) });
        const js = await (await ui.request("/_assets/client.js")).text();
        assert.notEqual(js, "console.log('old');\n");
        assert.ok(js.length > 100_000);
        assert.ok(
          logs.some((l) => /newer than the web UI bundle/.test(l)),
          logs.join("\n"),
        );
      },
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

async function compile(spec: string, outDir: string): Promise<void> {
  await compileWithCli(spec, outDir, { link: ROOT });
}

const haveChromium = (() => {
  try {
    return Deno.statSync(CHROMIUM).isFile;
  } catch {
    return false;
  }
})();

Deno.test({
  name: haveChromium
    ? "ui in headless chromium: fill the form, run, see the result; errors at their fields"
    : `ui in headless chromium (skipped: ${CHROMIUM} not found; apt-get install -y chromium)`,
  ignore: !haveChromium,
  // playwright's driver keeps sockets and timers of its own between steps
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const tmp = await Deno.makeTempDir({ prefix: "wt-ui-e2e-" });
    const workflowsDir = join(tmp, "workflows");
    await compile(
      join(ROOT, "examples", "chaining-tasks", "spec.yaml"),
      workflowsDir,
    );
    await compile(
      join(ROOT, "runner", "ui", "testdata", "grouped", "spec.yaml"),
      workflowsDir,
    );
    await Deno.mkdir(ARTIFACTS, { recursive: true });
    const store = new RunStore(join(tmp, "runs.db"));
    const runner = createApp({
      store,
      workflows: new WorkflowRegistry([
        ...(await WorkflowRegistry.fromDirectory(workflowsDir)).list(),
        await loadWorkflow(
          join(ROOT, "runner", "testdata", "workflows", FIXTURE),
        ),
      ]),
      invokerFactory: localInvokerFactory(),
      dataDir: tmp,
      token: TOKEN,
      log: () => {},
    });
    const server = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen: () => {} },
      runner.app.fetch,
    );
    const base = `http://127.0.0.1:${server.addr.port}`;
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-quic",
      ],
    });
    try {
      const page = await browser.newPage({
        viewport: { width: 1000, height: 900 },
      });
      const pageErrors: string[] = [];
      page.on("pageerror", (e) => pageErrors.push(String(e)));

      await t.step(
        "the token is entered once and kept for the session",
        async () => {
          await page.goto(`${base}/ui`);
          await page.locator("#token-input").fill("not-the-token");
          await page.locator("#token-form button[type=submit]").click();
          await page.locator(".alert-error").waitFor();
          assert.match(
            await page.locator(".alert-error").textContent() ?? "",
            /bearer token is not the one/,
          );
          assert.match(
            await page.locator('label[for="token-input"]').textContent() ?? "",
            /rejected/,
          );
          await page.locator("#token-input").fill(TOKEN);
          await page.locator("#token-form button[type=submit]").click();
          await page.locator(`a.workflow-link[href="/ui/${CHAINING}"]`)
            .waitFor();
          assert.equal(
            await page.evaluate(() =>
              sessionStorage.getItem("wt-runner-token")
            ),
            TOKEN,
          );
          assert.equal(await page.locator("a.workflow-link").count(), 3);
          await page.screenshot({
            path: join(ARTIFACTS, "workflows.png"),
            fullPage: true,
          });
        },
      );

      await t.step("the chaining example: 3 + 3 doubled shows 12", async () => {
        await page.locator(`a.workflow-link[href="/ui/${CHAINING}"]`).click();
        await page.waitForURL(`${base}/ui/${CHAINING}`);
        await page.locator("#root_total_a").fill("3");
        await page.locator("#root_total_b").fill("3");
        await page.locator("#run-button").click();
        const status = page.locator('#run [data-status="succeeded"]');
        await status.waitFor({ timeout: 90_000 });
        assert.equal(
          (await page.locator('[data-testid="result"]').textContent())?.trim(),
          "12",
        );
        await page.screenshot({
          path: join(ARTIFACTS, "chaining-result.png"),
          fullPage: true,
        });
      });

      await t.step(
        "a browser-side validation error shows at its field",
        async () => {
          await page.goto(`${base}/ui/${CHAINING}`);
          await page.locator("#root_total_a").fill("3");
          await page.locator("#run-button").click();
          const err = page.locator("#root_total_b__error");
          await err.waitFor();
          assert.match(await err.textContent() ?? "", /required/);
          assert.equal(await page.locator("#run").count(), 0, "no run started");
        },
      );

      await t.step(
        "a server-side (422) error shows at its field inside its task group",
        async () => {
          await page.goto(`${base}/ui/${GROUPED}`);
          await page.locator("#root_total_a").waitFor();
          // ui:order from rjsf-overrides, at the top level and inside a task
          assert.deepEqual(
            await page.locator("form.rjsf input[id^=root_]").evaluateAll((
              els,
            ) => els.map((e) => e.id)),
            [
              "root_Scaling_product_b",
              "root_total_b",
              "root_total_a",
              "root_Greeting_hello_name",
            ],
          );
          await page.locator("#root_total_a").fill("2");
          await page.locator("#root_total_b").fill("5");
          const name = page.locator("#root_Greeting_hello_name");
          await name.fill("x");
          await name.fill("");
          await page.locator("#root_Scaling_product_b").fill("4");
          await page.locator("#run-button").click();
          const err = page.locator("#root_Greeting_hello_name__error");
          await err.waitFor();
          assert.match(await err.textContent() ?? "", /fewer than 1 character/);
          assert.match(
            await page.locator(".alert-error").textContent() ?? "",
            /rejected/,
          );
          assert.equal(await page.locator("#run").count(), 0, "no run started");
          await page.screenshot({
            path: join(ARTIFACTS, "grouped-server-error.png"),
            fullPage: true,
          });
          // fixed, the same form runs
          await name.fill("Ada");
          await page.locator("details.options summary").click();
          await page.locator("#run-mode").selectOption("parallel");
          await page.locator("#run-button").click();
          await page.locator('#run [data-status="succeeded"]').waitFor({
            timeout: 90_000,
          });
          assert.equal(
            (await page.locator("#run .run-mode").textContent())?.trim(),
            "parallel",
          );
          assert.equal(
            (await page.locator('[data-testid="result"]').textContent())
              ?.trim(),
            "28",
          );
        },
      );

      await t.step(
        "the run history lists the runs; a run has its own page",
        async () => {
          await page.goto(`${base}/ui/${CHAINING}/runs`);
          const row = page.locator("table.runs tbody tr");
          await row.first().waitFor();
          assert.equal(await row.count(), 1);
          assert.match(await row.first().textContent() ?? "", /succeeded.*12/s);
          await page.screenshot({
            path: join(ARTIFACTS, "run-history.png"),
            fullPage: true,
          });
          // in a phone-sized window the table scrolls, not the page
          await page.setViewportSize({ width: 380, height: 700 });
          assert.equal(
            await page.evaluate(
              "document.documentElement.scrollWidth <= innerWidth",
            ),
            true,
            "the run history is no wider than a narrow window",
          );
          await page.setViewportSize({ width: 1000, height: 900 });
          await row.first().locator("a").click();
          await page.locator('[data-testid="result"]').waitFor();
          assert.equal(
            (await page.locator('[data-testid="result"]').textContent())
              ?.trim(),
            "12",
          );
          assert.match(page.url(), new RegExp(`/ui/${CHAINING}/runs/[^/]+$`));
          await page.screenshot({
            path: join(ARTIFACTS, "run-page.png"),
            fullPage: true,
          });
          // "Run again…" opens the form filled with the run's parameters
          await page.locator("a", { hasText: "Run again" }).click();
          await page.waitForURL(/\?from=/);
          await page.locator("#root_total_a").waitFor();
          assert.equal(await page.locator("#root_total_a").inputValue(), "3");
          assert.equal(await page.locator("#root_total_b").inputValue(), "3");
        },
      );

      await t.step(
        "a slow run shows running, its logs live, and can be cancelled; a failure shows its error",
        async () => {
          await page.goto(`${base}/ui/${FIXTURE}`);
          await page.locator("#root_total_a").waitFor();
          // the workflow's title heads the page, once (not repeated by RJSF)
          assert.equal(
            (await page.locator("h1").textContent())?.trim(),
            "Add two numbers",
          );
          assert.equal(await page.locator("#root__title").count(), 0);
          await page.locator("#root_total_a").fill("1");
          await page.locator("#root_total_b").fill("2");
          await page.locator("#root_Options_sleep_seconds").fill("30");
          await page.locator("#run-button").click();
          await page.locator('#run [data-status="running"]').waitFor({
            timeout: 60_000,
          });
          await page.locator('[data-testid="logs"]', {
            hasText: "mode=sequential",
          }).waitFor({ timeout: 30_000 });
          await page.screenshot({
            path: join(ARTIFACTS, "running.png"),
            fullPage: true,
          });
          await page.locator("#run button", { hasText: "Cancel run" }).click();
          await page.locator('#run [data-status="cancelled"]').waitFor({
            timeout: 30_000,
          });

          await page.goto(`${base}/ui/${FIXTURE}`);
          await page.locator("#root_total_a").fill("1");
          await page.locator("#root_total_b").fill("2");
          await page.locator("#root_Options_fail_message").fill("boom");
          await page.locator("#run-button").click();
          await page.locator('#run [data-status="failed"]').waitFor({
            timeout: 60_000,
          });
          assert.equal(
            (await page.locator('[data-testid="run-error"]').textContent())
              ?.trim(),
            "boom",
          );
          assert.match(
            await page.locator("#run details").first().textContent() ?? "",
            /TaskInstanceError/,
          );
        },
      );

      assert.deepEqual(pageErrors, [], "no uncaught errors in the page");
      console.log(`ui screenshots: ${ARTIFACTS}`);
    } finally {
      await browser.close();
      await server.shutdown();
      await runner.close();
      store.close();
      await Deno.remove(tmp, { recursive: true });
    }
  },
});
