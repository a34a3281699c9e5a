/**
 * Runs `count` calls with at most `limit` in flight, results in input order.
 *
 * Calls that return plain values are stored directly (no promise per element); the pool
 * switches to asynchronous scheduling at the first call that returns a promise. The first
 * failure aborts `controller`, starts no further call and is the rejection reason.
 *
 * @module
 */
import { isThenable } from "./_util.ts";

/**
 * Run `run(0) … run(count - 1)`.
 *
 * @param count Number of calls.
 * @param run One call; may return a value or a promise.
 * @param limit Most calls in flight at once (≥ 1, may be `Infinity`).
 * @param controller Aborted with the first failure.
 * @returns The results in input order: an array when every call was synchronous,
 *   otherwise a promise of it.
 */
export function runAll(
  count: number,
  run: (i: number) => unknown,
  limit: number,
  controller: AbortController,
): unknown[] | Promise<unknown[]> {
  const results: unknown[] = new Array(count);
  for (let i = 0; i < count; i++) {
    let r: unknown;
    try {
      r = run(i);
    } catch (e) {
      controller.abort(e);
      throw e;
    }
    if (isThenable(r)) {
      return continueAsync(results, i, r, run, limit, controller);
    }
    results[i] = r;
  }
  return results;
}

function continueAsync(
  results: unknown[],
  first: number,
  pending: PromiseLike<unknown>,
  run: (i: number) => unknown,
  limit: number,
  controller: AbortController,
): Promise<unknown[]> {
  const count = results.length;
  return new Promise<unknown[]>((resolve, reject) => {
    let next = first + 1;
    let active = 0;
    let remaining = count - first;
    let failed = false;

    const fail = (e: unknown): void => {
      if (failed) return;
      failed = true;
      controller.abort(e);
      reject(e);
    };
    const track = (i: number, p: PromiseLike<unknown>): void => {
      active++;
      Promise.resolve(p).then((value) => {
        if (failed) return;
        results[i] = value;
        active--;
        remaining--;
        pump();
      }, fail);
    };
    const pump = (): void => {
      while (!failed && active < limit && next < count) {
        const i = next++;
        let r: unknown;
        try {
          r = run(i);
        } catch (e) {
          fail(e);
          return;
        }
        if (isThenable(r)) track(i, r);
        else {
          results[i] = r;
          remaining--;
        }
      }
      if (!failed && remaining === 0) resolve(results);
    };
    track(first, pending);
    pump();
  });
}
