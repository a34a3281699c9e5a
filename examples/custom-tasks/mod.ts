/**
 * Example task library for wt (`@wt-examples/custom-tasks`): small integer and string tasks
 * used by the docs, the demo and the tests, plus an io task with canned data for mock-io
 * runs. Each task takes one object of named parameters.
 *
 * List them with the registry CLI:
 *
 * ```sh
 * deno run --allow-read registry/cli.ts --format pretty --package ./examples/custom-tasks/mod.ts
 * ```
 *
 * @example
 * ```ts
 * import { add, double, split_digits } from "@wt-examples/custom-tasks";
 *
 * console.assert(double({ n: add({ a: 2, b: 3 }) }) === 10);
 * console.assert(split_digits({ n: -120 }).join() === "1,2,0");
 * ```
 *
 * @module
 */
import * as v from "valibot";
import { register, type RegisteredTask } from "@wt/registry";

const int = (title: string, description: string) =>
  v.pipe(v.number(), v.integer(), v.title(title), v.description(description));

/** Parameters of {@linkcode add} and {@linkcode multiply}. */
export interface PairParams {
  /** First integer. */
  a: number;
  /** Second integer. */
  b: number;
}

/**
 * Add two integers.
 *
 * @example
 * ```ts
 * import { add } from "@wt-examples/custom-tasks";
 *
 * console.assert(add({ a: 1, b: 2 }) === 3);
 * ```
 */
export const add: RegisteredTask<PairParams, PairParams, number> = register({
  title: "Add",
  description: "Add two integers.",
  tags: ["math"],
  params: v.object({
    a: int("A", "The first integer."),
    b: int("B", "The second integer."),
  }),
}, ({ a, b }) => a + b);

/**
 * Multiply two integers.
 *
 * @example
 * ```ts
 * import { multiply } from "@wt-examples/custom-tasks";
 *
 * console.assert(multiply({ a: 6, b: 7 }) === 42);
 * ```
 */
export const multiply: RegisteredTask<PairParams, PairParams, number> =
  register({
    title: "Multiply",
    description: "Multiply two integers.",
    tags: ["math"],
    params: v.object({
      a: int("A", "The first factor."),
      b: int("B", "The second factor."),
    }),
  }, ({ a, b }) => a * b);

/** Parameters of {@linkcode double} and {@linkcode split_digits}. */
export interface NumberParams {
  /** An integer. */
  n: number;
}

/**
 * Double an integer.
 *
 * @example
 * ```ts
 * import { double } from "@wt-examples/custom-tasks";
 *
 * console.assert(double({ n: 21 }) === 42);
 * ```
 */
export const double: RegisteredTask<NumberParams, NumberParams, number> =
  register({
    title: "Double",
    description: "Multiply an integer by two.",
    tags: ["math"],
    params: v.object({ n: int("Number", "The integer to double.") }),
  }, ({ n }) => 2 * n);

/**
 * Split an integer into the decimal digits of its absolute value, as strings.
 *
 * @example
 * ```ts
 * import { split_digits } from "@wt-examples/custom-tasks";
 *
 * console.assert(split_digits({ n: -305 }).join() === "3,0,5");
 * ```
 */
export const split_digits: RegisteredTask<
  NumberParams,
  NumberParams,
  string[]
> = register({
  title: "Split Digits",
  description:
    "Split an integer into the decimal digits of its absolute value, as strings (-305 → ['3', '0', '5']).",
  tags: ["math", "text"],
  params: v.object({ n: int("Number", "The integer to split.") }),
}, ({ n }) => [...BigInt(n < 0 ? -n : n).toString()]);

/** Parameters of {@linkcode parse_int}. */
export interface ParseIntParams {
  /** Text holding a decimal integer. */
  s: string;
}

/**
 * Parse a decimal integer from text (surrounding spaces and a sign allowed).
 *
 * @example
 * ```ts
 * import { parse_int } from "@wt-examples/custom-tasks";
 *
 * console.assert(parse_int({ s: " -42 " }) === -42);
 * ```
 */
export const parse_int: RegisteredTask<ParseIntParams, ParseIntParams, number> =
  register({
    title: "Parse Integer",
    description:
      "Parse a decimal integer from text; fails on anything else (such as '1.5' or 'abc').",
    tags: ["text"],
    params: v.object({
      s: v.pipe(
        v.string(),
        v.title("Text"),
        v.description("Text holding a decimal integer, e.g. '42' or '-7'."),
      ),
    }),
  }, ({ s }) => {
    if (!/^\s*[+-]?\d+\s*$/.test(s)) {
      throw new TypeError(`parse_int: '${s}' is not a decimal integer`);
    }
    const n = Number.parseInt(s, 10);
    if (!Number.isSafeInteger(n)) {
      throw new RangeError(`parse_int: '${s}' is too large for a safe integer`);
    }
    return n;
  });

/** Parameters of {@linkcode to_label}. */
export interface ToLabelParams {
  /** The integer to label. */
  n: number;
  /** Text put before the number (default `"#"`). */
  prefix?: string | undefined;
}

