import assert from "node:assert/strict";
import { isEmptyValue, isSkipSentinel, SKIP_BRAND } from "./skip_values.ts";

Deno.test("isSkipSentinel: the brand, with the value true, marks the sentinel", () => {
  assert.equal(SKIP_BRAND, Symbol.for("wt.task.skip"));
  assert.equal(isSkipSentinel({ [SKIP_BRAND]: true }), true);
  for (
    const x of [null, undefined, 0, "SKIP", { skipped: true }, {
      [SKIP_BRAND]: 1,
    }]
  ) {
    assert.equal(isSkipSentinel(x), false, String(x));
  }
});

Deno.test("isEmptyValue: empty and non-empty values", () => {
  const empty = [
    null,
    undefined,
    "",
    [],
    {},
    Object.create(null),
    new Map(),
    new Set(),
    {
      length: 0,
    },
    { size: 0 },
    new Uint8Array(0),
  ];
  const full = [
    0,
    false,
    NaN,
    "x",
    [0],
    [[]],
    { a: 1 },
    { [Symbol("k")]: 1 },
    new Map([[
      1,
      1,
    ]]),
    { length: 2 },
    new Date(0),
    { [SKIP_BRAND]: true },
    () => 1,
  ];
  empty.forEach((x, i) => assert.equal(isEmptyValue(x), true, `empty #${i}`));
  full.forEach((x, i) => assert.equal(isEmptyValue(x), false, `full #${i}`));
});
