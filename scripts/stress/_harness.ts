/**
 * A tiny harness for the stress test: named checks with a time limit, each passing or
 * failing with a message, and a `N passed, N failed` summary.
 *
 * @module
 */

/** One check: an async function that throws on failure. */
export interface Check {
  /** Name printed in the report. */
  name: string;
  /** Upper bound on its duration, in milliseconds. */
  timeoutMs: number;
  /** The check; it may return a one-line summary of what it covered. */
  fn: () => Promise<void | string>;
}

/** Outcome of one check. */
export interface CheckOutcome {
  /** Check name. */
  name: string;
  /** Whether it passed. */
  ok: boolean;
  /** Duration, in milliseconds. */
  ms: number;
  /** Failure message. */
  error?: string | undefined;
  /** What the check covered (its summary). */
  summary?: string | undefined;
}

/** Thrown by {@linkcode expect}. */
export class CheckFailure extends Error {
  /** @param message What was expected and what happened. */
  constructor(message: string) {
    super(message);
    this.name = "CheckFailure";
  }
}

/**
 * Fail the current check unless `condition` holds.
 *
 * @param condition What must hold.
 * @param message Why it failed (evaluated only on failure).
 */
export function expect(
  condition: unknown,
  message: string | (() => string),
): asserts condition {
  if (!condition) {
    throw new CheckFailure(typeof message === "string" ? message : message());
  }
}

/**
 * Run checks one after the other, printing a line per check.
 *
 * @param checks The checks.
 * @returns Their outcomes.
 */
export async function runChecks(
  checks: readonly Check[],
): Promise<CheckOutcome[]> {
  const out: CheckOutcome[] = [];
  for (const c of checks) {
    const t0 = performance.now();
    let timer: ReturnType<typeof setTimeout> | undefined;
    let error: string | undefined;
    let summary: string | undefined;
    try {
      summary = (await Promise.race([
        c.fn(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new CheckFailure(`timed out after ${c.timeoutMs} ms`)),
            c.timeoutMs,
          );
        }),
      ])) ?? undefined;
    } catch (e) {
      error = e instanceof CheckFailure
        ? e.message
        : (e instanceof Error ? e.stack ?? e.message : String(e));
    } finally {
      clearTimeout(timer);
    }
    const ms = performance.now() - t0;
    out.push({ name: c.name, ok: error === undefined, ms, error, summary });
    console.log(
      `${error === undefined ? "ok  " : "FAIL"} ${c.name} (${
        (ms / 1000).toFixed(1)
      } s)${
        error === undefined
          ? (summary ? `: ${summary}` : "")
          : `\n     ${error.replaceAll("\n", "\n     ")}`
      }`,
    );
  }
  return out;
}
