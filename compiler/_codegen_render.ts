/**
 * The nunjucks environment that renders the generated workspace from the templates shipped
 * in `templates/` (read relative to this module, so they work from a checkout and from JSR).
 *
 * @module
 */
import nunjucks from "nunjucks";

/** Every template the code generator and `scaffold` use. */
export const TEMPLATE_NAMES: readonly string[] = [
  "_macros.njk",
  "imports.njk",
  "support.ts.njk",
  "dag_sequential.ts.njk",
  "dag_parallel.ts.njk",
  "cli.ts.njk",
  "deno.json.njk",
  "json.njk",
  "VERSION.njk",
  "dockerignore.njk",
  "Dockerfile.njk",
  "workflow_test.ts.njk",
  "graph.dot.njk",
  "README.md.njk",
  "scaffold_spec.yaml.njk",
  "scaffold_test-cases.yaml.njk",
  "scaffold_README.md.njk",
  "scaffold_gitignore.njk",
];

async function readTemplate(name: string): Promise<string> {
  const url = new URL(`./templates/${name}`, import.meta.url);
  if (url.protocol === "file:") return await Deno.readTextFile(url);
  const res = await fetch(url);
  if (!res.ok) {
    throw new Error(
      `cannot load compiler template ${url.href}: HTTP ${res.status}`,
    );
  }
  return await res.text();
}

let loading: Promise<nunjucks.Environment> | undefined;

/**
 * The shared template environment (templates loaded once).
 *
 * @returns The environment: no autoescaping, undefined variables are errors, block tags
 * trimmed.
 */
export function templates(): Promise<nunjucks.Environment> {
  loading ??= (async () => {
    const sources = new Map<string, string>();
    for (const name of TEMPLATE_NAMES) {
      sources.set(name, await readTemplate(name));
    }
    const loader: nunjucks.ILoader = {
      getSource(name: string): nunjucks.LoaderSource {
        const src = sources.get(name);
        if (src === undefined) {
          throw new Error(`unknown compiler template '${name}'`);
        }
        return { src, path: name, noCache: false };
      },
    };
    return new nunjucks.Environment(loader, {
      autoescape: false,
      throwOnUndefined: true,
      trimBlocks: true,
      lstripBlocks: true,
    });
  })();
  loading.catch(() => loading = undefined);
  return loading;
}

/**
 * Render one template.
 *
 * @param name Template name from {@linkcode TEMPLATE_NAMES}.
 * @param context Template variables.
 * @returns The rendered text.
 */
export async function render(
  name: string,
  context: Record<string, unknown>,
): Promise<string> {
  const env = await templates();
  return env.render(name, context);
}
