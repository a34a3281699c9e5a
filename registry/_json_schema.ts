// Derives a task's JSON Schema (the part of its parameters a form can set) from its valibot
// object schema, with @valibot/to-json-schema.
import * as v from "valibot";
import {
  type ConversionConfig,
  type JsonSchema,
  toJsonSchema,
} from "@valibot/to-json-schema";
import { RegistrationError } from "./errors.ts";
import { isHidden } from "./hidden.ts";
import { defaultTitle } from "./title.ts";

/** Valibot schema types whose values have no JSON form. */
const NON_JSON_TYPES = new Set([
  "bigint",
  "blob",
  "custom",
  "date",
  "file",
  "function",
  "instance",
  "map",
  "nan",
  "promise",
  "set",
  "symbol",
  "undefined",
  "void",
]);

type Node = Record<string, unknown>;

function isSchemaNode(x: unknown): x is Node {
  return typeof x === "object" && x !== null &&
    (x as Node)["kind"] === "schema";
}

/**
 * The first valibot schema type without a JSON form found in `schema` (following the input
 * side of pipes, wrappers, items, entries and options), or `undefined`.
 */
export function nonJsonType(
  schema: unknown,
  seen: Set<unknown> = new Set(),
): string | undefined {
  if (!isSchemaNode(schema) || seen.has(schema)) return undefined;
  seen.add(schema);
  const type = String(schema["type"]);
  if (NON_JSON_TYPES.has(type)) return type;
  if (schema["async"] === true) return `${type} (async)`;
  const children: unknown[] = [];
  for (const key of ["wrapped", "item", "rest", "key", "value"]) {
    children.push(schema[key]);
  }
  for (const key of ["items", "options"]) {
    const list = schema[key];
    if (Array.isArray(list)) children.push(...list);
  }
  const entries = schema["entries"];
  if (entries && typeof entries === "object") {
    children.push(...Object.values(entries));
  }
  for (const child of children) {
    const found = nonJsonType(child, seen);
    if (found) return found;
  }
  return undefined;
}

function isJsonValue(x: unknown, depth = 0): boolean {
  if (depth > 64) return false;
  if (x === null || typeof x === "string" || typeof x === "boolean") {
    return true;
  }
  if (typeof x === "number") return Number.isFinite(x);
  if (Array.isArray(x)) return x.every((i) => isJsonValue(i, depth + 1));
  if (typeof x === "object") {
    const proto = Object.getPrototypeOf(x);
    if (proto !== Object.prototype && proto !== null) return false;
    return Object.values(x).every((i) => isJsonValue(i, depth + 1));
  }
  return false;
}

const CONVERSION: ConversionConfig = {
  target: "draft-2020-12",
  typeMode: "input",
  errorMode: "throw",
  // Actions the converter does not know (checks, trims, brands, custom metadata) only
  // narrow or annotate values; they are enforced when the task validates its arguments.
  overrideAction: ({ valibotAction, jsonSchema, errors }) =>
    errors?.length &&
      errors.every((m) => m.includes("action cannot be converted")) &&
      ["validation", "transformation", "metadata"].includes(valibotAction.kind)
      ? jsonSchema
      : undefined,
};

/** Whether a parameter may be omitted: optional, or it has a default. */
export function isOptionalParam(schema: v.GenericSchema): boolean {
  const type = (schema as unknown as Node)["type"];
  if (type === "optional" || type === "exact_optional" || type === "nullish") {
    return true;
  }
  try {
    return v.getDefault(schema) !== undefined;
  } catch {
    return true;
  }
}

/** The result of {@linkcode deriveJsonSchema}. */
export interface DerivedSchema {
  json_schema: Record<string, unknown>;
  parameters: string[];
  hidden: string[];
  /** Parameters without a default (hidden ones included), in declaration order. */
  required: string[];
}

/**
 * Derive the form-facing JSON Schema of a task's parameters.
 *
 * @param entries The entries of the task's valibot object schema.
 * @param task The task's name for error messages.
 */
export function deriveJsonSchema(
  entries: Record<string, v.GenericSchema>,
  task: string,
): DerivedSchema {
  const parameters = Object.keys(entries);
  const hiddenNames: string[] = [];
  const visible: Record<string, v.GenericSchema> = {};
  for (const [name, schema] of Object.entries(entries)) {
    if (isHidden(schema) || nonJsonType(schema) !== undefined) {
      hiddenNames.push(name);
      continue;
    }
    let converted: JsonSchema;
    try {
      converted = toJsonSchema(schema, CONVERSION);
    } catch (e) {
      throw new RegistrationError(
        `task ${task}: parameter '${name}' uses a feature JSON Schema cannot express: ${
          e instanceof Error ? e.message : String(e)
        } Fix: remove that feature from the parameter's schema, or mark the parameter ` +
          `hidden with v.pipe(schema, hidden()) if a form never sets it.`,
        { task, parameter: name, cause: e },
      );
    }
    if ("default" in converted && !isJsonValue(converted.default)) {
      throw new RegistrationError(
        `task ${task}: the default of parameter '${name}' is not a JSON value ` +
          `(${
            String(converted.default)
          }). Fix: use a JSON default (string, number, ` +
          `boolean, null, array or plain object), or mark the parameter hidden().`,
        { task, parameter: name },
      );
    }
    visible[name] = schema;
  }
  const whole = toJsonSchema(v.object(visible), CONVERSION) as Record<
    string,
    unknown
  >;
  const converted = (whole["properties"] ?? {}) as Record<string, JsonSchema>;
  const properties: Record<string, JsonSchema> = {};
  for (const [name, prop] of Object.entries(converted)) {
    properties[name] = typeof prop.title === "string"
      ? prop
      : { title: defaultTitle(name), ...prop };
  }
  const required = parameters.filter((n) => !isOptionalParam(entries[n]!));
  const json_schema: Record<string, unknown> = {
    type: "object",
    properties,
    required: required.filter((n) => Object.hasOwn(visible, n)),
    additionalProperties: false,
  };
  if (whole["$defs"]) json_schema["$defs"] = whole["$defs"];
  return { json_schema, parameters, hidden: hiddenNames, required };
}
