import assert from "node:assert/strict";
import * as v from "valibot";
import {
  hidden,
  isHidden,
  isRegisteredTask,
  register,
  RegistrationError,
  TASK_BRAND,
  type TaskInfo,
  taskInfo,
} from "./mod.ts";

const int = () => v.pipe(v.number(), v.integer());

type Schema = {
  type: string;
  properties: Record<string, Record<string, unknown>>;
  required: string[];
  additionalProperties: boolean;
  [k: string]: unknown;
};
const schemaOf = (t: unknown): Schema => taskInfo(t)!.json_schema as Schema;

Deno.test("register derives an object JSON Schema", async (t) => {
  const add = register({
    title: "Add",
    description: "Add two integers.",
    tags: ["math"],
    params: v.object({ a: int(), b: int() }),
  }, ({ a, b }) => a + b);

  await t.step("integer properties, all required, closed, no $schema", () => {
    const s = schemaOf(add);
    assert.equal(s.type, "object");
    assert.equal(s.properties["a"]?.["type"], "integer");
    assert.equal(s.properties["b"]?.["type"], "integer");
    assert.deepEqual(s.required, ["a", "b"]);
    assert.equal(s.additionalProperties, false);
    assert.equal("$schema" in s, false);
  });

  await t.step("metadata is kept with defaults filled", () => {
    const info = taskInfo(add)!;
    assert.deepEqual({ ...info.metadata, tags: [...info.metadata.tags] }, {
      title: "Add",
      description: "Add two integers.",
      tags: ["math"],
      deprecated: false,
    });
    assert.deepEqual(info.parameters, ["a", "b"]);
    assert.deepEqual(info.hidden_parameters, []);
    assert.deepEqual(info.required_parameters, ["a", "b"]);
  });

  await t.step("the task is callable with named parameters", () => {
    assert.equal(add({ a: 2, b: 40 }), 42);
  });
});

Deno.test("optional parameters and defaults are not required", () => {
  const t = register({
    params: v.object({
      needed: v.string(),
      with_default: v.optional(v.number(), 3),
      maybe: v.optional(v.string()),
      nullable_default: v.nullable(v.string(), "x"),
      nullish: v.nullish(v.boolean()),
    }),
  }, (p) => p);
  const s = schemaOf(t);
  assert.deepEqual(s.required, ["needed"]);
  assert.equal(s.properties["with_default"]?.["default"], 3);
  assert.deepEqual(Object.keys(s.properties), [
    "needed",
    "with_default",
    "maybe",
    "nullable_default",
    "nullish",
  ]);
});

Deno.test("property titles default from names; titles and descriptions carry over", () => {
  const t = register({
    params: v.object({
      time_range: v.string(),
      n: v.pipe(v.number(), v.title("Number"), v.description("How many.")),
      x: v.pipe(v.number(), v.metadata({ title: "Ex", description: "An x." })),
    }),
  }, () => 0);
  const p = schemaOf(t).properties;
  assert.equal(p["time_range"]?.["title"], "Time Range");
  assert.equal(p["n"]?.["title"], "Number");
  assert.equal(p["n"]?.["description"], "How many.");
  assert.equal(p["x"]?.["title"], "Ex");
  assert.equal(p["x"]?.["description"], "An x.");
});

Deno.test("hidden and non-JSON parameters are only in `parameters`", async (t) => {
  class Geometry {}
  const task = register({
    params: v.object({
      frame: v.custom<Map<string, number>>((x) => x instanceof Map),
      geometry: v.instance(Geometry),
      callback: v.function(),
      when: v.date(),
      counts: v.map(v.string(), v.number()),
      big: v.bigint(),
      rows: v.array(v.instance(Geometry)),
      token: v.pipe(v.string(), hidden()),
      opt_token: v.optional(v.pipe(v.string(), hidden()), "t"),
      label: v.string(),
    }),
  }, () => 0);
  const info = taskInfo(task)!;

  await t.step("parameters lists every argument in order", () => {
    assert.deepEqual(info.parameters, [
      "frame",
      "geometry",
      "callback",
      "when",
      "counts",
      "big",
      "rows",
      "token",
      "opt_token",
      "label",
    ]);
  });
  await t.step("json_schema keeps only the form-settable ones", () => {
    const s = schemaOf(task);
    assert.deepEqual(Object.keys(s.properties), ["label"]);
    assert.deepEqual(s.required, ["label"]);
    assert.deepEqual(info.hidden_parameters, info.parameters.slice(0, -1));
  });
  await t.step(
    "required_parameters keeps hidden ones without a default",
    () => {
      assert.deepEqual(
        info.required_parameters,
        info.parameters.filter((n) => n !== "opt_token"),
      );
    },
  );
  await t.step("isHidden sees the marker through wrappers", () => {
    assert.equal(isHidden(v.pipe(v.string(), hidden())), true);
    assert.equal(isHidden(v.nullable(v.pipe(v.string(), hidden()))), true);
    assert.equal(isHidden(v.pipe(v.string(), v.title("x"))), false);
    assert.equal(isHidden(v.string()), false);
  });
});

