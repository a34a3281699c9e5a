/**
 * The runner's web UI: `GET /ui` (workflow list), `GET /ui/{workflow}` (the workflow's
 * `rjsf.json` as a React JSON Schema Form that starts runs and shows them live),
 * `GET /ui/{workflow}/runs` (run history) and `GET /ui/{workflow}/runs/{id}` (one run).
 *
 * The pages are a small HTML shell plus a browser bundle of `runner/ui/client.tsx`, built by
 * `deno task build:ui` into `runner/ui/dist/client.js` (generated, not committed). When the
 * bundle is missing the runner builds it on first use (`deno bundle --platform browser`) or
 * answers 503 saying to run `deno task build:ui`. Shells and assets carry no data and need no
 * token; the page calls the API with the bearer token the user enters once (kept in
 * `sessionStorage`).
 *
 * @module
 */
import { type Context, Hono } from "hono";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { STYLE_CSS } from "./ui/_style.ts";

/** The Hono type that {@linkcode uiRoutes} returns. */
export type { Hono } from "hono";

/** What {@linkcode uiRoutes} needs (a subset of the runner's `AppDeps`). */
export interface UiDeps {
  /** The runner's bearer token; when set the page asks for it. Never sent to the page. */
  token?: string | undefined;
  /** The `deno` executable that builds a missing bundle (default `"deno"`). */
  denoPath?: string | undefined;
  /** Where problems are reported (default `console.error`). */
  log?: ((message: string) => void) | undefined;
  /**
   * Path of the browser bundle (default `runner/ui/dist/client.js` beside this module).
   */
  uiBundlePath?: string | undefined;
  /**
   * Build the bundle on first use when it is missing (default `true` when the runner runs
   * from a source checkout).
   */
  uiAutoBuild?: boolean | undefined;
}

/**
 * The browser bundle is missing and could not be built (the UI pages answer 503 with its
 * message).
 *
 * @example
 * ```ts
 * import { UiBundleError } from "@wt/runner";
 *
 * const err = new UiBundleError("the web UI bundle is missing: run `deno task build:ui`");
 * console.assert(err.name === "UiBundleError");
 * ```
 */
export class UiBundleError extends Error {
  /**
   * Create the error.
   *
   * @param message What failed and what to do.
   */
  constructor(message: string) {
    super(message);
    this.name = "UiBundleError";
  }
}

interface Asset {
  body: Uint8Array<ArrayBuffer>;
  etag: string;
  version: string;
  mtime: number | null;
}

const WORKFLOW_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,199}$/;
const BUILD_HINT = "run `deno task build:ui` at the repository root";

async function digest(body: Uint8Array<ArrayBuffer>): Promise<string> {
  const hash = new Uint8Array(await crypto.subtle.digest("SHA-256", body));
  return Array.from(
    hash.subarray(0, 10),
    (b) => b.toString(16).padStart(2, "0"),
  )
    .join("");
}

