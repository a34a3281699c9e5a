import assert from "node:assert/strict";
import {
  collectExpressions,
  containsExpression,
  parseExpression,
  referencedIds,
} from "./expressions.ts";

Deno.test("parseExpression", async (t) => {
  await t.step("references, with or without inner spaces", () => {
    for (
      const s of [
        "${{ workflow.a.return }}",
        "${{workflow.a.return}}",
        "${{ workflow.a.return}}",
      ]
    ) {
      assert.deepEqual(parseExpression(s), { kind: "reference", id: "a" }, s);
    }
  });
  await t.step("environment reads", () => {
    assert.deepEqual(parseExpression("${{ env.ECOSCOPE_WORKFLOWS_RESULTS }}"), {
      kind: "env",
      name: "ECOSCOPE_WORKFLOWS_RESULTS",
    });
  });
  await t.step("literals", () => {
    for (
      const v of ["plain", "$ {{ x }}", "{{ x }}", 3, null, [1], {
        a: "${{ workflow.a.return }}",
      }]
    ) {
      assert.equal(parseExpression(v).kind, "literal");
    }
  });
  await t.step("malformed, with a reason", () => {
    const cases: Array<[string, RegExp]> = [
      ["a ${{ workflow.x.return }}", /whole string/],
      ["${{ workflow.x }}", /\.return/],
      ["${{ workflow.x.result }}", /\.return/],
      ["${{ workflow.x.return }", /not closed/],
      ["${{ env.1X }}", /environment variable/],
      ["${{ secrets.X }}", /unsupported expression/],
    ];
    for (const [s, re] of cases) {
      const e = parseExpression(s);
      assert.equal(e.kind, "malformed", s);
      if (e.kind === "malformed") assert.match(e.reason, re, s);
    }
  });
});

Deno.test("collectExpressions walks lists and mappings to any depth", () => {
  const found = collectExpressions({
    a: "${{ workflow.x.return }}",
    b: [1, ["${{ env.E }}", { c: "${{ bad }}" }]],
    d: "literal",
  });
  assert.deepEqual(found.map((f) => [f.path.join("/"), f.expr.kind]), [
    ["a", "reference"],
    ["b/1/0", "env"],
    ["b/1/1/c", "malformed"],
  ]);
  assert.deepEqual(
    referencedIds([
      ["${{ workflow.y.return }}"],
      "${{ workflow.x.return }}",
      "${{ workflow.y.return }}",
    ]),
    ["y", "x"],
  );
  assert.ok(containsExpression({ a: [{ b: "${{ env.X }}" }] }));
  assert.ok(!containsExpression({ a: [{ b: "x" }], c: null }));
});
