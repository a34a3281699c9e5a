import assert from "node:assert/strict";
import {
  checkId,
  GENERATED_CODE_NAMES,
  isReservedId,
  MAX_ID_LENGTH,
  suggestId,
} from "./ids.ts";

Deno.test("checkId", () => {
  assert.equal(checkId("events_bar_chart"), undefined);
  assert.equal(checkId("_x1"), undefined);
  assert.equal(checkId(""), "empty");
  assert.equal(checkId("1x"), "invalid");
  assert.equal(checkId("a.b"), "invalid");
  assert.equal(checkId("ü"), "invalid");
  assert.equal(checkId("x".repeat(MAX_ID_LENGTH + 1)), "too-long");
  for (const w of ["await", "yield", "let", "enum", ...GENERATED_CODE_NAMES]) {
    assert.equal(checkId(w), "reserved", w);
    assert.ok(isReservedId(w));
  }
  for (const bad of ["1x", "a-b", "class", "x".repeat(80), ""]) {
    assert.equal(checkId(suggestId(bad)), undefined, bad);
  }
});
