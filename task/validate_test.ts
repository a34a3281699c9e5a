import assert from "node:assert/strict";
import * as v from "valibot";
import { task, TaskInstanceError, TaskValidationError } from "./mod.ts";
import { add, registered, rejection } from "./testdata/fixtures.ts";

const validationError = (p: Promise<unknown>): Promise<TaskValidationError> =>
  rejection(p, TaskValidationError);

Deno.test("validate with the registered valibot schema", async (t) => {
  const total = task(add).setTaskInstanceId("total").validate();
  await t.step("valid arguments call the task", async () => {
    assert.equal(await total.partial({ a: 1 }).call({ b: 2 }), 3);
  });
  await t.step(
    "an error names the instance id, the parameter path and the reason",
    async () => {
      const e = await validationError(total.call({ a: 1, b: 2.5 }));
      assert.equal(e.taskInstanceId, "total");
      assert.equal(e.issues.length, 1);
      assert.deepEqual(e.issues[0]?.path, ["b"]);
      assert.equal(e.issues[0]?.validator, "integer");
      assert.equal(e.issues[0]?.input, 2.5);
      assert.match(
        e.message,
        /^invalid arguments for task instance "total":\n/,
      );
      assert.match(e.message, /\nb: Invalid integer: Received 2\.5/);
    },
  );
  await t.step(
    "missing and wrongly typed parameters are all reported",
    async () => {
      const e = await validationError(total.call({ a: "1" }));
      assert.deepEqual(e.issues.map((i) => i.path), [["a"], ["b"]]);
      assert.match(
        e.message,
        /a: Invalid type: Expected number but received "1"/,
      );
      assert.match(
        e.message,
        /b: Invalid key: Expected "b" but received undefined/,
      );
    },
  );
  await t.step("unknown parameters are reported", async () => {
    const e = await validationError(total.call({ a: 1, b: 2, c: 3 }));
    assert.deepEqual(e.issues.map((i) => [i.path, i.validator]), [[
      ["c"],
      "additionalProperties",
    ]]);
    assert.match(e.message, /c: 'c' is not a parameter of this task/);
  });
  await t.step("the task is not called when validation fails", async () => {
    let calls = 0;
    const counted = task(
      registered(() => ++calls, { params: v.object({ n: v.number() }) }),
    ).validate();
    await assert.rejects(counted.call({ n: "x" }), TaskValidationError);
    assert.equal(calls, 0);
  });
  await t.step("a TaskValidationError is a TaskInstanceError", async () => {
    const e = await validationError(total.call({}));
    assert.ok(e instanceof TaskInstanceError);
  });
});

Deno.test("validate reports nested parameter paths", async () => {
  const t = task(
    registered(({ cfg }: { cfg: { ranges: { lo: number }[] } }) => cfg, {
      params: v.object({
        cfg: v.object({ ranges: v.array(v.object({ lo: v.number() })) }),
      }),
    }),
  ).setTaskInstanceId("nested").validate();
  const e = await validationError(
    t.call({ cfg: { ranges: [{ lo: 1 }, { lo: "x" }] } }),
  );
  assert.deepEqual(e.issues[0]?.path, ["cfg", "ranges", 1, "lo"]);
  assert.match(e.message, /cfg\.ranges\.1\.lo: Invalid type/);
});

Deno.test("validate passes the parsed arguments (defaults, transforms) to the task", async () => {
  const t = task(
    registered((kw: Record<string, unknown>) => kw, {
      params: v.object({
        n: v.pipe(v.string(), v.transform(Number)),
        unit: v.optional(v.string(), "m"),
      }),
    }),
  ).validate();
  assert.deepEqual(await t.call({ n: "5" }), { n: 5, unit: "m" });
});

Deno.test("validate with an async valibot schema", async () => {
  const t = task(
    registered(({ n }: { n: number }) => n, {
      params: v.objectAsync({
        n: v.pipeAsync(
          v.number(),
          v.checkAsync((n) => Promise.resolve(n > 0), "must be positive"),
        ),
      }),
    }),
  ).setTaskInstanceId("pos").validate();
  assert.equal(await t.call({ n: 1 }), 1);
  const e = await validationError(t.call({ n: -1 }));
  assert.match(e.message, /n: must be positive/);
});

