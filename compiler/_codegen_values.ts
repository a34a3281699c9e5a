/**
 * Values of a spec (`partial` values, `argvalues`) as trees that the code templates render
 * into TypeScript expressions: JSON literals, `${{ workflow.<id>.return }}` references and
 * `${{ env.<VAR> }}` reads, nested in lists and dicts to any depth.
 *
 * @module
 */
import { collectExpressions, parseExpression } from "./expressions.ts";

/** A value as the templates render it. */
export type ValueNode =
  | { kind: "json"; text: string }
  | { kind: "ref"; id: string }
  | { kind: "env"; name: string }
  | { kind: "list"; items: ValueNode[] }
  | { kind: "dict"; entries: { key: string; value: ValueNode }[] };

/**
 * The expression a string stands for, if it is entirely one `${{ … }}` expression.
 *
 * @param s A string value from the spec.
 * @returns The reference target or environment variable, or `undefined` for a literal.
 */
export function expressionOf(
  s: string,
): { kind: "ref"; id: string } | { kind: "env"; name: string } | undefined {
  const e = parseExpression(s);
  if (e.kind === "reference") return { kind: "ref", id: e.id };
  if (e.kind === "env") return { kind: "env", name: e.name };
  return undefined;
}

function isPlainObject(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}

function hasExpression(value: unknown): boolean {
  if (typeof value === "string") return expressionOf(value) !== undefined;
  if (Array.isArray(value)) return value.some(hasExpression);
  if (isPlainObject(value)) return Object.values(value).some(hasExpression);
  return false;
}

/**
 * Turn a spec value into a {@linkcode ValueNode}. Subtrees without expressions stay one
 * JSON literal.
 *
 * @param value A value as parsed from YAML.
 * @returns The tree the templates render.
 */
export function toValueNode(value: unknown): ValueNode {
  if (typeof value === "string") {
    const expr = expressionOf(value);
    if (expr) return expr;
  }
  if (!hasExpression(value)) {
    return { kind: "json", text: JSON.stringify(value ?? null) };
  }
  if (Array.isArray(value)) {
    return { kind: "list", items: value.map(toValueNode) };
  }
  const entries = Object.entries(value as Record<string, unknown>).map((
    [key, v],
  ) => ({ key: JSON.stringify(key), value: toValueNode(v) }));
  return { kind: "dict", entries };
}

/**
 * Every environment variable a value reads, in first-seen order.
 *
 * @param value A value as parsed from YAML.
 * @returns Variable names, without duplicates.
 */
export function envNamesOf(value: unknown): string[] {
  const out: string[] = [];
  for (const { expr } of collectExpressions(value)) {
    if (expr.kind === "env" && !out.includes(expr.name)) out.push(expr.name);
  }
  return out;
}
