/**
 * The corpus conformance check: for each case of `../shared/corpus/cases/`, derive a
 * registry from the case, parse and validate its spec against that registry (any error
 * diagnostic fails the case), generate `params.json` and `rjsf.json` and
 * compare them with the reference files as JSON values.
 *
 * @module
 */
import { join } from "node:path";
import * as v from "valibot";
import { type RegistryEntry, RegistryOutput } from "@wt/contracts";
import {
  Catalogue,
  describeResolution,
  formatDiagnostic,
  generateSchemas,
  parseSpec,
  type TaskInstance,
  validateSpec,
} from "@wt/compiler";
import {
  deriveRegistry,
  isObject,
  type JsonObject,
} from "./_corpus_registry.ts";

/**
 * Cases whose committed reference output is itself inconsistent with their spec, with the
 * reason. They are compared like every other case; a mismatch there is expected.
 */
export const KNOWN_INCONSISTENCIES: Readonly<Record<string, string>> = {
  "mep--animate_tracks":
    "committed params.json/rjsf.json predate later edits of the spec: " +
    "arguments the spec now binds (animation_settings.auto_rotate_speed, every argument of " +
    "create_animation) still appear in them",
  "smart-patrols":
    "compiled by a much older reference compiler with different uiSchema rules " +
    "(per-group `uiSchema` inside `properties`, no task-group marker, no per-task ui:order)",
};

/** Outcome of one case. */
export interface CaseResult {
  /** Case folder name. */
  name: string;
  /** Whether both generated schemas equal the reference files. */
  ok: boolean;
  /** First differing JSON paths per file (`params.json: /properties/x/required`), or the error. */
  problems: string[];
}

function pointer(path: readonly string[]): string {
  return path.length === 0
    ? "/"
    : path.map((p) => "/" + p.replaceAll("~", "~0").replaceAll("/", "~1")).join(
      "",
    );
}

function brief(x: unknown): string {
  const text = x === undefined ? "(absent)" : JSON.stringify(x);
  return text.length > 60 ? text.slice(0, 57) + "..." : text;
}

/**
 * JSON paths where two JSON values differ (object key order ignored; array order counts).
 *
 * @param actual The generated value.
 * @param expected The reference value.
 * @param limit Stop after this many differences.
 * @returns Up to `limit` lines `<pointer>: got <x>, expected <y>`.
 */
export function jsonDiff(
  actual: unknown,
  expected: unknown,
  limit = 5,
): string[] {
  const out: string[] = [];
  const walk = (a: unknown, e: unknown, path: string[]) => {
    if (out.length >= limit) return;
    if (isObject(a) && isObject(e)) {
      const keys = new Set([...Object.keys(e), ...Object.keys(a)]);
      for (const k of keys) walk(a[k], e[k], [...path, k]);
    } else if (Array.isArray(a) && Array.isArray(e) && a.length === e.length) {
      a.forEach((x, i) => walk(x, e[i], [...path, String(i)]));
    } else if (
      JSON.stringify(a) !== JSON.stringify(e) ||
      a === undefined !== (e === undefined)
    ) {
      out.push(`${pointer(path)}: got ${brief(a)}, expected ${brief(e)}`);
    }
  };
  walk(actual, expected, []);
  return out;
}

async function readJson(path: string): Promise<JsonObject> {
  return JSON.parse(await Deno.readTextFile(path));
}

/**
 * Run one case.
 *
 * @param dir The case folder (holding `spec.yaml`, `params.json`, `rjsf.json`).
 * @param name The case name.
 * @returns The outcome.
 */
export async function checkCase(
  dir: string,
  name: string,
): Promise<CaseResult> {
  try {
    const specFile = join(dir, "spec.yaml");
    const parsed = parseSpec(await Deno.readTextFile(specFile), specFile);
    const errors = parsed.diagnostics.filter((d) => d.severity === "error");
    if (parsed.spec === undefined || errors.length > 0) {
      return {
        name,
        ok: false,
        problems: errors.slice(0, 5).map(formatDiagnostic),
      };
    }
    const spec = parsed.spec;
    const refParams = await readJson(join(dir, "params.json"));
    const refRjsf = await readJson(join(dir, "rjsf.json"));
    // The derived registry must be a valid registry output, like one read with `--registry`.
    const registry = v.parse(
      RegistryOutput,
      deriveRegistry(spec, refParams).registry,
    );
    const catalogue = new Catalogue(registry);
    const invalid = validateSpec(spec, catalogue).filter((d) =>
      d.severity === "error"
    );
    if (invalid.length > 0) {
      return {
        name,
        ok: false,
        problems: invalid.slice(0, 5).map(formatDiagnostic),
      };
    }
    const entryFor = (instance: TaskInstance): RegistryEntry => {
      const r = catalogue.resolve(instance.task);
      if (r.kind !== "found") {
        throw new Error(describeResolution(instance.task, r));
      }
      return r.entry;
    };
    const { params, rjsf } = generateSchemas(spec, entryFor);
    const problems = [
      ...jsonDiff(params, refParams).map((d) => `params.json ${d}`),
      ...jsonDiff(rjsf, refRjsf).map((d) => `rjsf.json ${d}`),
    ];
    return { name, ok: problems.length === 0, problems };
  } catch (err) {
    return { name, ok: false, problems: [`error: ${(err as Error).message}`] };
  }
}

/**
 * The case folders under a corpus `cases/` directory, sorted by name.
 *
 * @param casesDir The `cases/` directory.
 * @returns Case names.
 */
export async function listCases(casesDir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const e of Deno.readDir(casesDir)) {
    if (e.isDirectory) names.push(e.name);
  }
  return names.sort();
}
