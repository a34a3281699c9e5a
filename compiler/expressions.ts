/**
 * Expressions in spec values. A string that is **entirely** `${{ workflow.<id>.return }}` is a
 * reference to another task instance's result (an edge of the DAG); a string that is entirely
 * `${{ env.<VAR> }}` reads an environment variable at run time; any other string is a literal,
 * except that a string containing `${{` in any other form is a malformed expression.
 *
 * @module
 */

/** A literal value (anything that is not an expression). */
export interface LiteralExpr {
  /** Discriminator. */
  kind: "literal";
  /** The value as written. */
  value: unknown;
}

/** `${{ workflow.<id>.return }}`: the result of another task instance. */
export interface ReferenceExpr {
  /** Discriminator. */
  kind: "reference";
  /** The referenced instance id. */
  id: string;
}

/** `${{ env.<VAR> }}`: an environment variable read at run time. */
export interface EnvExpr {
  /** Discriminator. */
  kind: "env";
  /** The variable name. */
  name: string;
}

/** A string that contains `${{` but is not a supported expression. */
export interface MalformedExpr {
  /** Discriminator. */
  kind: "malformed";
  /** The string as written. */
  text: string;
  /** What is wrong and how to write it instead. */
  reason: string;
}

/** Result of {@linkcode parseExpression}. */
export type Expression = LiteralExpr | ReferenceExpr | EnvExpr | MalformedExpr;

const REFERENCE = /^\$\{\{\s*workflow\.([^\s.{}]+)\.return\s*\}\}$/;
const ENV = /^\$\{\{\s*env\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}$/;
const ANY = /\$\{\{([^}]*)\}\}/;

/**
 * Classify one value: a reference, an environment read, a malformed expression, or a literal.
 * Only strings can be expressions; lists and mappings are literals here (use
 * {@linkcode collectExpressions} to look inside them).
 *
 * @param value A value as written in the spec.
 * @returns Its classification.
 *
 * @example
 * ```ts
 * import { parseExpression } from "./expressions.ts";
 *
 * const r = parseExpression("${{ workflow.total.return}}");
 * console.assert(r.kind === "reference" && r.id === "total");
 * console.assert(parseExpression("${{ env.HOME }}").kind === "env");
 * console.assert(parseExpression("x ${{ workflow.a.return }}").kind === "malformed");
 * console.assert(parseExpression(3).kind === "literal");
 * ```
 */
export function parseExpression(value: unknown): Expression {
  if (typeof value !== "string" || !value.includes("${{")) {
    return { kind: "literal", value };
  }
  const ref = REFERENCE.exec(value);
  if (ref) return { kind: "reference", id: ref[1]! };
  const env = ENV.exec(value);
  if (env) return { kind: "env", name: env[1]! };
  return { kind: "malformed", text: value, reason: malformedReason(value) };
}

function malformedReason(text: string): string {
  const m = ANY.exec(text);
  const usage =
    "write `${{ workflow.<id>.return }}` for another task's result or `${{ env.<VAR> }}` for an environment variable";
  if (!m) {
    return `the expression is not closed with \`}}\`; ${usage}`;
  }
  if (m[0] !== text) {
    const inner = m[0];
    const rest = text.replace(inner, "").trim();
    if (REFERENCE.test(inner) || ENV.test(inner)) {
      return `an expression must be the whole string (found extra text ${
        JSON.stringify(rest)
      }); string interpolation is not supported: pass the value to a task that formats it`;
    }
  }
  const body = (m[1] ?? "").trim();
  if (body.startsWith("workflow.")) {
    const parts = body.split(".");
    if (parts.length === 2 || (parts.length >= 3 && parts[2] !== "return")) {
      return `a reference must end with \`.return\`: write \`\${{ workflow.${
        parts[1] ?? "<id>"
      }.return }}\``;
    }
    return `malformed reference \`${body}\`; ${usage}`;
  }
  if (body.startsWith("env.")) {
    return `\`${
      body.slice(4)
    }\` is not a valid environment variable name (letters, digits and \`_\`)`;
  }
  return `unsupported expression \`${body}\`; ${usage}`;
}

/** An expression found inside a value, with its path relative to that value. */
export interface FoundExpression {
  /** Keys and indexes from the value's root to the expression string. */
  path: Array<string | number>;
  /** The expression (never a literal). */
  expr: ReferenceExpr | EnvExpr | MalformedExpr;
}

/**
 * Walk a value (lists and mappings to any depth) and collect every expression in it, in
 * document order.
 *
 * @param value A value as written in the spec.
 * @returns The expressions found, each with its path inside `value`.
 *
 * @example
 * ```ts
 * import { collectExpressions } from "./expressions.ts";
 *
 * const found = collectExpressions({ widgets: ["${{ workflow.a.return }}", { x: "${{ env.E }}" }] });
 * console.assert(found.length === 2);
 * console.assert(found[0]?.path.join("/") === "widgets/0");
 * ```
 */
export function collectExpressions(value: unknown): FoundExpression[] {
  const out: FoundExpression[] = [];
  const path: Array<string | number> = [];
  const walk = (v: unknown, depth: number): void => {
    if (depth > 10_000) return;
    if (typeof v === "string") {
      const expr = parseExpression(v);
      if (expr.kind !== "literal") out.push({ path: [...path], expr });
    } else if (Array.isArray(v)) {
      v.forEach((item, i) => {
        path.push(i);
        walk(item, depth + 1);
        path.pop();
      });
    } else if (v !== null && typeof v === "object") {
      for (const [k, item] of Object.entries(v)) {
        path.push(k);
        walk(item, depth + 1);
        path.pop();
      }
    }
  };
  walk(value, 0);
  return out;
}

/**
 * Whether a value contains any expression (reference, environment read or malformed), at any
 * depth.
 *
 * @param value A value as written in the spec.
 * @returns `true` when the value is not a pure literal.
 *
 * @example
 * ```ts
 * import { containsExpression } from "./expressions.ts";
 *
 * console.assert(containsExpression([1, ["${{ workflow.a.return }}"]]));
 * console.assert(!containsExpression({ a: [1, "two"] }));
 * ```
 */
export function containsExpression(value: unknown): boolean {
  if (typeof value === "string") return value.includes("${{");
  if (Array.isArray(value)) return value.some(containsExpression);
  if (value !== null && typeof value === "object") {
    return Object.values(value).some(containsExpression);
  }
  return false;
}

/**
 * The ids of every instance a value references (`${{ workflow.<id>.return }}`), at any depth,
 * each once, in document order.
 *
 * @param value A value as written in the spec.
 * @returns The referenced ids.
 *
 * @example
 * ```ts
 * import { referencedIds } from "./expressions.ts";
 *
 * const ids = referencedIds(["${{ workflow.a.return }}", "${{ workflow.b.return }}", "${{ workflow.a.return }}"]);
 * console.assert(ids.join() === "a,b");
 * ```
 */
export function referencedIds(value: unknown): string[] {
  const ids: string[] = [];
  for (const { expr } of collectExpressions(value)) {
    if (expr.kind === "reference" && !ids.includes(expr.id)) ids.push(expr.id);
  }
  return ids;
}
