// Fixture: exports a task named `add`, as dup_a.ts does.
import * as v from "valibot";
import { register } from "@wt/registry";

/** Another `add`. */
export const add = register(
  { params: v.object({ b: v.number() }) },
  ({ b }) => b,
);
