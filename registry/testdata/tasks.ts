// Fixture for the registry CLI tests: tasks without titles, a hidden parameter, a
// parameter without a JSON form, and exports that are not tasks.
import * as v from "valibot";
import { hidden, register } from "@wt/registry";

/** A task without a title: the CLI derives "Get Patrol Events". */
export const get_patrol_events = register({
  description: "Fixture task.",
  params: v.object({
    time_range: v.optional(v.string(), "P1D"),
    client: v.pipe(v.unknown(), hidden()),
    since: v.date(),
  }),
}, ({ time_range }) => time_range);

/** A deprecated task. */
export const old_task = register({
  title: "Old",
  deprecated: true,
  deprecation_message: "use get_patrol_events",
  params: v.object({}),
}, () => null);

/** Not a task. */
export const NOT_A_TASK = 42;

/** Not a task either. */
export function helper(): number {
  return 1;
}
