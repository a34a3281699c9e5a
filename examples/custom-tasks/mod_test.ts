import assert from "node:assert/strict";
import { taskInfo } from "@wt/registry";
import { task } from "@wt/task";
import {
  add,
  CANNED_NUMBERS,
  double,
  fetch_numbers,
  greet,
  multiply,
  parse_int,
  split_digits,
  sum_list,
  to_label,
} from "./mod.ts";

type Props = Record<string, Record<string, unknown>>;
const props = (t: unknown): Props =>
  taskInfo(t)!.json_schema["properties"] as Props;
const required = (t: unknown): unknown => taskInfo(t)!.json_schema["required"];

Deno.test("add and multiply take two required integers", () => {
  assert.equal(add({ a: 2, b: 3 }), 5);
  assert.equal(add({ a: -2, b: 2 }), 0);
  assert.equal(multiply({ a: 6, b: -7 }), -42);
  for (const t of [add, multiply]) {
    assert.equal(props(t)["a"]?.["type"], "integer");
    assert.equal(props(t)["b"]?.["type"], "integer");
    assert.deepEqual(required(t), ["a", "b"]);
    assert.deepEqual(taskInfo(t)?.metadata.tags, ["math"]);
  }
  assert.equal(taskInfo(add)?.metadata.title, "Add");
});

Deno.test("double doubles an integer", () => {
  assert.equal(double({ n: 21 }), 42);
  assert.equal(double({ n: -4 }), -8);
  assert.equal(double({ n: 0 }), 0);
  assert.equal(props(double)["n"]?.["type"], "integer");
});

Deno.test("split_digits returns the digits of |n| as strings", () => {
  assert.deepEqual(split_digits({ n: 1203 }), ["1", "2", "0", "3"]);
  assert.deepEqual(split_digits({ n: -45 }), ["4", "5"]);
  assert.deepEqual(split_digits({ n: 0 }), ["0"]);
  assert.deepEqual(
    split_digits({ n: Number.MAX_SAFE_INTEGER }).join(""),
    String(Number.MAX_SAFE_INTEGER),
  );
});

Deno.test("parse_int parses decimal integers and rejects the rest", () => {
  assert.equal(parse_int({ s: "42" }), 42);
  assert.equal(parse_int({ s: " -7 " }), -7);
  assert.equal(parse_int({ s: "+3" }), 3);
  assert.equal(parse_int({ s: "007" }), 7);
  for (const s of ["", "1.5", "abc", "1e3", "0x10", "12a"]) {
    assert.throws(() => parse_int({ s }), /is not a decimal integer/, s);
  }
  assert.throws(() => parse_int({ s: "99999999999999999999" }), RangeError);
  assert.equal(props(parse_int)["s"]?.["type"], "string");
});

Deno.test("to_label has an optional prefix with a default", () => {
  assert.equal(to_label({ n: 3 }), "#3");
  assert.equal(to_label({ n: 3, prefix: "item " }), "item 3");
  assert.deepEqual(required(to_label), ["n"]);
  assert.equal(props(to_label)["prefix"]?.["default"], "#");
  assert.equal(props(to_label)["prefix"]?.["title"], "Prefix");
});

Deno.test("sum_list adds a list of numbers", () => {
  assert.equal(sum_list({ values: [1, 2, 3] }), 6);
  assert.equal(sum_list({ values: [] }), 0);
  assert.equal(sum_list({ values: [0.5, -1] }), -0.5);
  assert.deepEqual(props(sum_list)["values"], {
    type: "array",
    items: { type: "number" },
    title: "Values",
    description: "The numbers to add up.",
  });
});

Deno.test("fetch_numbers is an io task with a mock", async (t) => {
  await t.step("fetches a JSON array and keeps the first count", async () => {
    assert.deepEqual(
      await fetch_numbers({ url: "data:application/json,[5,6,7,8]", count: 3 }),
      [5, 6, 7],
    );
  });
  await t.step("rejects a body that is not an array of numbers", async () => {
    await assert.rejects(
      fetch_numbers({ url: 'data:application/json,{"a":1}', count: 1 }),
      /not a JSON array of numbers/,
    );
  });
  await t.step("tagged io, with canned data as its mock", () => {
    const info = taskInfo(fetch_numbers)!;
    assert.deepEqual(info.metadata.tags, ["io"]);
    assert.equal(info.has_mock, true);
    const mock = info.mock as (p: { url: string; count: number }) => number[];
    assert.deepEqual(mock({ url: "x", count: 3 }), CANNED_NUMBERS.slice(0, 3));
    assert.equal(props(fetch_numbers)["url"]?.["format"], "uri");
    assert.equal(props(fetch_numbers)["count"]?.["minimum"], 0);
  });
});

Deno.test("greet greets by name", () => {
  assert.equal(greet({ name: "Ada" }), "Hello, Ada!");
  assert.equal(props(greet)["name"]?.["minLength"], 1);
});

Deno.test("every example task has a title, a description and tags", () => {
  for (
    const t of [
      add,
      multiply,
      double,
      split_digits,
      parse_int,
      to_label,
      sum_list,
      fetch_numbers,
      greet,
    ]
  ) {
    const m = taskInfo(t)!.metadata;
    assert.ok(m.title && m.description && m.tags.length > 0, String(m.title));
  }
});

Deno.test("the runtime wrapper reads the brand: validation and mock-io", async () => {
  const fetcher = task(fetch_numbers, { mockIo: true });
  assert.deepEqual(
    await fetcher.call({ url: "https://example.invalid/n.json", count: 3 }),
    CANNED_NUMBERS.slice(0, 3),
  );
  const checked = task(add).setTaskInstanceId("total").validate();
  assert.equal(await checked.call({ a: 1, b: 2 }), 3);
  await assert.rejects(checked.call({ a: 1.5, b: 2 }), /total/);
  assert.deepEqual(await task(double).map("n", [1, 2, 3]), [2, 4, 6]);
});
