/**
 * Test fixture: async tasks that take a set time, to measure the parallel executor.
 *
 * @module
 */
import * as v from "valibot";
import { register, type RegisteredTask } from "@wt/registry";

interface WaitParams {
  ms: number;
  value: number;
}

interface SumParams {
  values: number[];
}

/** Wait `ms` milliseconds, then return `value`. */
export const wait_value: RegisteredTask<
  WaitParams,
  WaitParams,
  Promise<number>
> = register({
  description: "Wait, then return the value.",
  params: v.object({ ms: v.number(), value: v.number() }),
}, async ({ ms, value }) => {
  await new Promise((resolve) => setTimeout(resolve, ms));
  return value;
});

/** Add up a list of numbers. */
export const sum_values: RegisteredTask<SumParams, SumParams, number> =
  register({
    description: "Add up numbers.",
    params: v.object({ values: v.array(v.number()) }),
  }, ({ values }) => values.reduce((s, x) => s + x, 0));
