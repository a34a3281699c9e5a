/**
 * `deno task corpus`: the corpus conformance check (see `_corpus_check.ts`).
 *
 * @module
 */
import { join } from "node:path";
import { ROOT } from "./_workspace.ts";
import {
  checkCase,
  KNOWN_INCONSISTENCIES,
  listCases,
} from "./_corpus_check.ts";

const casesDir = join(ROOT, "..", "shared", "corpus", "cases");
let exists = false;
try {
  exists = (await Deno.stat(casesDir)).isDirectory;
} catch { /* absent */ }
if (!exists) {
  console.log(
    `corpus: skipped: ${casesDir} does not exist (no corpus on this machine)`,
  );
  Deno.exit(0);
}
const names = await listCases(casesDir);
let matched = 0;
const unexpected: string[] = [];
for (const name of names) {
  const r = await checkCase(join(casesDir, name), name);
  const known = KNOWN_INCONSISTENCIES[name];
  if (r.ok) {
    matched++;
    console.log(
      `ok    ${name}${
        known ? "  (listed as a known inconsistency but matches!)" : ""
      }`,
    );
  } else {
    console.log(
      `${known ? "known" : "FAIL "} ${name}${known ? `: ${known}` : ""}`,
    );
    for (const p of r.problems) console.log(`        ${p}`);
    if (!known) unexpected.push(name);
  }
}
const knownFailing = names.filter((n) =>
  KNOWN_INCONSISTENCIES[n] !== undefined
);
let summary =
  `corpus: ${matched}/${names.length} match, ${knownFailing.length} known ` +
  `reference inconsistencies: ${knownFailing.join(", ") || "none"}`;
if (unexpected.length > 0) {
  summary += `; ${unexpected.length} UNEXPECTED mismatches: ${
    unexpected.join(", ")
  }`;
}
console.log(summary);
Deno.exit(unexpected.length > 0 ? 1 : 0);