Deno.test("value-narrowing actions without JSON form are left out, not errors", () => {
  const t = register({
    params: v.object({
      even: v.pipe(v.number(), v.integer(), v.check((n) => n % 2 === 0)),
      name: v.pipe(v.string(), v.trim(), v.minLength(1)),
      n: v.pipe(v.string(), v.transform(Number), v.number()),
    }),
  }, (p) => p);
  const p = schemaOf(t).properties;
  assert.equal(p["even"]?.["type"], "integer");
  assert.equal(p["name"]?.["minLength"], 1);
  // Input side of a transforming pipe: what a form sends.
  assert.equal(p["n"]?.["type"], "string");
});

Deno.test("calling a task fills defaults, supports async and checks the argument shape", async () => {
  const label = register({
    params: v.object({
      n: v.number(),
      prefix: v.optional(v.string(), "#"),
      list: v.optional(v.array(v.number()), () => []),
    }),
  }, ({ n, prefix, list }) => `${prefix}${n}:${list.length}`);
  assert.equal(label({ n: 1 }), "#1:0");
  assert.equal(label({ n: 1, prefix: "x", list: [1] }), "x1:1");
  assert.equal(label({ n: 1, prefix: undefined }), "#1:0");

  const slow = register(
    { params: v.object({ n: v.number() }) },
    async ({ n }) => {
      await Promise.resolve();
      return n * 2;
    },
  );
  assert.equal(await slow({ n: 4 }), 8);

  assert.throws(
    () => (label as unknown as (x: unknown) => unknown)([1]),
    /one object of named parameters, got an array/,
  );
  assert.throws(
    () => (label as unknown as (x: unknown) => unknown)(5),
    /one object of named parameters, got number/,
  );
});

Deno.test("the brand is a global symbol readable across copies", async (t) => {
  const add = register(
    { params: v.object({ a: v.number() }) },
    ({ a }) => a,
  );
  await t.step("TASK_BRAND is Symbol.for('wt.registry.task')", () => {
    assert.equal(TASK_BRAND, Symbol.for("wt.registry.task"));
    const raw = (add as unknown as Record<symbol, TaskInfo>)[
      Symbol.for("wt.registry.task")
    ];
    assert.equal(raw, taskInfo(add));
    assert.equal(typeof raw?.fn, "function");
    assert.deepEqual(raw?.parameters, ["a"]);
    assert.equal(raw?.params, taskInfo(add)?.params);
  });
  await t.step("a task branded by another copy is recognised", () => {
    // What another copy of @wt/registry would produce: a plain function carrying an info
    // object under the same global symbol.
    const foreign = Object.assign(() => 1, {
      [Symbol.for("wt.registry.task")]: {
        version: 1,
        metadata: { tags: [], deprecated: false },
        params: v.object({}),
        returns: undefined,
        json_schema: { type: "object", properties: {} },
        parameters: [],
        hidden_parameters: [],
        fn: () => 1,
        has_mock: false,
      },
    });
    assert.equal(isRegisteredTask(foreign), true);
    assert.equal(taskInfo(foreign)?.version, 1);
  });
  await t.step("other values are not tasks", () => {
    assert.equal(isRegisteredTask(() => 1), false);
    assert.equal(isRegisteredTask({ [TASK_BRAND]: taskInfo(add) }), false);
    assert.equal(
      isRegisteredTask(
        Object.assign(() => 1, { [TASK_BRAND]: { version: 99 } }),
      ),
      false,
    );
    assert.equal(taskInfo(null), undefined);
  });
  await t.step("the info is frozen", () => {
    const info = taskInfo(add)!;
    assert.equal(Object.isFrozen(info), true);
    assert.equal(Object.isFrozen(info.json_schema), true);
    assert.equal(Object.isFrozen(info.metadata.tags), true);
  });
});

