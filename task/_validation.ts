/**
 * Argument checks for `.validate()`: a valibot schema when there is one, otherwise a JSON
 * Schema through `validate` from `@wt/contracts`.
 *
 * @module
 */
import * as v from "valibot";
import { validate, type ValidationErrorItem } from "@wt/contracts";

/** Result of checking a call's arguments. */
export type ArgsCheck =
  | { ok: true; value: Record<string, unknown> }
  | { ok: false; issues: ValidationErrorItem[] };

/** Checks one call's merged arguments; may be async for async valibot schemas. */
export type ArgsValidator = (
  args: Record<string, unknown>,
) => ArgsCheck | Promise<ArgsCheck>;

/** Where the schema of a task comes from. */
export interface SchemaSource {
  /** A valibot object schema. */
  params?: unknown;
  /** A JSON Schema object of the parameters a form can set. */
  jsonSchema?: Record<string, unknown> | undefined;
  /** Every argument name the task accepts (for hidden parameters). */
  parameters?: readonly string[] | undefined;
}

function isValibotSchema(
  x: unknown,
): x is v.GenericSchema | v.GenericSchemaAsync {
  return typeof x === "object" && x !== null &&
    (x as { kind?: unknown }).kind === "schema" &&
    typeof (x as { "~run"?: unknown })["~run"] === "function";
}

function pathKey(k: unknown): string | number {
  return typeof k === "number" || typeof k === "string" ? k : String(k);
}

function unknownKeyIssue(key: string, value: unknown): ValidationErrorItem {
  return {
    message: `'${key}' is not a parameter of this task`,
    path: [key],
    schema_path: [],
    validator: "additionalProperties",
    input: value === undefined ? null : value,
  };
}

function fromValibot(
  issues: readonly v.BaseIssue<unknown>[],
): ValidationErrorItem[] {
  return issues.map((i) => ({
    message: i.message,
    path: (i.path ?? []).map((p) => pathKey(p.key)),
    schema_path: [],
    validator: i.type,
    input: i.input === undefined ? null : i.input,
  }));
}

function valibotValidator(
  schema: v.GenericSchema | v.GenericSchemaAsync,
): ArgsValidator {
  const entries = (schema as { entries?: unknown }).entries;
  const type = (schema as { type?: unknown }).type;
  // `v.object` strips unknown keys silently: report them instead.
  const known = type === "object" && typeof entries === "object" && entries
    ? new Set(Object.keys(entries))
    : undefined;
  const finish = (
    args: Record<string, unknown>,
    r: v.SafeParseResult<v.GenericSchema>,
  ): ArgsCheck => {
    const issues = r.success ? [] : fromValibot(r.issues);
    if (known) {
      for (const k of Object.keys(args)) {
        if (!known.has(k)) issues.push(unknownKeyIssue(k, args[k]));
      }
    }
    return issues.length
      ? { ok: false, issues }
      : { ok: true, value: r.output as Record<string, unknown> };
  };
  if (schema.async) {
    return async (args) =>
      finish(
        args,
        await v.safeParseAsync(schema, args) as v.SafeParseResult<
          v.GenericSchema
        >,
      );
  }
  const sync = schema as v.GenericSchema;
  return (args) => finish(args, v.safeParse(sync, args));
}

function jsonSchemaValidator(
  schema: Record<string, unknown>,
  parameters: readonly string[] | undefined,
): ArgsValidator {
  const props = schema["properties"];
  const propNames = typeof props === "object" && props !== null
    ? Object.keys(props)
    : [];
  const inSchema = new Set(propNames);
  const allowed = parameters || typeof props === "object"
    ? new Set([...propNames, ...(parameters ?? [])])
    : undefined;
  return (args) => {
    // Hidden parameters are not in the schema (which may forbid additional
    // properties): validate the schema's own properties, check the rest by name.
    const shown: Record<string, unknown> = {};
    const issues: ValidationErrorItem[] = [];
    for (const k of Object.keys(args)) {
      if (inSchema.has(k) || !allowed) shown[k] = args[k];
      else if (!allowed.has(k)) issues.push(unknownKeyIssue(k, args[k]));
    }
    issues.unshift(...validate(shown, schema));
    return issues.length ? { ok: false, issues } : { ok: true, value: args };
  };
}

/** Checks a task's result; may be async for async valibot schemas. */
export type ResultValidator = (
  result: unknown,
) => ResultCheck | Promise<ResultCheck>;

/** Result of checking a task's result. */
export type ResultCheck =
  | { ok: true; value: unknown }
  | { ok: false; issues: ValidationErrorItem[] };

/**
 * Build the validator of a task's result from a valibot `returns` schema, or `undefined`
 * when there is none.
 *
 * @param returns The registered `returns` schema, if any.
 * @returns A validator, or `undefined`.
 */
export function makeResultValidator(
  returns: unknown,
): ResultValidator | undefined {
  if (!isValibotSchema(returns)) return undefined;
  const finish = (r: v.SafeParseResult<v.GenericSchema>): ResultCheck =>
    r.success
      ? { ok: true, value: r.output }
      : { ok: false, issues: fromValibot(r.issues) };
  if (returns.async) {
    return async (result) =>
      finish(
        await v.safeParseAsync(returns, result) as v.SafeParseResult<
          v.GenericSchema
        >,
      );
  }
  const sync = returns as v.GenericSchema;
  return (result) => finish(v.safeParse(sync, result));
}

/**
 * Build the argument validator of a task, or `undefined` when it has no schema.
 *
 * @param source The valibot schema and/or JSON Schema of the task.
 * @returns A validator, or `undefined`.
 */
export function makeValidator(source: SchemaSource): ArgsValidator | undefined {
  if (isValibotSchema(source.params)) return valibotValidator(source.params);
  if (source.jsonSchema && typeof source.jsonSchema === "object") {
    return jsonSchemaValidator(source.jsonSchema, source.parameters);
  }
  return undefined;
}
