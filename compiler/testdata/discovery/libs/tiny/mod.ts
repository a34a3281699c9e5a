// A tiny task library for discovery tests: two tasks, valibot schemas, @wt/registry.
import * as v from "valibot";
import { register } from "@wt/registry";
import { helper } from "./_helper.ts";

export const shout = register({
  title: "Shout",
  description: "Upper-case a word.",
  tags: ["text"],
  params: v.object({ word: v.string() }),
}, ({ word }) => helper(word));

export const count = register({
  params: v.object({ items: v.array(v.string()) }),
}, ({ items }) => items.length);

/** Not a task: ignored by discovery. */
export const VERSION = "0.1.0";