Deno.test("title, deprecation, returns and mock are kept on the brand", () => {
  const fetcher = register({
    tags: ["io"],
    deprecated: true,
    deprecation_message: "use fetch2",
    params: v.object({ count: v.number() }),
    returns: v.array(v.number()),
    mock: ({ count }: { count: number }) => Array(count).fill(0),
  }, ({ count }) => Array.from({ length: count }, (_, i) => i));
  const info = taskInfo(fetcher)!;
  assert.equal(info.metadata.title, undefined);
  assert.equal(info.metadata.deprecated, true);
  assert.equal(info.metadata.deprecation_message, "use fetch2");
  assert.equal(info.returns?.type, "array");
  assert.equal(info.has_mock, true);
  assert.deepEqual((info.mock as (p: unknown) => number[])({ count: 2 }), [
    0,
    0,
  ]);

  const canned = register(
    { tags: ["io"], params: v.object({}), mock: [1, 2] },
    () => [] as number[],
  );
  assert.deepEqual(taskInfo(canned)?.mock, [1, 2]);
  const plain = taskInfo(register({ params: v.object({}) }, () => 1))!;
  assert.equal(plain.has_mock, false);
  assert.equal("mock" in plain, false, "no mock key when no mock was given");
  const named = register({ params: v.object({}) }, function named() {
    return 1;
  });
  assert.equal(named.name, "named");
});

Deno.test("registration mistakes are RegistrationErrors", async (t) => {
  const bad = register as unknown as (o: unknown, f: unknown) => unknown;
  const cases: Array<[string, () => unknown, RegExp]> = [
    ["options not an object", () => bad(null, () => 1), /options object/],
    [
      "params not a schema",
      () => bad({ params: { a: v.number() } }, () => 1),
      /'params' must be a valibot object schema.*not a valibot schema/,
    ],
    ["params missing", () => bad({}, () => 1), /got undefined/],
    [
      "params not an object schema",
      () => bad({ title: "T", params: v.string() }, () => 1),
      /task 'T'.*valibot 'string' schema/,
    ],
    [
      "async params",
      () => bad({ params: v.objectAsync({}) }, () => 1),
      /synchronous schema/,
    ],
    [
      "fn not a function",
      () => bad({ params: v.object({}) }, 1),
      /task function/,
    ],
    [
      "returns not a schema",
      () => bad({ params: v.object({}), returns: "number" }, () => 1),
      /'returns' must be a valibot schema/,
    ],
    [
      "tags not strings",
      () => bad({ params: v.object({}), tags: [1] }, () => 1),
      /invalid metadata: tags\.0/,
    ],
    [
      "title not a string",
      () => bad({ params: v.object({}), title: 5 }, () => 1),
      /invalid metadata: title/,
    ],
    [
      "deprecation message without deprecated",
      () =>
        bad({ params: v.object({}), deprecation_message: "use x" }, () => 1),
      /'deprecated' is not true/,
    ],
    [
      "mock on a task not tagged io",
      () => bad({ params: v.object({}), mock: 1 }, () => 1),
      /tagged 'io'/,
    ],
    [
      "regex flags",
      () =>
        register({
          params: v.object({ code: v.pipe(v.string(), v.regex(/ab/i)) }),
        }, () => 1),
      /parameter 'code'.*RegExp flags.*hidden\(\)/,
    ],
    [
      "non-JSON literal",
      () => register({ params: v.object({ k: v.literal(1n) }) }, () => 1),
      /parameter 'k'.*literal/,
    ],
    [
      "non-JSON default",
      () =>
        register({
          params: v.object({ d: v.optional(v.unknown(), () => new Date(0)) }),
        }, () => 1),
      /default of parameter 'd' is not a JSON value/,
    ],
  ];
  for (const [name, fn, pattern] of cases) {
    await t.step(name, () => {
      assert.throws(fn, (e: unknown) => {
        assert.ok(e instanceof RegistrationError, String(e));
        assert.match(e.message, pattern);
        return true;
      });
    });
  }
  await t.step("the error names the parameter", () => {
    try {
      register({
        title: "X",
        params: v.object({ code: v.pipe(v.string(), v.regex(/a/g)) }),
      }, () => 1);
      assert.fail("expected a RegistrationError");
    } catch (e) {
      assert.ok(e instanceof RegistrationError);
      assert.equal(e.parameter, "code");
      assert.equal(e.task, "'X'");
      assert.ok(e.cause instanceof Error);
    }
  });
});

Deno.test("a hidden parameter may use features JSON Schema cannot express", () => {
  const t = register({
    params: v.object({
      code: v.pipe(v.string(), v.regex(/ab/i), hidden()),
    }),
  }, ({ code }) => code);
  assert.deepEqual(taskInfo(t)?.parameters, ["code"]);
  assert.deepEqual(schemaOf(t).properties, {});
});

Deno.test("recursive parameters keep their $defs", () => {
  interface Tree {
    name: string;
    children: Tree[];
  }
  const Tree: v.GenericSchema<Tree> = v.object({
    name: v.string(),
    children: v.array(v.lazy(() => Tree)),
  });
  const t = register({ params: v.object({ tree: Tree }) }, ({ tree }) => tree);
  const s = schemaOf(t);
  assert.equal(typeof s["$defs"], "object");
  assert.equal(s.properties["tree"]?.["type"], "object");
});
