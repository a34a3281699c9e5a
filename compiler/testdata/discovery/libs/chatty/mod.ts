// Prints to stdout at import time; its tasks must still be discovered.
import * as v from "valibot";
import { register } from "@wt/registry";

console.log("hello from chatty at import time");
export const noop = register({ params: v.object({}) }, () => null);
