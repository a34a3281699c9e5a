// A library whose deno.json has its own imports, which discovery must honour.
import * as v from "valibot";
import { register } from "@wt/registry";
import { exclaim } from "shouty";

export const excite = register({
  params: v.object({ text: v.string() }),
}, ({ text }) => exclaim(text));
