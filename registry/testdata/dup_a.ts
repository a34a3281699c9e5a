// Fixture: exports a task named `add`, as dup_b.ts does.
import * as v from "valibot";
import { register } from "@wt/registry";

/** One `add`. */
export const add = register(
  { params: v.object({ a: v.number() }) },
  ({ a }) => a,
);
