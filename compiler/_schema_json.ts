/**
 * Small JSON helpers shared by the schema generation: object tests, deep copies and
 * dotted-key-path overrides.
 *
 * @module
 */

/** A JSON object. */
export type JsonObject = Record<string, unknown>;

/**
 * Whether a value is a plain JSON object (not an array, not null).
 *
 * @param x Any value.
 * @returns `true` for objects that are neither arrays nor `null`.
 */
export function isJsonObject(x: unknown): x is JsonObject {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}

/**
 * A deep copy of a JSON value.
 *
 * @param x A JSON value.
 * @returns An independent copy.
 */
export function cloneJson<T>(x: T): T {
  return structuredClone(x);
}

/**
 * An `rjsf-overrides` entry whose dotted key path runs through a value that is not an
 * object (overrides set keys of objects; they cannot index into lists or replace scalars
 * on the way).
 *
 * @example
 * ```ts
 * import { SchemaOverrideError } from "./_schema_json.ts";
 *
 * const err = new SchemaOverrideError("properties", "total.required.0", "total.required");
 * console.assert(err.keyPath === "total.required.0");
 * ```
 */
export class SchemaOverrideError extends Error {
  /** The section of `rjsf-overrides` (`properties`, `$defs` or `uiSchema`). */
  readonly section: string;
  /** The dotted key path as written. */
  readonly keyPath: string;

  /**
   * Describe a failed override.
   *
   * @param section The section of `rjsf-overrides`.
   * @param keyPath The dotted key path as written.
   * @param at The key segment whose current value is not an object.
   */
  constructor(section: string, keyPath: string, at: string) {
    super(
      `rjsf-overrides.${section}: cannot apply \`${keyPath}\`: \`${at}\` holds a value ` +
        `that is not an object; address an object (overrides set keys, they do not index lists)`,
    );
    this.name = "SchemaOverrideError";
    this.section = section;
    this.keyPath = keyPath;
  }
}

/** A problem with one `rjsf-overrides` entry, reported instead of thrown. */
export interface OverrideProblem {
  /** The section of `rjsf-overrides` (`properties`, `$defs` or `uiSchema`). */
  section: string;
  /** The dotted key path as written. */
  keyPath: string;
  /**
   * `not-object`: the path runs through a value that is not an object (the override is
   * skipped); `created`: the path runs through keys the generated schema does not have
   * (they were created).
   */
  kind: "not-object" | "created";
  /** The key path prefix where the problem starts. */
  at: string;
}

/** Set an own property, even for keys such as `__proto__`. */
function setOwn(node: JsonObject, key: string, value: unknown): void {
  Object.defineProperty(node, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}

/**
 * Apply overrides given as dotted key paths → values to a JSON object, in place. Each path
 * is split on `.`; missing intermediate objects are created; the last segment is replaced.
 *
 * @param section Name of the override section (for error messages).
 * @param overrides Dotted key paths and their new values, applied in order.
 * @param target The object to modify.
 * @param report When given, problems are passed to it instead of thrown (an override
 *   through a non-object is then skipped), and created intermediate objects are reported.
 * @throws {SchemaOverrideError} Without `report`, when a path runs through a value that is
 *   not an object.
 */
export function applyDottedOverrides(
  section: string,
  overrides: Record<string, unknown>,
  target: JsonObject,
  report?: (problem: OverrideProblem) => void,
): void {
  outer: for (const [keyPath, value] of Object.entries(overrides)) {
    const keys = keyPath.split(".");
    let node: JsonObject = target;
    let created = false;
    for (let i = 0; i < keys.length - 1; i++) {
      const key = keys[i] as string;
      if (!Object.hasOwn(node, key)) {
        if (!created) {
          report?.({
            section,
            keyPath,
            kind: "created",
            at: keys.slice(0, i + 1).join("."),
          });
        }
        created = true;
        setOwn(node, key, {});
      }
      const next = node[key];
      if (!isJsonObject(next)) {
        const at = keys.slice(0, i + 1).join(".");
        if (!report) throw new SchemaOverrideError(section, keyPath, at);
        report({ section, keyPath, kind: "not-object", at });
        continue outer;
      }
      node = next;
    }
    setOwn(node, keys[keys.length - 1] as string, cloneJson(value));
  }
}
