/**
 * JSON Schema validation with errors as plain, serialisable items.
 *
 * @module
 */
import {
  Ajv2020,
  type ErrorObject,
  type ValidateFunction,
} from "ajv/dist/2020.js";
import { Ajv } from "ajv";
import { formatsPlugin } from "./_formats.ts";
import * as v from "valibot";

/**
 * One validation problem: a message, the path of the offending value inside the instance,
 * the path of the failing keyword inside the schema, the keyword (`validator`) and the
 * offending value (`input`, `null` when the value is missing).
 *
 * @example
 * ```ts
 * import * as v from "valibot";
 * import { ValidationErrorItem } from "@wt/contracts";
 *
 * const item = v.parse(ValidationErrorItem, {
 *   message: "must be integer",
 *   path: ["total", "a"],
 *   schema_path: ["properties", "total", "properties", "a", "type"],
 *   validator: "type",
 *   input: "x",
 * });
 * console.assert(item.path.length === 2);
 * ```
 */
export const ValidationErrorItem: v.GenericSchema<ValidationErrorItem> = v
  .object({
    message: v.string(),
    path: v.array(v.union([v.string(), v.number()])),
    schema_path: v.array(v.union([v.string(), v.number()])),
    validator: v.string(),
    input: v.unknown(),
  });
/** One validation problem. */
export interface ValidationErrorItem {
  /** What is wrong. */
  message: string;
  /** Path of the offending value inside the instance. */
  path: Array<string | number>;
  /** Path of the failing keyword inside the schema. */
  schema_path: Array<string | number>;
  /** The failing keyword. */
  validator: string;
  /** The offending value (`null` when missing). */
  input: unknown;
}

let ajv2020: Ajv2020 | undefined;
let ajv07: Ajv | undefined;
const compiled = new WeakMap<object, ValidateFunction>();

const DRAFT_07 = /^https?:\/\/json-schema\.org\/draft-07\/schema#?$/;

/** The validator for the schema's dialect: draft-07 when it says so, 2020-12 otherwise. */
function engine(schema: Record<string, unknown>): Ajv2020 | Ajv {
  const options = { strict: false, allErrors: true, validateFormats: true };
  const dialect = schema["$schema"];
  if (typeof dialect === "string" && DRAFT_07.test(dialect)) {
    if (!ajv07) {
      ajv07 = new Ajv(options);
      formatsPlugin(ajv07 as unknown as Ajv2020);
    }
    return ajv07;
  }
  if (!ajv2020) {
    ajv2020 = new Ajv2020(options);
    formatsPlugin(ajv2020);
  }
  return ajv2020;
}

const SIMPLE_TYPES = new Set([
  "array",
  "boolean",
  "integer",
  "null",
  "number",
  "object",
  "string",
]);

const isRecord = (x: unknown): x is Record<string, unknown> =>
  typeof x === "object" && x !== null && !Array.isArray(x);
const isNumber = (x: unknown): boolean =>
  typeof x === "number" && Number.isFinite(x);
const isCount = (x: unknown): boolean =>
  typeof x === "number" && Number.isInteger(x) && x >= 0;
const isUniqueStrings = (x: unknown, minItems = 0): boolean =>
  Array.isArray(x) && x.length >= minItems &&
  x.every((s) => typeof s === "string") && new Set(x).size === x.length;
const isSchemaList = (x: unknown): boolean =>
  Array.isArray(x) && x.length > 0 && x.every(plainlyValid);