async function asset(
  body: Uint8Array<ArrayBuffer>,
  mtime: number | null,
): Promise<Asset> {
  const version = await digest(body);
  return { body, etag: `"${version}"`, version, mtime };
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/** Where the bundle and its sources are when the runner runs from a checkout. */
function sourceLayout():
  | { source: string; bundle: string; root: string }
  | null {
  const here = new URL(".", import.meta.url);
  if (here.protocol !== "file:") return null;
  const runnerDir = fileURLToPath(here);
  return {
    source: join(runnerDir, "ui", "client.tsx"),
    bundle: join(runnerDir, "ui", "dist", "client.js"),
    root: dirname(runnerDir.replace(/[\\/]$/, "")),
  };
}

/** Loads (and, when allowed, builds) the browser bundle; re-reads it when it changes. */
class BundleLoader {
  #path: string | null;
  #layout = sourceLayout();
  #autoBuild: boolean;
  #deno: string;
  #log: (message: string) => void;
  #cached: Asset | null = null;
  #building: Promise<void> | null = null;
  #checked = false;

  constructor(deps: UiDeps) {
    this.#path = deps.uiBundlePath ?? this.#layout?.bundle ?? null;
    this.#autoBuild = (deps.uiAutoBuild ?? true) && this.#layout !== null;
    this.#deno = deps.denoPath ?? "deno";
    this.#log = deps.log ?? ((m) => console.error(m));
  }

  async get(): Promise<Asset> {
    const path = this.#path;
    if (path === null) {
      throw new UiBundleError(
        "this runner has no web UI bundle: it does not run from a source checkout; start it " +
          "from the repository (`deno task runner`) after `deno task build:ui`",
      );
    }
    let found = await this.#read(path);
    if (found && this.#autoBuild && !this.#checked) {
      this.#checked = true;
      if (await this.#stale(found)) found = null;
    }
    if (!found) {
      if (!this.#autoBuild) {
        throw new UiBundleError(
          `the web UI bundle ${path} is missing: ${BUILD_HINT}, then reload the page`,
        );
      }
      this.#building ??= this.#build(path).finally(() => {
        this.#building = null;
      });
      await this.#building;
      found = await this.#read(path);
      if (!found) {
        throw new UiBundleError(
          `the web UI bundle ${path} is still missing after building it: ${BUILD_HINT}`,
        );
      }
    }
    return found;
  }

  /** Whether a client source in `runner/ui/` is newer than the bundle (checked once). */
  async #stale(bundle: Asset): Promise<boolean> {
    if (bundle.mtime === null || !this.#layout) return false;
    const dir = dirname(this.#layout.source);
    try {
      for await (const e of Deno.readDir(dir)) {
        if (
          !e.isFile || !/\.tsx?$/.test(e.name) || /_test\.tsx?$/.test(e.name)
        ) {
          continue;
        }
        const mtime = (await Deno.stat(join(dir, e.name))).mtime?.getTime();
        if (mtime !== undefined && mtime > bundle.mtime) {
          this.#log(
            `wt-runner: ${
              join(dir, e.name)
            } is newer than the web UI bundle; rebuilding it`,
          );
          return true;
        }
      }
    } catch {
      return false;
    }
    return false;
  }

  async #read(path: string): Promise<Asset | null> {
    let mtime: number | null;
    try {
      mtime = (await Deno.stat(path)).mtime?.getTime() ?? null;
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) return null;
      throw e;
    }
    if (this.#cached && mtime !== null && this.#cached.mtime === mtime) {
      return this.#cached;
    }
    try {
      this.#cached = await asset(await Deno.readFile(path), mtime);
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) return null;
      throw e;
    }
    return this.#cached;
  }

  async #build(path: string): Promise<void> {
    const layout = this.#layout!;
    const dir = dirname(path);
    await Deno.mkdir(dir, { recursive: true });
    const tmp = join(dir, `.client-${crypto.randomUUID()}.js`);
    this.#log(`wt-runner: building the web UI bundle ${path} (deno bundle)`);
    let out: Deno.CommandOutput;
    try {
      out = await new Deno.Command(this.#deno, {
        args: [
          "bundle",
          "--platform",
          "browser",
          "--minify",
          "--output",
          tmp,
          layout.source,
        ],
        cwd: layout.root,
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
        signal: AbortSignal.timeout(180_000),
      }).output();
    } catch (e) {
      throw new UiBundleError(
        `the web UI bundle ${path} is missing and building it failed (${
          (e as Error).message
        }): ${BUILD_HINT}`,
      );
    }
    if (!out.success) {
      await Deno.remove(tmp).catch(() => {});
      const err = new TextDecoder().decode(out.stderr).trim().slice(-1500);
      throw new UiBundleError(
        `the web UI bundle ${path} is missing and \`deno bundle\` failed (exit ${out.code}): ${err}\n${BUILD_HINT}`,
      );
    }
    await Deno.rename(tmp, path);
  }
}

/** The page kinds the client renders (`data-page` of `#app`). */
type Page = "workflows" | "form" | "runs" | "run";

function renderShell(options: {
  title: string;
  page: Page;
  workflow: string;
  run: string;
  auth: boolean;
  script: string;
  style: string;
}): string {
  const e = escapeHtml;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${e(options.title)}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${e(options.style)}">
</head>
<body>
<div id="app" data-page="${options.page}" data-workflow="${
    e(options.workflow)
  }" data-run="${e(options.run)}" data-auth="${
    options.auth ? "required" : "none"
  }"><noscript>This page needs JavaScript.</noscript></div>
<script type="module" src="${e(options.script)}"></script>
</body>
</html>
`;
}

function errorPage(status: number, message: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>wt runner: error ${status}</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 48rem; margin: 2rem auto">
<h1>The web UI is not available</h1>
<pre style="white-space: pre-wrap">${escapeHtml(message)}</pre>
</body></html>
`;
}