/**
 * Turn an integer into a label: the prefix followed by the number.
 *
 * @example
 * ```ts
 * import { to_label } from "@wt-examples/custom-tasks";
 *
 * console.assert(to_label({ n: 3 }) === "#3");
 * console.assert(to_label({ n: 3, prefix: "item " }) === "item 3");
 * ```
 */
export const to_label: RegisteredTask<
  ToLabelParams,
  { n: number; prefix: string },
  string
> = register({
  title: "To Label",
  description:
    "Turn an integer into a label: the prefix followed by the number.",
  tags: ["text"],
  params: v.object({
    n: int("Number", "The integer to label."),
    prefix: v.optional(
      v.pipe(v.string(), v.description("Text put before the number.")),
      "#",
    ),
  }),
}, ({ n, prefix }) => `${prefix}${n}`);

/** Parameters of {@linkcode sum_list}. */
export interface SumListParams {
  /** The numbers to add up. */
  values: number[];
}

/**
 * Add up a list of numbers (0 for an empty list).
 *
 * @example
 * ```ts
 * import { sum_list } from "@wt-examples/custom-tasks";
 *
 * console.assert(sum_list({ values: [1, 2, 3.5] }) === 6.5);
 * ```
 */
export const sum_list: RegisteredTask<SumListParams, SumListParams, number> =
  register({
    title: "Sum List",
    description: "Add up a list of numbers (0 for an empty list).",
    tags: ["math"],
    params: v.object({
      values: v.pipe(
        v.array(v.number()),
        v.title("Values"),
        v.description("The numbers to add up."),
      ),
    }),
  }, ({ values }) => values.reduce((s, x) => s + x, 0));

/** Parameters of {@linkcode fetch_numbers}. */
export interface FetchNumbersParams {
  /** URL of a JSON array of numbers. */
  url: string;
  /** How many numbers to return (at most). */
  count: number;
}

/**
 * The canned numbers {@linkcode fetch_numbers} returns in mock-io runs.
 *
 * @example
 * ```ts
 * import { taskInfo } from "@wt/registry";
 * import { CANNED_NUMBERS, fetch_numbers } from "@wt-examples/custom-tasks";
 *
 * const mock = taskInfo(fetch_numbers)!.mock as (p: { count: number }) => number[];
 * console.assert(mock({ count: 2 }).join() === CANNED_NUMBERS.slice(0, 2).join());
 * ```
 */
export const CANNED_NUMBERS: readonly number[] = Object.freeze([
  3,
  1,
  4,
  1,
  5,
  9,
  2,
  6,
]);

/**
 * Download a JSON array of numbers and return its first `count` items. Tagged `io`: in
 * mock-io runs it is replaced by {@linkcode CANNED_NUMBERS} (first `count` of them).
 *
 * @example
 * ```ts
 * import { fetch_numbers } from "@wt-examples/custom-tasks";
 *
 * const got = await fetch_numbers({ url: "data:application/json,[7,8,9]", count: 2 });
 * console.assert(got.join() === "7,8");
 * ```
 */
export const fetch_numbers: RegisteredTask<
  FetchNumbersParams,
  FetchNumbersParams,
  Promise<number[]>
> = register({
  title: "Fetch Numbers",
  description:
    "Download a JSON array of numbers and return its first `count` items.",
  tags: ["io"],
  params: v.object({
    url: v.pipe(
      v.string(),
      v.url(),
      v.title("URL"),
      v.description("Where the JSON array of numbers is."),
    ),
    count: v.pipe(
      v.number(),
      v.integer(),
      v.minValue(0),
      v.title("Count"),
      v.description("How many numbers to return (at most)."),
    ),
  }),
  mock: ({ count }: FetchNumbersParams) => CANNED_NUMBERS.slice(0, count),
}, async ({ url, count }) => {
  const response = await fetch(url);
  if (!response.ok) {
    await response.body?.cancel();
    throw new Error(
      `fetch_numbers: GET ${url} failed with HTTP ${response.status}`,
    );
  }
  const data: unknown = await response.json();
  if (
    !Array.isArray(data) ||
    !data.every((x) => typeof x === "number" && Number.isFinite(x))
  ) {
    throw new TypeError(`fetch_numbers: ${url} is not a JSON array of numbers`);
  }
  return data.slice(0, count);
});

/** Parameters of {@linkcode greet}. */
export interface GreetParams {
  /** Who to greet. */
  name: string;
}

/**
 * Greet someone by name.
 *
 * @example
 * ```ts
 * import { greet } from "@wt-examples/custom-tasks";
 *
 * console.assert(greet({ name: "Ada" }) === "Hello, Ada!");
 * ```
 */
export const greet: RegisteredTask<GreetParams, GreetParams, string> = register(
  {
    title: "Greet",
    description: "Greet someone by name.",
    tags: ["text"],
    params: v.object({
      name: v.pipe(
        v.string(),
        v.minLength(1),
        v.title("Name"),
        v.description("Who to greet."),
      ),
    }),
  },
  ({ name }) => `Hello, ${name}!`,
);