/** What the 2020-12 meta-schema requires of each keyword {@linkcode plainlyValid} knows. */
const PLAIN_KEYWORDS: Record<string, (value: unknown) => boolean> = {
  type: (x) =>
    typeof x === "string" ? SIMPLE_TYPES.has(x) : isUniqueStrings(x, 1) &&
      (x as string[]).every((t) => SIMPLE_TYPES.has(t)),
  title: (x) => typeof x === "string",
  description: (x) => typeof x === "string",
  format: (x) => typeof x === "string",
  default: () => true,
  const: () => true,
  enum: (x) => Array.isArray(x),
  examples: (x) => Array.isArray(x),
  deprecated: (x) => typeof x === "boolean",
  readOnly: (x) => typeof x === "boolean",
  writeOnly: (x) => typeof x === "boolean",
  uniqueItems: (x) => typeof x === "boolean",
  multipleOf: (x) => isNumber(x) && (x as number) > 0,
  minimum: isNumber,
  maximum: isNumber,
  exclusiveMinimum: isNumber,
  exclusiveMaximum: isNumber,
  minLength: isCount,
  maxLength: isCount,
  minItems: isCount,
  maxItems: isCount,
  minProperties: isCount,
  maxProperties: isCount,
  required: (x) => isUniqueStrings(x),
  properties: (x) => isRecord(x) && Object.values(x).every(plainlyValid),
  additionalProperties: (x) => plainlyValid(x),
  items: (x) => plainlyValid(x),
  allOf: isSchemaList,
  anyOf: isSchemaList,
  oneOf: isSchemaList,
  not: (x) => plainlyValid(x),
};

/**
 * Whether a schema is certainly valid against the 2020-12 meta-schema: it uses only the
 * keywords above, each with a value the meta-schema accepts (no `$`-keywords, so no
 * references or ids). Such schemas skip ajv's own meta-schema check, which compiles the
 * whole meta-schema (tens of milliseconds) the first time; any other schema gets it.
 */
function plainlyValid(schema: unknown): boolean {
  if (typeof schema === "boolean") return true;
  if (!isRecord(schema)) return false;
  for (const key of Object.keys(schema)) {
    const check = Object.hasOwn(PLAIN_KEYWORDS, key)
      ? PLAIN_KEYWORDS[key]
      : undefined;
    if (!check || !check(schema[key])) return false;
  }
  return true;
}

function compile(schema: Record<string, unknown>): ValidateFunction {
  const cached = compiled.get(schema);
  if (cached) return cached;
  const ajv = engine(schema);
  // ajv keeps every compiled schema by its $id and refuses a second schema with the same
  // $id; a new schema object (e.g. parsed again from JSON) replaces the old one.
  const id = schema["$id"];
  if (typeof id === "string") ajv.removeSchema(id);
  let fn: ValidateFunction;
  if (ajv === ajv2020 && plainlyValid(schema)) {
    // The meta-schema check would pass: skip it (same validator, same errors).
    const opts = ajv.opts as { validateSchema: boolean | "log" };
    const before = opts.validateSchema;
    opts.validateSchema = false;
    try {
      fn = ajv.compile(schema);
    } finally {
      opts.validateSchema = before;
    }
  } else {
    fn = ajv.compile(schema);
  }
  compiled.set(schema, fn);
  return fn;
}

function decodePointer(pointer: string): string[] {
  if (pointer === "" || pointer === "#") return [];
  return pointer.replace(/^#/, "").split("/").slice(1).map((s) =>
    s.replace(/~1/g, "/").replace(/~0/g, "~")
  );
}

function toItem(instance: unknown, err: ErrorObject): ValidationErrorItem {
  const path: Array<string | number> = [];
  let value: unknown = instance;
  for (const seg of decodePointer(err.instancePath)) {
    if (Array.isArray(value)) {
      const i = Number(seg);
      path.push(i);
      value = value[i];
    } else {
      path.push(seg);
      value = value && typeof value === "object"
        ? (value as Record<string, unknown>)[seg]
        : undefined;
    }
  }
  let message = err.message ?? `fails ${err.keyword}`;
  if (err.keyword === "required") {
    const missing = String(
      (err.params as { missingProperty: string }).missingProperty,
    );
    path.push(missing);
    value = undefined;
    message = `'${missing}' is a required property`;
  } else if (err.keyword === "additionalProperties") {
    const extra = String(
      (err.params as { additionalProperty: string }).additionalProperty,
    );
    path.push(extra);
    value = (value as Record<string, unknown>)?.[extra];
    message = `'${extra}' is not an allowed property`;
  } else if (err.keyword === "enum") {
    const allowed = (err.params as { allowedValues: unknown[] }).allowedValues;
    message = `must be one of ${
      allowed.map((a) => JSON.stringify(a)).join(", ")
    }`;
  }
  return {
    message,
    path,
    schema_path: decodePointer(err.schemaPath),
    validator: err.keyword,
    input: value === undefined ? null : value,
  };
}

