import assert from "node:assert/strict";
import * as v from "valibot";
import fc from "fast-check";
import { Ajv2020 } from "ajv/dist/2020.js";
import { formatsPlugin } from "./_formats.ts";
import {
  formatValidationErrors,
  validate,
  validateParams,
  ValidationErrorItem,
} from "./mod.ts";

const params = {
  type: "object",
  properties: {
    total: {
      type: "object",
      properties: {
        a: { type: "integer" },
        b: { type: "integer", minimum: 0 },
        mode: { enum: ["fast", "slow"] },
        when: { type: "string", format: "date-time" },
        tags: { type: "array", items: { type: "string" } },
      },
      required: ["a"],
      additionalProperties: false,
    },
  },
  required: ["total"],
};

function only(items: ValidationErrorItem[]): ValidationErrorItem {
  assert.equal(items.length, 1, JSON.stringify(items));
  return items[0]!;
}

Deno.test("validate returns [] for valid values", () => {
  assert.deepEqual(
    validate({ total: { a: 1, b: 2, tags: ["x"] } }, params),
    [],
  );
});

Deno.test("validate reports every field of an error item", async (t) => {
  await t.step("type: nested path, schema path, keyword, input", () => {
    assert.deepEqual(only(validate({ total: { a: "x" } }, params)), {
      message: "must be integer",
      path: ["total", "a"],
      schema_path: ["properties", "total", "properties", "a", "type"],
      validator: "type",
      input: "x",
    });
  });
  await t.step(
    "required: the missing name ends the path, input is null",
    () => {
      assert.deepEqual(only(validate({ total: {} }, params)), {
        message: "'a' is a required property",
        path: ["total", "a"],
        schema_path: ["properties", "total", "required"],
        validator: "required",
        input: null,
      });
    },
  );
  await t.step("required at the root", () => {
    const item = only(validate({}, params));
    assert.deepEqual(item.path, ["total"]);
    assert.deepEqual(item.schema_path, ["required"]);
  });
  await t.step(
    "additionalProperties: names the extra property and its value",
    () => {
      assert.deepEqual(only(validate({ total: { a: 1, zz: 5 } }, params)), {
        message: "'zz' is not an allowed property",
        path: ["total", "zz"],
        schema_path: ["properties", "total", "additionalProperties"],
        validator: "additionalProperties",
        input: 5,
      });
    },
  );
  await t.step("enum: lists the allowed values", () => {
    const item = only(validate({ total: { a: 1, mode: "medium" } }, params));
    assert.equal(item.message, 'must be one of "fast", "slow"');
    assert.equal(item.validator, "enum");
    assert.equal(item.input, "medium");
  });
  await t.step("minimum", () => {
    const item = only(validate({ total: { a: 1, b: -1 } }, params));
    assert.equal(item.validator, "minimum");
    assert.equal(item.input, -1);
    assert.deepEqual(item.path, ["total", "b"]);
  });
  await t.step("format is checked", () => {
    const item = only(validate({ total: { a: 1, when: "yesterday" } }, params));
    assert.equal(item.validator, "format");
    assert.match(item.message, /date-time/);
  });
  await t.step("array indices are numbers in the path", () => {
    const item = only(validate({ total: { a: 1, tags: ["x", 2] } }, params));
    assert.deepEqual(item.path, ["total", "tags", 1]);
    assert.equal(item.input, 2);
  });
  await t.step("root errors have an empty path", () => {
    const item = only(validate("nope", { type: "object" }));
    assert.deepEqual(item.path, []);
    assert.deepEqual(item.schema_path, ["type"]);
  });
  await t.step("all errors are reported, not just the first", () => {
    assert.equal(
      validate({ total: { a: "x", b: -1, zz: 1 } }, params).length,
      3,
    );
  });
  await t.step("keys with '/' and '~' are decoded", () => {
    const item = only(validate({ "a/b": 1, "c~d": "s" }, {
      properties: { "a/b": { type: "string" }, "c~d": { type: "string" } },
    }));
    assert.deepEqual(item.path, ["a/b"]);
    assert.deepEqual(item.schema_path, ["properties", "a/b", "type"]);
  });
  await t.step("items are valid ValidationErrorItems", () => {
    for (const item of validate({ total: { a: "x", zz: 1 } }, params)) {
      assert.equal(v.is(ValidationErrorItem, item), true);
    }
  });
});

Deno.test("validate resolves $defs references", () => {
  const schema = {
    type: "object",
    properties: { a: { $ref: "#/$defs/name" } },
    $defs: { name: { type: "string" } },
  };
  const item = only(validate({ a: 1 }, schema));
  assert.deepEqual(item.path, ["a"]);
  assert.equal(item.validator, "type");
});

Deno.test("validate accepts equal schemas with the same $id as new objects", () => {
  const make = () => ({
    $id: "https://example.com/params.json",
    type: "object",
    properties: { a: { type: "integer" } },
  });
  assert.equal(validate({ a: "x" }, make()).length, 1);
  assert.equal(validate({ a: "y" }, make()).length, 1);
  assert.equal(validate({ a: 1 }, make()).length, 0);
});

Deno.test("validate understands draft-07 schemas that say so", () => {
  const schema = {
    $schema: "http://json-schema.org/draft-07/schema#",
    type: "array",
    items: [{ type: "integer" }, { type: "string" }],
  };
  assert.deepEqual(validate([1, "a"], schema), []);
  const item = only(validate([1, 2], schema));
  assert.deepEqual(item.path, [1]);
});

