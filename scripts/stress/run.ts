/**
 * `deno task stress`: reliability checks, bounded in count and time, loopback only.
 *
 * - runner: 1 000 concurrent submissions (none lost, all terminal), SIGKILL mid-run and
 *   restart (no run lost), malformed and oversized requests (4xx, still serving);
 * - fuzz (`fast-check`): the spec parser/validator and the compiled workflow's config input;
 * - sandbox: discovery against hostile task libraries (every denied permission).
 *
 * Ends with `N passed, N failed`; exits 1 when a check failed.
 *
 * Options: `--only runner,fuzz,sandbox`, `--quick` (100 submissions, fewer fuzz cases).
 *
 * @module
 */
import { parseArgs } from "node:util";
import { type Check, runChecks } from "./_harness.ts";
import { runnerChecks, stopAllRunners } from "./_runner_checks.ts";
import { configFuzzChecks, specFuzzChecks } from "./_fuzz.ts";
import { sandboxChecks } from "./_sandbox.ts";
import { onlyOf } from "../_only.ts";

const GROUPS = ["runner", "fuzz", "sandbox"] as const;
type Group = typeof GROUPS[number];

const { values: opts } = parseArgs({
  args: Deno.args,
  options: {
    only: { type: "string" },
    quick: { type: "boolean", default: false },
  },
  strict: true,
});
const only = onlyOf("stress", "group", opts.only, GROUPS);
const quick = opts.quick;

const work = await Deno.makeTempDir({ prefix: "wt-stress-" });
const checks: Check[] = [];
if (only.has("sandbox")) checks.push(...sandboxChecks());
if (only.has("fuzz")) {
  checks.push(...specFuzzChecks(work, quick ? 300 : 2000));
  checks.push(...configFuzzChecks(work, quick ? 500 : 3000));
}
if (only.has("runner")) {
  checks.push(...runnerChecks(work, { submissions: quick ? 100 : 1000 }));
}

const t0 = performance.now();
let outcomes;
try {
  outcomes = await runChecks(checks);
} finally {
  await stopAllRunners();
  await Deno.remove(work, { recursive: true }).catch(() => {});
}
const passed = outcomes.filter((o) => o.ok).length;
const failed = outcomes.length - passed;
console.log(
  `\n${passed} passed, ${failed} failed (${
    ((performance.now() - t0) / 1000).toFixed(0)
  } s)`,
);
Deno.exit(failed === 0 ? 0 : 1);
