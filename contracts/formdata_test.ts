import assert from "node:assert/strict";
import {
  formdataToParams,
  paramsToFormdata,
  TASK_GROUP_MARKER,
} from "./mod.ts";

const rjsf = {
  type: "object",
  properties: {
    total: { type: "object", properties: { a: {} } },
    Doubling: {
      type: "object",
      [TASK_GROUP_MARKER]: true,
      properties: { doubled: {}, tripled: {} },
    },
    Labels: {
      type: "object",
      [TASK_GROUP_MARKER]: true,
      properties: { label: {} },
    },
    NotAGroup: { type: "object", properties: { inner: {} } },
  },
};

const formdata = {
  total: { a: 1, b: 2 },
  Doubling: { doubled: { k: 2 }, tripled: { k: 3 } },
  Labels: { label: { prefix: "#" } },
  NotAGroup: { inner: 1 },
};
const params = {
  total: { a: 1, b: 2 },
  doubled: { k: 2 },
  tripled: { k: 3 },
  label: { prefix: "#" },
  NotAGroup: { inner: 1 },
};

Deno.test("the group marker is the key existing forms use", () => {
  assert.equal(TASK_GROUP_MARKER, "ecoscope:task_group");
});

Deno.test("formdataToParams lifts task-group members", () => {
  assert.deepEqual(formdataToParams(formdata, rjsf), params);
});

Deno.test("paramsToFormdata nests members under their group titles", () => {
  assert.deepEqual(paramsToFormdata(params, rjsf), formdata);
});

Deno.test("round trips", async (t) => {
  await t.step("formdata → params → formdata", () => {
    assert.deepEqual(
      paramsToFormdata(formdataToParams(formdata, rjsf), rjsf),
      formdata,
    );
  });
  await t.step("params → formdata → params", () => {
    assert.deepEqual(
      formdataToParams(paramsToFormdata(params, rjsf), rjsf),
      params,
    );
  });
  await t.step("without any group, both are the identity", () => {
    const plain = { a: { x: 1 }, b: [1, 2], c: null };
    assert.deepEqual(formdataToParams(plain, {}), plain);
    assert.deepEqual(paramsToFormdata(plain, { properties: {} }), plain);
  });
  await t.step("a partly filled group keeps only its given members", () => {
    const p = { doubled: { k: 1 } };
    const fd = paramsToFormdata(p, rjsf);
    assert.deepEqual(fd, { Doubling: { doubled: { k: 1 } } });
    assert.deepEqual(formdataToParams(fd, rjsf), p);
  });
  await t.step("keys such as __proto__ stay ordinary own properties", () => {
    const p = JSON.parse('{"__proto__": {"x": 1}, "doubled": 2}');
    const back = formdataToParams(paramsToFormdata(p, rjsf), rjsf);
    assert.equal(Object.hasOwn(back, "__proto__"), true);
    assert.deepEqual(back["__proto__"], { x: 1 });
    assert.equal(Object.getPrototypeOf(back), Object.prototype);
  });
});

Deno.test("formdataToParams errors", async (t) => {
  for (const bad of [null, 1, "x", [1]]) {
    await t.step(`form data ${JSON.stringify(bad)}`, () => {
      assert.throws(
        () => formdataToParams(bad, rjsf),
        { name: "TypeError", message: "form data must be a JSON object" },
      );
    });
  }
  await t.step("a group that is not an object", () => {
    assert.throws(
      () => formdataToParams({ Doubling: [1] }, rjsf),
      /task group 'Doubling' must be an object of task instances/,
    );
  });
  await t.step("an id at the top level and in a group", () => {
    assert.throws(
      () => formdataToParams({ doubled: 1, Doubling: { doubled: 2 } }, rjsf),
      /task instance 'doubled' appears twice in form data \(group 'Doubling'\)/,
    );
  });
  await t.step("an id in two groups", () => {
    assert.throws(
      () => formdataToParams({ Doubling: { x: 1 }, Labels: { x: 2 } }, rjsf),
      /'x' appears twice in form data \(group 'Labels'\)/,
    );
  });
});

Deno.test("paramsToFormdata errors", async (t) => {
  for (const bad of [null, 3, [1]]) {
    await t.step(`params ${JSON.stringify(bad)}`, () => {
      assert.throws(() => paramsToFormdata(bad, rjsf), {
        name: "TypeError",
        message: "params must be a JSON object",
      });
    });
  }
  await t.step("a parameter named like a group", () => {
    assert.throws(
      () => paramsToFormdata({ Doubling: 5, doubled: 1 }, rjsf),
      /parameter 'Doubling' has the name of a task group/,
    );
  });
});
