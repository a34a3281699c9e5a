/**
 * Task library for the benchmarks (`scripts/bench/`): a task that sleeps, so the parallel
 * executor's makespan can be compared with the critical-path time of a DAG.
 *
 * @module
 */
import * as v from "valibot";
import { register, type RegisteredTask } from "@wt/registry";

/** Parameters of {@linkcode sleep}. */
export interface SleepParams {
  /** How long to sleep, in milliseconds. */
  ms: number;
  /** Return values of upstream task instances (only there to make DAG edges). */
  after?: number[] | undefined;
}

/**
 * Sleep `ms` milliseconds, then return `ms` (0 returns at once, without a timer).
 *
 * @example
 * ```ts
 * import { sleep } from "./mod.ts";
 *
 * console.assert(await sleep({ ms: 1 }) === 1);
 * ```
 */
export const sleep: RegisteredTask<
  SleepParams,
  { ms: number; after: number[] },
  Promise<number>
> = register({
  title: "Sleep",
  description: "Sleep for a number of milliseconds and return it.",
  tags: ["bench"],
  params: v.object({
    ms: v.pipe(v.number(), v.integer(), v.minValue(0), v.title("Milliseconds")),
    after: v.optional(
      v.pipe(v.array(v.number()), v.title("After")),
      [],
    ),
  }),
}, ({ ms }) =>
  // 0 ms resolves at once: a timer of 0 ms still waits for the next timer tick (~1–2 ms).
  ms === 0
    ? Promise.resolve(0)
    : new Promise<number>((r) => setTimeout(() => r(ms), ms)));
