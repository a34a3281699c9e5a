// Fixture: a library task named `never`, like the built-in condition of @wt/registry/conditions.
import * as v from "valibot";
import { register } from "@wt/registry";

/** A library's own `never`. */
export const never = register(
  { params: v.object({ values: v.array(v.unknown()) }) },
  () => false,
);