/**
 * The web UI as a Hono app to mount at `/ui` (`app.route("/ui", uiRoutes(deps))`). Mount it
 * before the bearer-token middleware: its pages and assets hold no data, and the browser
 * cannot send the token on a navigation; the page sends it on every API call.
 *
 * @param deps The token (only whether one is set reaches the page), the `deno` used to
 *   build a missing bundle, a logger, and bundle options.
 * @returns The routes: `/`, `/{workflow}`, `/{workflow}/runs`, `/{workflow}/runs/{id}`,
 *   `/_assets/client.js`, `/_assets/style.css`; other paths below `/ui` answer a 404 page
 *   (a trailing slash redirects).
 *
 * @example `createApp` mounts these routes at `/ui`
 * ```ts
 * import { createApp, localInvokerFactory, RunStore, WorkflowRegistry } from "@wt/runner";
 *
 * const runner = createApp({
 *   store: new RunStore(":memory:"),
 *   workflows: new WorkflowRegistry(),
 *   invokerFactory: localInvokerFactory(),
 *   dataDir: await Deno.makeTempDir(),
 *   token: "s3cret",
 * });
 * const css = await runner.app.request("/ui/_assets/style.css"); // no token needed
 * console.assert(css.headers.get("content-type")?.startsWith("text/css"));
 * await runner.close();
 * ```
 */
export function uiRoutes(deps: UiDeps): Hono {
  const bundle = new BundleLoader(deps);
  const log = deps.log ?? ((m: string) => console.error(m));
  const stylePromise = asset(new TextEncoder().encode(STYLE_CSS), null);
  const ui = new Hono();

  const serveAsset = (c: Context, a: Asset, type: string): Response => {
    const headers: Record<string, string> = {
      "Content-Type": type,
      "ETag": a.etag,
      "Cache-Control": c.req.query("v") === a.version
        ? "public, max-age=31536000, immutable"
        : "no-cache",
      "X-Content-Type-Options": "nosniff",
    };
    const match = c.req.header("if-none-match");
    if (match && match.split(",").some((t) => t.trim() === a.etag)) {
      return new Response(null, { status: 304, headers });
    }
    return new Response(a.body, { status: 200, headers });
  };

  const unavailable = (c: Context, e: unknown, html: boolean): Response => {
    const message = e instanceof Error ? e.message : String(e);
    log(`wt-runner: web UI: ${message}`);
    return html
      ? c.html(errorPage(503, message), 503, { "Cache-Control": "no-store" })
      : c.text(message, 503, { "Cache-Control": "no-store" });
  };

  const shell = async (
    c: Context,
    page: Page,
    workflow = "",
    run = "",
  ): Promise<Response> => {
    if (workflow && !WORKFLOW_NAME.test(workflow)) {
      return c.html(errorPage(404, `no workflow '${workflow}'`), 404);
    }
    if (run && !RUN_ID.test(run)) {
      return c.html(errorPage(404, `no run '${run}'`), 404);
    }
    let script: Asset;
    try {
      script = await bundle.get();
    } catch (e) {
      return unavailable(c, e, true);
    }
    const style = await stylePromise;
    const titles: Record<Page, string> = {
      workflows: "Workflows",
      form: workflow,
      runs: `Runs of ${workflow}`,
      run: `Run ${run}`,
    };
    return c.html(
      renderShell({
        title: `${titles[page]} · wt runner`,
        page,
        workflow,
        run,
        auth: Boolean(deps.token),
        script: `/ui/_assets/client.js?v=${script.version}`,
        style: `/ui/_assets/style.css?v=${style.version}`,
      }),
      200,
      {
        "Cache-Control": "no-cache",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
      },
    );
  };

  ui.get("/", (c) => shell(c, "workflows"));
  ui.get("/_assets/client.js", async (c) => {
    try {
      return serveAsset(
        c,
        await bundle.get(),
        "text/javascript; charset=utf-8",
      );
    } catch (e) {
      return unavailable(c, e, false);
    }
  });
  ui.get(
    "/_assets/style.css",
    async (c) => serveAsset(c, await stylePromise, "text/css; charset=utf-8"),
  );
  ui.get("/:workflow", (c) => shell(c, "form", c.req.param("workflow")));
  ui.get("/:workflow/runs", (c) => shell(c, "runs", c.req.param("workflow")));
  ui.get(
    "/:workflow/runs/:id",
    (c) => shell(c, "run", c.req.param("workflow"), c.req.param("id")),
  );
  ui.get("/*", (c) => {
    const path = c.req.path;
    if (path.length > 1 && path.endsWith("/")) {
      return c.redirect(path.replace(/\/+$/, "") || "/ui", 301);
    }
    return c.html(errorPage(404, `no page ${path} in the web UI`), 404);
  });
  return ui;
}
