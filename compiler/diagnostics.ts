/**
 * Located diagnostics: what the compiler reports about a spec, and the error class that
 * carries them.
 *
 * @module
 */

/** Severity of a {@linkcode Diagnostic}: errors fail compilation, warnings do not. */
export type Severity = "error" | "warning";

/**
 * One problem found in a spec, located at the YAML node it is about.
 *
 * @example
 * ```ts
 * import type { Diagnostic } from "./diagnostics.ts";
 *
 * const d: Diagnostic = {
 *   severity: "error",
 *   message: "unknown key `tsk`; did you mean `task`?",
 *   file: "spec.yaml",
 *   line: 4,
 *   col: 5,
 *   code: "unknown-key",
 * };
 * console.assert(d.line === 4);
 * ```
 */
export interface Diagnostic {
  /** `error` fails the compilation; `warning` is printed only. */
  severity: Severity;
  /** What is wrong, and the fix or the nearest valid name where there is one. */
  message: string;
  /** The spec file (as given to the parser). */
  file: string;
  /** 1-based line of the offending node. */
  line: number;
  /** 1-based column of the offending node. */
  col: number;
  /** Stable machine-readable kind of problem, e.g. `unknown-key`, `forward-reference`. */
  code: string;
}

/**
 * Build a diagnostic located at a source position.
 *
 * @param file The spec file.
 * @param severity `error` or `warning`.
 * @param at Where the offending node starts.
 * @param code Machine-readable kind of problem.
 * @param message What is wrong and the fix.
 * @returns The diagnostic.
 *
 * @example
 * ```ts
 * import { diagnosticAt } from "./diagnostics.ts";
 *
 * const d = diagnosticAt("s.yaml", "error", { line: 4, col: 9 }, "bad-id", "bad id `1x`");
 * console.assert(d.line === 4 && d.col === 9 && d.file === "s.yaml");
 * ```
 */
export function diagnosticAt(
  file: string,
  severity: Severity,
  at: { line: number; col: number },
  code: string,
  message: string,
): Diagnostic {
  return { severity, message, file, line: at.line, col: at.col, code };
}

/**
 * Render a diagnostic as `<file>:<line>:<col>: <severity>: <message>`.
 *
 * @param d The diagnostic.
 * @returns One line of text (the message may itself span lines).
 *
 * @example
 * ```ts
 * import { formatDiagnostic } from "./diagnostics.ts";
 *
 * const text = formatDiagnostic({
 *   severity: "warning", message: "task `old` is deprecated", file: "s.yaml",
 *   line: 3, col: 11, code: "deprecated-task",
 * });
 * console.assert(text === "s.yaml:3:11: warning: task `old` is deprecated");
 * ```
 */
export function formatDiagnostic(d: Diagnostic): string {
  return `${d.file}:${d.line}:${d.col}: ${d.severity}: ${d.message}`;
}

/**
 * Whether any of the diagnostics is an error.
 *
 * @param diagnostics Diagnostics to inspect.
 * @returns `true` when at least one has severity `error`.
 *
 * @example
 * ```ts
 * import { hasErrors } from "./diagnostics.ts";
 *
 * console.assert(!hasErrors([]));
 * ```
 */
export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === "error");
}

/**
 * Order diagnostics by file, line, column (stable for equal positions).
 *
 * @param diagnostics Diagnostics to sort.
 * @returns A new, sorted array.
 *
 * @example
 * ```ts
 * import { sortDiagnostics } from "./diagnostics.ts";
 *
 * const base = { severity: "error" as const, message: "m", file: "f", code: "c" };
 * const sorted = sortDiagnostics([{ ...base, line: 2, col: 1 }, { ...base, line: 1, col: 9 }]);
 * console.assert(sorted[0]?.line === 1);
 * ```
 */
export function sortDiagnostics(
  diagnostics: readonly Diagnostic[],
): Diagnostic[] {
  return diagnostics
    .map((d, i) => [d, i] as const)
    .sort(([a, i], [b, j]) =>
      a.file < b.file
        ? -1
        : a.file > b.file
        ? 1
        : a.line - b.line || a.col - b.col || i - j
    )
    .map(([d]) => d);
}

/**
 * Thrown when a spec cannot be compiled; carries every diagnostic that was found (errors and
 * warnings), so callers can print them all or act on their codes.
 *
 * @example
 * ```ts
 * import { SpecError } from "./diagnostics.ts";
 *
 * const err = new SpecError([{
 *   severity: "error", message: "`workflow` is required", file: "s.yaml",
 *   line: 1, col: 1, code: "missing-key",
 * }]);
 * console.assert(err.message.includes("s.yaml:1:1: error"));
 * console.assert(err.diagnostics.length === 1);
 * ```
 */
export class SpecError extends Error {
  /** Every diagnostic found, errors and warnings. */
  readonly diagnostics: readonly Diagnostic[];

  /**
   * Create the error; its message lists every diagnostic, one per line.
   *
   * @param diagnostics The diagnostics.
   */
  constructor(diagnostics: readonly Diagnostic[]) {
    const errors = diagnostics.filter((d) => d.severity === "error").length;
    super(
      `spec has ${errors} error(s):\n` +
        diagnostics.map(formatDiagnostic).join("\n"),
    );
    this.name = "SpecError";
    this.diagnostics = diagnostics;
  }
}
