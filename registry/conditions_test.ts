import assert from "node:assert/strict";
import {
  allAreNone,
  anyDependencySkipped,
  anyIsEmpty,
  never,
  SKIP,
} from "@wt/task";
import { taskInfo } from "./register.ts";
import { collectRegistry } from "./cli.ts";
import {
  all_are_none,
  any_dependency_skipped,
  any_is_empty,
  never as never_task,
} from "./conditions.ts";

const rootDir = decodeURIComponent(new URL("../", import.meta.url).pathname);

class Table {
  constructor(readonly length: number) {}
}
class Opaque {
  readonly x = 1;
}

/** Values that exercise every branch of the sentinel and emptiness rules. */
const VALUES: Array<[string, unknown]> = [
  ["SKIP", SKIP],
  ["foreign sentinel", Object.freeze({ [Symbol.for("wt.task.skip")]: true })],
  ["brand not true", { [Symbol.for("wt.task.skip")]: 1 }],
  ["skipped-looking object", { skipped: true }],
  ["null", null],
  ["undefined", undefined],
  ["0", 0],
  ["NaN", NaN],
  ["false", false],
  ["empty string", ""],
  ["string", "x"],
  ["empty array", []],
  ["array", [0]],
  ["nested empty array", [[]]],
  ["empty object", {}],
  ["object", { a: 1 }],
  ["null-prototype object", Object.create(null)],
  ["symbol-keyed object", { [Symbol("k")]: 1 }],
  ["empty Map", new Map()],
  ["Map", new Map([[1, 2]])],
  ["empty Set", new Set()],
  ["Set", new Set([1])],
  ["zero-length table", new Table(0)],
  ["table", new Table(3)],
  ["size 0", { size: 0 }],
  ["class instance", new Opaque()],
  ["Date", new Date(0)],
  ["empty typed array", new Uint8Array(0)],
  ["function", () => 1],
];

/** Every value list of length 0, 1 and 2 over {@linkcode VALUES}. */
function* inputs(): Generator<[string, unknown[]]> {
  yield ["(none)", []];
  for (const [a, x] of VALUES) {
    yield [a, [x]];
    for (const [b, y] of VALUES) yield [`${a}, ${b}`, [x, y]];
  }
}

const PAIRS = [
  ["any_dependency_skipped", any_dependency_skipped, anyDependencySkipped],
  ["any_is_empty", any_is_empty, anyIsEmpty],
  ["all_are_none", all_are_none, allAreNone],
  ["never", never_task, never],
] as const;

Deno.test("built-in conditions agree with @wt/task's condition functions", () => {
  let checked = 0;
  for (const [label, values] of inputs()) {
    for (const [name, registered, runtime] of PAIRS) {
      assert.equal(
        registered({ values }),
        runtime({ values }),
        `${name} on [${label}]`,
      );
      checked++;
    }
  }
  assert.equal(checked, 4 * (1 + VALUES.length + VALUES.length ** 2));
});

Deno.test("built-in conditions: a few values by hand", () => {
  assert.equal(any_dependency_skipped({ values: [1, SKIP] }), true);
  assert.equal(any_dependency_skipped({ values: [1, null] }), false);
  assert.equal(any_is_empty({ values: [[1], new Map()] }), true);
  assert.equal(any_is_empty({ values: [SKIP, 0, false] }), false);
  assert.equal(all_are_none({ values: [null, undefined] }), true);
  assert.equal(all_are_none({ values: [] }), false);
  assert.equal(never_task({ values: [SKIP] }), false);
});

Deno.test("built-in conditions are registered tasks tagged `condition`", async () => {
  for (const [name, registered] of PAIRS) {
    const info = taskInfo(registered);
    assert.ok(info, `${name} is a registered task`);
    assert.deepEqual(info.metadata.tags, ["condition"]);
    assert.ok(info.metadata.title && info.metadata.description, name);
    assert.deepEqual(info.parameters, ["values"]);
  }
  const out = await collectRegistry(["./registry/conditions.ts"], {
    cwd: rootDir,
  });
  assert.deepEqual(Object.keys(out.entries).sort(), [
    "@wt/registry/conditions.all_are_none",
    "@wt/registry/conditions.any_dependency_skipped",
    "@wt/registry/conditions.any_is_empty",
    "@wt/registry/conditions.never",
  ]);
  const entry = out.entries["@wt/registry/conditions.any_is_empty"]!;
  assert.equal(entry.public_module_path, "@wt/registry/conditions");
  assert.deepEqual(entry.required_parameters, ["values"]);
});
