/**
 * Rules for task instance ids: the one place that lists the names ids may not take (JavaScript
 * reserved words and the names generated code uses).
 *
 * @module
 */

/**
 * Longest allowed instance id.
 *
 * @example
 * ```ts
 * import { checkId, MAX_ID_LENGTH } from "@wt/compiler";
 *
 * console.assert(checkId("x".repeat(MAX_ID_LENGTH)) === undefined);
 * console.assert(checkId("x".repeat(MAX_ID_LENGTH + 1)) === "too-long");
 * ```
 */
export const MAX_ID_LENGTH = 64;

/**
 * Pattern of a valid instance id: ASCII letters, digits and `_`, not starting with a digit.
 *
 * @example
 * ```ts
 * import { ID_PATTERN } from "@wt/compiler";
 *
 * console.assert(ID_PATTERN.test("total_2") && !ID_PATTERN.test("2total") && !ID_PATTERN.test("a-b"));
 * ```
 */
export const ID_PATTERN: RegExp = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Pattern of a valid workflow id: ASCII letters, digits, `_` and `-`, starting with a letter
 * or `_` (instance ids may not contain `-`; see {@linkcode ID_PATTERN}).
 *
 * @example
 * ```ts
 * import { WORKFLOW_ID_PATTERN } from "@wt/compiler";
 *
 * console.assert(WORKFLOW_ID_PATTERN.test("patrol-events_2") && !WORKFLOW_ID_PATTERN.test("-x"));
 * ```
 */
export const WORKFLOW_ID_PATTERN: RegExp = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/**
 * JavaScript reserved words, strict-mode restrictions and global values that cannot be rebound.
 *
 * @example
 * ```ts
 * import { checkId, JS_RESERVED_WORDS } from "@wt/compiler";
 *
 * console.assert(JS_RESERVED_WORDS.includes("class") && checkId("class") === "reserved");
 * ```
 */
export const JS_RESERVED_WORDS: readonly string[] = [
  "arguments",
  "await",
  "break",
  "case",
  "catch",
  "class",
  "const",
  "continue",
  "debugger",
  "default",
  "delete",
  "do",
  "else",
  "enum",
  "eval",
  "export",
  "extends",
  "false",
  "finally",
  "for",
  "function",
  "if",
  "implements",
  "import",
  "in",
  "instanceof",
  "interface",
  "let",
  "new",
  "null",
  "package",
  "private",
  "protected",
  "public",
  "return",
  "static",
  "super",
  "switch",
  "this",
  "throw",
  "true",
  "try",
  "typeof",
  "var",
  "void",
  "while",
  "with",
  "yield",
  "undefined",
  "NaN",
  "Infinity",
  "globalThis",
];

/**
 * Names the generated workflow code declares or relies on; an instance id equal to one of them
 * would shadow it. Code generation must only introduce top-level names listed here.
 *
 * @example
 * ```ts
 * import { checkId, GENERATED_CODE_NAMES } from "@wt/compiler";
 *
 * console.assert(GENERATED_CODE_NAMES.includes("params") && checkId("params") === "reserved");
 * ```
 */
export const GENERATED_CODE_NAMES: readonly string[] = [
  "task",
  "tasks",
  "workflow",
  "params",
  "env",
  "main",
  "run",
  "runner",
  "SKIP",
  "skip",
  "result",
  "results",
  "config",
  "options",
  "context",
  "ctx",
  "signal",
  "Deno",
  "console",
  "Object",
  "Array",
  "JSON",
  "Promise",
  "Error",
  "Map",
  "Set",
  "Symbol",
  "String",
  "Number",
  "Boolean",
  "Math",
  "Date",
  "import",
  "constructor",
  "prototype",
  "__proto__",
  "hasOwnProperty",
  "toString",
  "valueOf",
];

const RESERVED = new Set<string>([
  ...JS_RESERVED_WORDS,
  ...GENERATED_CODE_NAMES,
]);