Deno.test("validate caches the compiled schema per object", () => {
  const schema = { type: "integer" };
  assert.equal(validate(1, schema).length, 0);
  assert.equal(validate("1", schema).length, 1);
});

Deno.test("validate throws on an invalid schema", () => {
  assert.throws(() => validate(1, { type: "nonsense" }), /schema is invalid/);
});

Deno.test("validate reports invalid keyword values of simple schemas as ajv's meta-schema check does", () => {
  for (
    const schema of [
      { type: ["string", "string"] },
      { type: [] },
      { minLength: -1 },
      { minLength: 1.5 },
      { multipleOf: 0 },
      { required: ["a", "a"] },
      { properties: { a: { type: "text" } } },
      { anyOf: [] },
      { items: { title: 3 } },
      { enum: "a" },
    ]
  ) {
    assert.throws(
      () => validate(1, schema),
      /schema is invalid/,
      JSON.stringify(schema),
    );
  }
});

Deno.test("validate behaves as ajv with its meta-schema check on any schema (fast-check)", () => {
  // The reference: what validate() did before simple schemas skipped the meta-schema check.
  const reference = new Ajv2020({
    strict: false,
    allErrors: true,
    validateFormats: true,
  });
  formatsPlugin(reference);
  const outcome = (run: () => unknown): unknown => {
    try {
      return { ok: run() };
    } catch (err) {
      return { error: (err as Error).message };
    }
  };
  const value = fc.oneof(
    fc.constantFrom(
      "string",
      "integer",
      "number",
      "object",
      "array",
      "boolean",
      "null",
      "nonsense",
      "uri",
      "email",
    ),
    fc.integer({ min: -2, max: 3 }),
    fc.constantFrom(0.5, -1.5, true, false, null),
    fc.constant([]),
    fc.array(fc.constantFrom("a", "b", "string", "integer", 1), {
      maxLength: 3,
    }),
  );
  const keyword = fc.constantFrom(
    "type",
    "title",
    "description",
    "format",
    "default",
    "const",
    "enum",
    "examples",
    "deprecated",
    "uniqueItems",
    "multipleOf",
    "minimum",
    "exclusiveMaximum",
    "minLength",
    "maxItems",
    "required",
    "pattern",
    "$comment",
    "unknownKeyword",
  );
  const { schema } = fc.letrec((tie) => ({
    schema: fc.oneof(
      { depthSize: "small" },
      fc.dictionary(keyword, value, { maxKeys: 4 }),
      fc.record({
        type: fc.constant("object"),
        properties: fc.dictionary(fc.constantFrom("a", "b"), tie("schema"), {
          maxKeys: 2,
        }),
        additionalProperties: fc.oneof(fc.boolean(), tie("schema")),
      }, { requiredKeys: [] }),
      fc.record({
        items: tie("schema"),
        anyOf: fc.array(tie("schema"), { maxLength: 2 }),
        not: tie("schema"),
      }, { requiredKeys: [] }),
    ),
  }));
  const instance = fc.oneof(
    fc.jsonValue({ maxDepth: 2 }),
    fc.record({ a: fc.jsonValue({ maxDepth: 1 }) }),
  );
  fc.assert(
    fc.property(schema, instance, (s, x) => {
      const mine = outcome(() =>
        validate(x, s as Record<string, unknown>).length === 0
      );
      const theirs = outcome(() =>
        reference.compile(structuredClone(s) as object)(x)
      );
      assert.deepEqual(mine, theirs, JSON.stringify(s));
    }),
    { numRuns: 400 },
  );
});

Deno.test("formatValidationErrors prints one line per item", () => {
  const items = validate({ total: { b: "x" } }, params);
  assert.equal(
    formatValidationErrors(items),
    [
      "total.a: 'a' is a required property",
      'total.b: must be integer (got "x")',
    ].join("\n"),
  );
  assert.equal(
    formatValidationErrors(validate(1, { type: "string" }), "params"),
    "params: must be string (got 1)",
  );
  assert.equal(formatValidationErrors([]), "");
});

Deno.test("validateParams requires an object and every section that has required fields", () => {
  const schema = {
    properties: {
      total: {
        type: "object",
        properties: { a: { type: "integer" } },
        required: ["a"],
      },
      optional: {
        type: "object",
        properties: { b: { type: "integer" } },
        required: [],
      },
    },
  };
  assert.deepEqual(validateParams({ total: { a: 1 } }, schema), []);
  assert.deepEqual(validateParams({}, schema), [{
    message: "'total' is a required property: it has required fields 'a'",
    path: ["total"],
    schema_path: ["properties", "total", "required"],
    validator: "required",
    input: null,
  }]);
  for (const bad of [null, [], "x", 3]) {
    const [item] = validateParams(bad, schema);
    assert.equal(item?.validator, "type");
    assert.deepEqual(item?.path, []);
  }
  // A section the schema itself requires is reported once.
  const strict = { ...schema, required: ["total"] };
  assert.equal(validateParams({}, strict).length, 1);
  // Problems inside a section are still reported by the schema.
  const [inner] = validateParams({ total: { a: "x" } }, schema);
  assert.deepEqual(inner?.path, ["total", "a"]);
});
