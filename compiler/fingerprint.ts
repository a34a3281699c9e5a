/**
 * Content fingerprints of a compiled workflow: what changed between two compilations, and
 * whether anything did. `spec_sha256` ignores cosmetic fields, `params_sha256` changes
 * exactly when the structure of the parameter form does, `artifacts_sha256` covers the
 * generated files as the code generator renders them (before `deno fmt`, so a compilation
 * can tell that nothing changed without formatting anything).
 *
 * @module
 */
import { createHash } from "node:crypto";
import type { SkipifSpec, Spec, TaskInstance } from "./spec_model.ts";

/**
 * The fingerprint block written into a compiled workflow's README.
 *
 * @example
 * ```ts
 * import { type Fingerprint, readFingerprint, sameFingerprint } from "./fingerprint.ts";
 *
 * const fp: Fingerprint = {
 *   spec_sha256: "a1",
 *   params_sha256: "b2",
 *   artifacts_sha256: "c3",
 *   libraries: { "@acme/math": "1.2.0" },
 * };
 * const fence = "`".repeat(3);
 * const readme = `<!-- wt:fingerprint:begin -->\n${fence}json\n${JSON.stringify(fp)}\n` +
 *   `${fence}\n<!-- wt:fingerprint:end -->`;
 * console.assert(sameFingerprint(readFingerprint(readme)!, fp));
 * ```
 */
export interface Fingerprint {
  /** SHA-256 of the canonical JSON of the validated spec without cosmetic fields and requirements. */
  spec_sha256: string;
  /** SHA-256 of `params.json` without `title`, `description`, `default` and `uiSchema`. */
  params_sha256: string;
  /** SHA-256 of the generated files before formatting (without README.md, VERSION, deno.lock and the version field). */
  artifacts_sha256: string;
  /** Task libraries and the versions they resolved to. */
  libraries: Record<string, string>;
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}

/**
 * JSON text with object keys sorted at every level: equal values give equal text.
 *
 * @param value A JSON value.
 * @returns Canonical JSON text.
 *
 * @example
 * ```ts
 * import { canonicalJson } from "./fingerprint.ts";
 *
 * console.assert(canonicalJson({ b: 1, a: [{ d: 2, c: 3 }] }) === '{"a":[{"c":3,"d":2}],"b":1}');
 * ```
 */
export function canonicalJson(value: unknown): string {
  const sort = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sort);
    if (isObject(v)) {
      const out: Record<string, unknown> = {};
      for (const key of Object.keys(v).sort()) {
        if (v[key] !== undefined) out[key] = sort(v[key]);
      }
      return out;
    }
    return v;
  };
  return JSON.stringify(sort(value) ?? null);
}

/**
 * Hex SHA-256 of a string (UTF-8).
 *
 * @param text The text.
 * @returns 64 hex digits.
 *
 * @example
 * ```ts
 * import { sha256Hex } from "./fingerprint.ts";
 *
 * console.assert(sha256Hex("").startsWith("e3b0c442"));
 * ```
 */
