/**
 * Nearest-name suggestions for diagnostics (private helpers).
 *
 * @module
 */

/** Levenshtein edit distance, with an early exit once `max` is exceeded. */
export function editDistance(a: string, b: string, max = Infinity): number {
  if (a === b) return 0;
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev = new Array<number>(b.length + 1);
  let cur = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      const v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      cur[j] = v;
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > max) return max + 1;
    [prev, cur] = [cur, prev];
  }
  return prev[b.length]!;
}

/**
 * The candidates closest to `name` (case-insensitive edit distance within a third of the
 * length, at least 2), best first, at most `limit`.
 */
export function nearest(
  name: string,
  candidates: Iterable<string>,
  limit = 3,
): string[] {
  const lower = name.toLowerCase();
  const max = Math.max(2, Math.floor(name.length / 3));
  const scored: Array<[string, number]> = [];
  const seen = new Set<string>();
  for (const c of candidates) {
    if (seen.has(c) || c === name) continue;
    seen.add(c);
    const cl = c.toLowerCase();
    let d = editDistance(lower, cl, max);
    if (
      d > max && (cl.includes(lower) || lower.includes(cl)) && cl.length > 2 &&
      lower.length > 2
    ) {
      d = max;
    }
    if (d <= max) scored.push([c, d]);
  }
  scored.sort((x, y) => x[1] - y[1] || (x[0] < y[0] ? -1 : 1));
  return scored.slice(0, limit).map(([c]) => c);
}

/** `; did you mean `a` or `b`?` or the empty string. */
export function didYouMean(name: string, candidates: Iterable<string>): string {
  const near = nearest(name, candidates);
  if (near.length === 0) return "";
  return `; did you mean ${near.map((n) => `\`${n}\``).join(" or ")}?`;
}