Deno.test("validate falls back to the JSON Schema (from the brand or the option)", async (t) => {
  const jsonOnly = registered((kw: Record<string, unknown>) => kw, {
    json_schema: {
      type: "object",
      properties: { a: { type: "integer" }, mode: { enum: ["x", "y"] } },
      required: ["a"],
      additionalProperties: false,
    },
    // `frame` is hidden from the form: no JSON Schema, but still a parameter.
    parameters: ["a", "mode", "frame"],
  });
  const checked = task(jsonOnly).setTaskInstanceId("js").validate();
  await t.step(
    "valid arguments, including hidden parameters, pass",
    async () => {
      const frame = new Map([[1, 2]]);
      const out = await checked.call({ a: 1, frame }) as Record<
        string,
        unknown
      >;
      assert.equal(out["frame"], frame);
    },
  );
  await t.step("errors carry path, reason, validator and input", async () => {
    const e = await validationError(checked.call({ a: "1", mode: "z" }));
    assert.equal(e.taskInstanceId, "js");
    const byPath = Object.fromEntries(
      e.issues.map((i) => [i.path.join("."), i]),
    );
    assert.equal(byPath["a"]?.validator, "type");
    assert.equal(byPath["a"]?.input, "1");
    assert.equal(byPath["mode"]?.validator, "enum");
    assert.match(e.message, /a: must be integer \(got "1"\)/);
    assert.match(e.message, /mode: must be one of "x", "y" \(got "z"\)/);
  });
  await t.step("missing required and unknown parameters", async () => {
    const e = await validationError(checked.call({ extra: 1 }));
    assert.deepEqual(
      e.issues.map((i) => [i.path.join("."), i.validator]).sort(),
      [["a", "required"], ["extra", "additionalProperties"]],
    );
  });
  await t.step("the jsonSchema option validates a plain function", async () => {
    const plain = task(({ n }: { n: number }) => n, {
      jsonSchema: { type: "object", properties: { n: { type: "number" } } },
    }).validate();
    assert.equal(await plain.call({ n: 1 }), 1);
    await assert.rejects(plain.call({ n: "1" }), /n: must be number/);
  });
});

Deno.test("validate without any schema is a TypeError at configuration time", () => {
  assert.throws(
    () => task(function bare() {}).validate(),
    /task "bare" has no parameter schema to validate against/,
  );
});

Deno.test("validate in map names the failing element", async () => {
  const t = task(add).setTaskInstanceId("adder").validate().partial({ a: 1 });
  assert.deepEqual(await t.map("b", [1, 2]), [2, 3]);
  const e = await validationError(t.map("b", [1, "two", 3]));
  assert.deepEqual(e.element, { index: 1 });
  assert.match(
    e.message,
    /^invalid arguments for task instance "adder" \(map element 1\):\nb: /,
  );
  const ev = await validationError(
    t.mapvalues("b", [["x", 1], ["y", 0.5]]),
  );
  assert.deepEqual(ev.element, { index: 1, key: "y" });
  assert.match(ev.message, /\(mapvalues element 1, key "y"\)/);
});

Deno.test("handleErrors passes this instance's validation errors through unchanged", async () => {
  const t = task(add).setTaskInstanceId("total").validate().handleErrors();
  const e = await validationError(t.call({ a: 1 }));
  assert.equal(e.taskInstanceId, "total");
  assert.equal(e.cause, undefined);
});

Deno.test("validate checks the result against a registered returns schema", async () => {
  const digits = registered(
    ({ n }: { n: number }): unknown => n < 0 ? [1, "x"] : String(n).split(""),
    {
      params: v.object({ n: v.number() }),
      returns: v.array(v.string()),
    },
  );
  const t = task(digits).setTaskInstanceId("digits").validate();
  assert.deepEqual(await t.call({ n: 12 }), ["1", "2"]);
  const e = await validationError(t.call({ n: -1 }));
  assert.equal(e.target, "result");
  assert.deepEqual(e.issues[0]?.path, [0]);
  assert.match(e.message, /^invalid result of task instance "digits":\n0: /);
  // Without validate() the result is not checked.
  assert.deepEqual(await task(digits).call({ n: -1 }), [1, "x"]);
  // Async task functions too.
  const asyncDigits = registered(
    ({ n }: { n: number }) => Promise.resolve(n),
    { params: v.object({ n: v.number() }), returns: v.string() },
  );
  const ea = await validationError(
    task(asyncDigits).validate().map("n", [1]),
  );
  assert.equal(ea.target, "result");
  assert.match(ea.message, /\(map element 0\)/);
});
