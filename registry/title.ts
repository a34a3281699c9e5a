/**
 * Default titles derived from snake_case names.
 *
 * @module
 */

/**
 * A human title for a snake_case name: underscores become spaces, each word starts with a
 * capital letter and continues in lower case (`get_patrol_events` → "Get Patrol Events").
 * Used for task titles (from the export name) and parameter titles (from the argument name).
 *
 * @param name An export or parameter name.
 * @returns The title; the name unchanged when it has no letters.
 *
 * @example
 * ```ts
 * import { defaultTitle } from "@wt/registry";
 *
 * console.assert(defaultTitle("get_patrol_events") === "Get Patrol Events");
 * console.assert(defaultTitle("time_range") === "Time Range");
 * ```
 */
export function defaultTitle(name: string): string {
  const spaced = name.replace(/_+/g, " ").trim().replace(/\s+/g, " ");
  let out = "";
  let prevLetter = false;
  for (const ch of spaced) {
    const isLetter = ch.toLowerCase() !== ch.toUpperCase();
    out += isLetter ? (prevLetter ? ch.toLowerCase() : ch.toUpperCase()) : ch;
    prevLetter = isLetter;
  }
  return out === "" ? name : out;
}
