// Fixture: a task registration mistake (a mock on a task not tagged `io`), which fails at
// import time.
import * as v from "valibot";
import { register } from "@wt/registry";

/** Never exported: register() throws first. */
export const broken = register({
  params: v.object({ n: v.number() }),
  mock: 1,
}, ({ n }) => n);
