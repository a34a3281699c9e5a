/**
 * Where a spec's task catalogue comes from: a pre-computed `RegistryOutput` file
 * (`--registry FILE`), or task discovery over the spec's requirements.
 *
 * @module
 */
import * as v from "valibot";
import { RegistryOutput } from "@wt/contracts";
import { Catalogue } from "./catalogue.ts";
import type { Spec } from "./spec_model.ts";

/**
 * The catalogue could not be loaded: the registry file is missing or invalid, or discovery
 * is not available or failed. The message says which file or step and how to fix it.
 *
 * @example
 * ```ts
 * import { CatalogueLoadError } from "./load_catalogue.ts";
 *
 * const err = new CatalogueLoadError("registry file x.json not found");
 * console.assert(err.name === "CatalogueLoadError");
 * ```
 */
export class CatalogueLoadError extends Error {
  /**
   * Create the error.
   *
   * @param message What failed and the fix.
   * @param options Standard error options (`cause`).
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "CatalogueLoadError";
  }
}

/** Options of {@linkcode loadCatalogue}. */
export interface LoadCatalogueOptions {
  /** Path of a pre-computed `RegistryOutput` JSON file; when set, no discovery runs. */
  registry?: string | undefined;
  /**
   * Task discovery: computes the `RegistryOutput` of the spec's requirements. When absent and
   * no `registry` is given, loading fails with a message asking for `--registry`.
   */
  discover?: ((spec: Spec) => Promise<RegistryOutput>) | undefined;
  /** How to read the registry file (default `Deno.readTextFile`). */
  readTextFile?: ((path: string) => Promise<string>) | undefined;
}

/**
 * Read and check a `RegistryOutput` JSON file.
 *
 * @param path The file path.
 * @param readTextFile How to read it (default `Deno.readTextFile`).
 * @returns The registry output.
 * @throws {CatalogueLoadError} When the file cannot be read, is not JSON, or does not match
 * the `RegistryOutput` schema (each problem with its path).
 *
 * @example
 * ```ts ignore
 * import { readRegistryFile } from "./load_catalogue.ts";
 *
 * const registry = await readRegistryFile("registry.json");
 * console.log(Object.keys(registry.entries));
 * ```
 */
export async function readRegistryFile(
  path: string,
  readTextFile: (path: string) => Promise<string> = Deno.readTextFile,
): Promise<RegistryOutput> {
  let text: string;
  try {
    text = await readTextFile(path);
  } catch (err) {
    throw new CatalogueLoadError(
      `cannot read registry file ${path}: ${
        err instanceof Error ? err.message : String(err)
      }; pass the path of a RegistryOutput JSON file (the registry CLI's output)`,
      { cause: err },
    );
  }
  return parseRegistryText(text, path);
}

/**
 * Parse and check the text of a `RegistryOutput` JSON document.
 *
 * @param text The JSON text.
 * @param source Where it comes from (for messages).
 * @returns The registry output.
 * @throws {CatalogueLoadError} When it is not JSON or does not match the schema.
 *
 * @example
 * ```ts
 * import { parseRegistryText } from "./load_catalogue.ts";
 *
 * const out = parseRegistryText('{"version": "1.0.0", "entries": {}}', "inline");
 * console.assert(Object.keys(out.entries).length === 0);
 * ```
 */
export function parseRegistryText(
  text: string,
  source: string,
): RegistryOutput {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new CatalogueLoadError(
      `registry file ${source} is not valid JSON: ${
        err instanceof Error ? err.message : String(err)
      }`,
      { cause: err },
    );
  }
  const result = v.safeParse(RegistryOutput, json);
  if (!result.success) {
    const problems = result.issues.slice(0, 10).map((i) => {
      const path = (i.path ?? []).map((p) => String(p.key)).join(".");
      return `${path || "(root)"}: ${i.message}`;
    });
    throw new CatalogueLoadError(
      `registry file ${source} is not a valid RegistryOutput:\n  ${
        problems.join("\n  ")
      }`,
    );
  }
  return result.output;
}

/**
 * Load the task catalogue for a spec: from `options.registry` when given, otherwise by
 * running `options.discover` on the spec.
 *
 * @param spec The parsed spec.
 * @param options Where the catalogue comes from.
 * @returns The catalogue.
 * @throws {CatalogueLoadError} When neither source is available or loading fails.
 *
 * @example
 * ```ts
 * import { loadCatalogue, parseSpec } from "@wt/compiler";
 *
 * const { spec } = parseSpec("id: w\nworkflow:\n  - id: a\n    task: add\n", "s.yaml");
 * const catalogue = await loadCatalogue(spec!, {
 *   discover: () => Promise.resolve({ version: "1.0.0", entries: {} }),
 * });
 * console.assert(catalogue.resolve("add").kind === "unknown");
 * ```
 */
export async function loadCatalogue(
  spec: Spec,
  options: LoadCatalogueOptions,
): Promise<Catalogue> {
  if (options.registry !== undefined) {
    return new Catalogue(
      await readRegistryFile(options.registry, options.readTextFile),
    );
  }
  if (options.discover) {
    let out: RegistryOutput;
    try {
      out = await options.discover(spec);
    } catch (err) {
      if (err instanceof CatalogueLoadError) throw err;
      throw new CatalogueLoadError(
        `task discovery failed: ${
          err instanceof Error ? err.message : String(err)
        }`,
        { cause: err },
      );
    }
    return new Catalogue(out);
  }
  throw new CatalogueLoadError(
    "task discovery is not available here; pass --registry FILE with a pre-computed RegistryOutput (the registry CLI's JSON output)",
  );
}