export function sha256Hex(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

function skipifForm(s: SkipifSpec | undefined): unknown {
  return s === undefined
    ? undefined
    : { conditions: s.conditions, unpack_depth: s.unpack_depth };
}

function instanceForm(t: TaskInstance): unknown {
  return {
    id: t.id,
    task: t.task,
    partial: t.partial,
    map: t.map && { argnames: t.map.argnames, argvalues: t.map.argvalues },
    mapvalues: t.mapvalues &&
      { argnames: t.mapvalues.argnames, argvalues: t.mapvalues.argvalues },
    skipif: skipifForm(t.skipif),
  };
}

/**
 * The structural form of a spec that {@linkcode specSha256} hashes: ids, tasks, bindings,
 * map/mapvalues, skip conditions, defaults, form overrides and the grouping of instances;
 * without names, titles, descriptions, requirements and source positions.
 *
 * @param spec A validated spec.
 * @returns A JSON value.
 *
 * @example
 * ```ts
 * import { structuralSpec } from "./fingerprint.ts";
 *
 * const pos = { line: 1, col: 1 };
 * const form = structuralSpec({
 *   id: "w", requirements: [], file: "s.yaml", task_instance_defaults: {},
 *   rjsf_overrides: { properties: {}, $defs: {}, uiSchema: {} },
 *   workflow: [{ type: "task", id: "a", name: "A", task: "add", partial: {}, pos }],
 * });
 * console.assert(!JSON.stringify(form).includes('"A"'));
 * ```
 */
export function structuralSpec(spec: Spec): unknown {
  return {
    id: spec.id,
    rjsf_overrides: spec.rjsf_overrides,
    task_instance_defaults: {
      skipif: skipifForm(spec.task_instance_defaults.skipif),
    },
    workflow: spec.workflow.map((item) =>
      item.type === "task"
        ? instanceForm(item)
        : { group: item.tasks.map(instanceForm) }
    ),
  };
}

/**
 * `spec_sha256`: the hash of {@linkcode structuralSpec} as canonical JSON. Renaming a task
 * instance or a group, or editing a description, keeps it; changing a binding changes it.
 *
 * @param spec A validated spec.
 * @returns 64 hex digits.
 *
 * @example
 * ```ts
 * import { specSha256 } from "./fingerprint.ts";
 *
 * const pos = { line: 1, col: 1 };
 * const spec = (name: string, b: number) => ({
 *   id: "w", requirements: [], file: "s.yaml", task_instance_defaults: {},
 *   rjsf_overrides: { properties: {}, $defs: {}, uiSchema: {} },
 *   workflow: [{ type: "task" as const, id: "a", name, task: "add", partial: { b }, pos }],
 * });
 * console.assert(specSha256(spec("A", 1)) === specSha256(spec("Renamed", 1)));
 * console.assert(specSha256(spec("A", 1)) !== specSha256(spec("A", 2)));
 * ```
 */
export function specSha256(spec: Spec): string {
  return sha256Hex(canonicalJson(structuralSpec(spec)));
}

const NAME_MAPS = new Set([
  "properties",
  "$defs",
  "definitions",
  "patternProperties",
  "dependentSchemas",
]);
const COSMETIC = new Set(["title", "description", "default"]);

function stripSchema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(stripSchema);
  if (!isObject(schema)) return schema;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    if (COSMETIC.has(key) || key === "uiSchema") continue;
    if (NAME_MAPS.has(key) && isObject(value)) {
      const names: Record<string, unknown> = {};
      for (const [name, sub] of Object.entries(value)) {
        names[name] = stripSchema(sub);
      }
      out[key] = names;
    } else {
      out[key] = stripSchema(value);
    }
  }
  return out;
}

/**
 * `params_sha256`: the hash of `params.json` without the keywords `title`, `description`,
 * `default` and the `uiSchema`; property names called `title` are kept.
 *
 * @param params The `params.json` schema.
 * @returns 64 hex digits.
 *
 * @example
 * ```ts
 * import { paramsSha256 } from "./fingerprint.ts";
 *
 * const a = { properties: { t: { title: "Add", properties: { a: { type: "integer" } } } } };
 * const b = { properties: { t: { title: "Sum", properties: { a: { type: "integer" } } } } };
 * const c = { properties: { t: { title: "Add", properties: { a: { type: "number" } } } } };
 * console.assert(paramsSha256(a) === paramsSha256(b) && paramsSha256(a) !== paramsSha256(c));
 * ```
 */
export function paramsSha256(params: Record<string, unknown>): string {
  return sha256Hex(canonicalJson(stripSchema(params)));
}

/**
 * Files that {@linkcode artifactsSha256} leaves out: they carry the version or are derived.
 *
 * @example
 * ```ts
 * import { artifactsSha256, UNHASHED_FILES } from "./fingerprint.ts";
 *
 * console.assert(UNHASHED_FILES.includes("VERSION"));
 * const files = new Map([["src/cli.ts", "// cli"], ["VERSION", "1.0.0\n"]]);
 * const bumped = new Map([["src/cli.ts", "// cli"], ["VERSION", "1.1.0\n"]]);
 * console.assert(artifactsSha256(files) === artifactsSha256(bumped));
 * ```
 */
export const UNHASHED_FILES: readonly string[] = [
  "README.md",
  "VERSION",
  "deno.lock",
];