/** Why an id is not allowed (see {@linkcode checkId}). */
export type IdProblem = "empty" | "invalid" | "reserved" | "too-long";

/**
 * Check an instance id against the syntactic rules (not uniqueness).
 *
 * @param id The id as written.
 * @returns The problem, or `undefined` when the id is fine.
 *
 * @example
 * ```ts
 * import { checkId } from "./ids.ts";
 *
 * console.assert(checkId("total") === undefined);
 * console.assert(checkId("my-step") === "invalid");
 * console.assert(checkId("workflow") === "reserved");
 * ```
 */
export function checkId(id: string): IdProblem | undefined {
  if (id === "") return "empty";
  if (!ID_PATTERN.test(id)) return "invalid";
  if (id.length > MAX_ID_LENGTH) return "too-long";
  if (RESERVED.has(id)) return "reserved";
  return undefined;
}

/**
 * Whether a name is reserved (a JavaScript reserved word or a generated-code name).
 *
 * @param name A candidate identifier.
 * @returns `true` when instance ids may not take it.
 *
 * @example
 * ```ts
 * import { isReservedId } from "./ids.ts";
 *
 * console.assert(isReservedId("class") && isReservedId("params") && !isReservedId("total"));
 * ```
 */
export function isReservedId(name: string): boolean {
  return RESERVED.has(name);
}

/**
 * A valid id close to an invalid one: invalid characters replaced by `_`, a leading digit
 * prefixed, reserved names suffixed with `_step`, truncated to the maximum length.
 *
 * @param id The id as written.
 * @returns A valid id suggestion.
 *
 * @example
 * ```ts
 * import { suggestId } from "./ids.ts";
 *
 * console.assert(suggestId("my-step") === "my_step");
 * console.assert(suggestId("class") === "class_step");
 * ```
 */
export function suggestId(id: string): string {
  let s = id.replace(/[^A-Za-z0-9_]/g, "_");
  if (s === "" || /^[0-9]/.test(s)) s = `_${s}`;
  if (s.length > MAX_ID_LENGTH) s = s.slice(0, MAX_ID_LENGTH);
  if (RESERVED.has(s)) s = `${s}_step`;
  return s;
}

/**
 * Check a workflow id (the spec's top-level `id`): not empty, {@linkcode WORKFLOW_ID_PATTERN},
 * at most {@linkcode MAX_ID_LENGTH} characters.
 *
 * @param id The workflow id as written.
 * @returns The problem, or `undefined` when the id is fine.
 *
 * @example
 * ```ts
 * import { checkWorkflowId } from "./ids.ts";
 *
 * console.assert(checkWorkflowId("add-then-double") === undefined);
 * console.assert(checkWorkflowId("2fast") === "invalid");
 * ```
 */
export function checkWorkflowId(
  id: string,
): Exclude<IdProblem, "reserved"> | undefined {
  if (id === "") return "empty";
  if (!WORKFLOW_ID_PATTERN.test(id)) return "invalid";
  if (id.length > MAX_ID_LENGTH) return "too-long";
  return undefined;
}

/**
 * A valid workflow id close to an invalid one: characters other than letters, digits, `_` and
 * `-` replaced by `_`, a leading digit or `-` prefixed with `_`, truncated to the maximum length.
 *
 * @param id The id as written (e.g. a folder name).
 * @returns A valid workflow id.
 *
 * @example
 * ```ts
 * import { suggestWorkflowId } from "./ids.ts";
 *
 * console.assert(suggestWorkflowId("my flow.v2") === "my_flow_v2");
 * console.assert(suggestWorkflowId("2025-report") === "_2025-report");
 * ```
 */
export function suggestWorkflowId(id: string): string {
  let s = id.replace(/[^A-Za-z0-9_-]/g, "_").replace(/^(?=[0-9-]|$)/, "_");
  if (s.length > MAX_ID_LENGTH) s = s.slice(0, MAX_ID_LENGTH);
  return s;
}