/**
 * Validate a value against a JSON Schema (draft 2020-12, or draft-07 when its `$schema`
 * says so; formats checked) and return every problem found. Compiled schemas are cached
 * per schema object.
 *
 * @param instance The value to check.
 * @param schema A JSON Schema object.
 * @returns The problems, empty when the value is valid.
 *
 * @example
 * ```ts
 * import { validate } from "@wt/contracts";
 *
 * const schema = { type: "object", properties: { a: { type: "integer" } }, required: ["a"] };
 * console.assert(validate({ a: 1 }, schema).length === 0);
 * const [item] = validate({}, schema);
 * console.assert(item?.validator === "required" && item.path[0] === "a");
 * ```
 */
export function validate(
  instance: unknown,
  schema: Record<string, unknown>,
): ValidationErrorItem[] {
  const fn = compile(schema);
  if (fn(instance)) return [];
  return (fn.errors ?? []).map((e) => toItem(instance, e));
}

/**
 * Turn validation items into readable lines, one per item: `path: message`.
 *
 * @param items Validation problems.
 * @param root Name to print for the root of the instance.
 * @returns The lines joined with newlines.
 *
 * @example
 * ```ts
 * import { formatValidationErrors } from "@wt/contracts";
 *
 * const text = formatValidationErrors([
 *   { message: "must be integer", path: ["total", "a"], schema_path: [], validator: "type", input: "x" },
 * ]);
 * console.assert(text === "total.a: must be integer (got \"x\")");
 * ```
 */
export function formatValidationErrors(
  items: readonly ValidationErrorItem[],
  root = "(root)",
): string {
  return items.map((i) => {
    const where = i.path.length ? i.path.join(".") : root;
    const got = i.input === null || i.validator === "required"
      ? ""
      : ` (got ${JSON.stringify(i.input)})`;
    return `${where}: ${i.message}${got}`;
  }).join("\n");
}

/**
 * Validate workflow parameters against a workflow's `params.json`. Beyond
 * {@linkcode validate}, it requires a JSON object and reports every task instance that is
 * missing although its section has required fields: `params.json` lists no top-level
 * `required` (the form schema leaves whole sections optional), yet a run without them could
 * only fail later, inside the task.
 *
 * @param params The parameters (one property per task instance id).
 * @param paramsSchema The workflow's `params.json`.
 * @returns The problems, empty when the parameters can be run.
 *
 * @example
 * ```ts
 * import { validateParams } from "@wt/contracts";
 *
 * const schema = {
 *   properties: {
 *     total: { type: "object", properties: { a: { type: "integer" } }, required: ["a"] },
 *   },
 * };
 * console.assert(validateParams({ total: { a: 1 } }, schema).length === 0);
 * const [missing] = validateParams({}, schema);
 * console.assert(missing?.path[0] === "total" && missing.validator === "required");
 * ```
 */
export function validateParams(
  params: unknown,
  paramsSchema: Record<string, unknown>,
): ValidationErrorItem[] {
  if (typeof params !== "object" || params === null || Array.isArray(params)) {
    const got = params === null
      ? "null"
      : Array.isArray(params)
      ? "a list"
      : typeof params;
    return [{
      message:
        `must be a JSON object of form values by task instance id, not ${got}`,
      path: [],
      schema_path: ["type"],
      validator: "type",
      input: params ?? null,
    }];
  }
  const items = validate(params, paramsSchema);
  const reported = new Set(
    items.filter((i) => i.validator === "required" && i.path.length === 1)
      .map((i) => i.path[0]),
  );
  const props = paramsSchema["properties"];
  if (props && typeof props === "object") {
    for (const [id, sub] of Object.entries(props as Record<string, unknown>)) {
      if (Object.hasOwn(params, id) || reported.has(id)) continue;
      const required = (sub as { required?: unknown })?.required;
      if (!Array.isArray(required) || required.length === 0) continue;
      items.push({
        message: `'${id}' is a required property: it has required fields ${
          required.map((r) => `'${String(r)}'`).join(", ")
        }`,
        path: [id],
        schema_path: ["properties", id, "required"],
        validator: "required",
        input: null,
      });
    }
  }
  return items;
}