/**
 * `artifacts_sha256`: the hash of the generated files by path, as rendered (not yet
 * formatted), without `README.md`, `VERSION`, `deno.lock` and the `version` field of
 * `deno.json`, so that bumping the version alone does not change it.
 *
 * @param files Generated files: path relative to the workspace → text.
 * @returns 64 hex digits.
 *
 * @example
 * ```ts
 * import { artifactsSha256 } from "./fingerprint.ts";
 *
 * const a = new Map([["deno.json", '{"version":"1.0.0"}'], ["VERSION", "1.0.0"]]);
 * const b = new Map([["deno.json", '{"version":"2.0.0"}'], ["VERSION", "2.0.0"]]);
 * console.assert(artifactsSha256(a) === artifactsSha256(b));
 * ```
 */
export function artifactsSha256(files: ReadonlyMap<string, string>): string {
  const hash = createHash("sha256");
  for (const path of [...files.keys()].sort()) {
    if (UNHASHED_FILES.includes(path)) continue;
    let text = files.get(path)!;
    if (path === "deno.json") {
      const config = JSON.parse(text) as Record<string, unknown>;
      delete config["version"];
      text = canonicalJson(config);
    }
    hash.update(`${path}\0${text.length}\0`, "utf8");
    hash.update(text, "utf8");
  }
  return hash.digest("hex");
}

const BEGIN = "<!-- wt:fingerprint:begin -->";
const END = "<!-- wt:fingerprint:end -->";

/**
 * Read the fingerprint block back from a compiled workflow's README.
 *
 * @param readme The README text.
 * @returns The fingerprint, or `undefined` when the README has no (valid) block.
 *
 * @example
 * ```ts
 * import { readFingerprint } from "./fingerprint.ts";
 *
 * const fence = "`".repeat(3);
 * const fp = { spec_sha256: "a", params_sha256: "b", artifacts_sha256: "c", libraries: {} };
 * const readme = `<!-- wt:fingerprint:begin -->\n${fence}json\n${JSON.stringify(fp)}\n` +
 *   `${fence}\n<!-- wt:fingerprint:end -->`;
 * console.assert(readFingerprint(readme)?.params_sha256 === "b");
 * ```
 */
export function readFingerprint(readme: string): Fingerprint | undefined {
  const start = readme.indexOf(BEGIN);
  const end = readme.indexOf(END, start);
  if (start < 0 || end < 0) return undefined;
  const body = readme.slice(start + BEGIN.length, end).replace(
    /```(json)?/g,
    "",
  ).trim();
  try {
    const fp = JSON.parse(body) as Fingerprint;
    if (
      typeof fp.spec_sha256 === "string" &&
      typeof fp.params_sha256 === "string" &&
      typeof fp.artifacts_sha256 === "string" && isObject(fp.libraries)
    ) return fp;
  } catch {
    // not a fingerprint
  }
  return undefined;
}

/**
 * Whether two fingerprints describe the same compiled workflow.
 *
 * @param a A fingerprint.
 * @param b Another fingerprint.
 * @returns `true` when every hash and library version is equal.
 *
 * @example
 * ```ts
 * import { sameFingerprint } from "./fingerprint.ts";
 *
 * const fp = { spec_sha256: "a", params_sha256: "b", artifacts_sha256: "c", libraries: {} };
 * console.assert(sameFingerprint(fp, { ...fp }) && !sameFingerprint(fp, { ...fp, spec_sha256: "x" }));
 * ```
 */
export function sameFingerprint(a: Fingerprint, b: Fingerprint): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

/**
 * The next version of a workflow: major bump when its parameters changed, minor otherwise.
 *
 * @param previous The previous version (`MAJOR.MINOR.PATCH`).
 * @param paramsChanged Whether `params_sha256` changed.
 * @returns The bumped version.
 * @throws {TypeError} When `previous` is not `MAJOR.MINOR.PATCH`.
 *
 * @example
 * ```ts
 * import { bumpVersion } from "./fingerprint.ts";
 *
 * console.assert(bumpVersion("1.2.3", true) === "2.0.0");
 * console.assert(bumpVersion("1.2.3", false) === "1.3.0");
 * ```
 */
export function bumpVersion(previous: string, paramsChanged: boolean): string {
  const m = /^(\d+)\.(\d+)\.(\d+)$/.exec(previous.trim());
  if (!m) {
    throw new TypeError(
      `VERSION '${previous.trim()}' is not MAJOR.MINOR.PATCH: fix or delete it`,
    );
  }
  const major = Number(m[1]);
  const minor = Number(m[2]);
  return paramsChanged ? `${major + 1}.0.0` : `${major}.${minor + 1}.0`;
}
