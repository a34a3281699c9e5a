/**
 * The OpenAPI 3.1 document of the runner, generated from the same valibot schemas the
 * handlers validate with.
 *
 * @module
 */
import type * as v from "valibot";
import { toJsonSchema } from "@valibot/to-json-schema";
import * as s from "./_schemas.ts";

type AnySchema = v.GenericSchema<unknown, unknown>;

interface Reply {
  description: string;
  schema?: AnySchema;
  text?: boolean;
}

interface RouteDoc {
  method: "get" | "post";
  path: string;
  summary: string;
  query?: AnySchema;
  body?: AnySchema;
  /** Extra path parameters. */
  pathParams?: string[];
  public?: boolean;
  /** Also accepts the token as the `token` query parameter. */
  queryToken?: boolean;
  replies: Record<number, Reply>;
}

const err = (description: string): Reply => ({
  description,
  schema: s.ErrorBody as AnySchema,
});
const common = {
  400: err("Malformed JSON or bad request"),
  401: err("Missing or wrong bearer token"),
  404: err("Unknown workflow or run"),
  413: err("Body too large"),
  422: err("Validation failed; details lists every problem"),
};

const ROUTES: RouteDoc[] = [
  {
    method: "get",
    path: "/",
    summary: "Health check (never needs the token)",
    public: true,
    replies: { 200: { description: "Healthy", schema: s.Health as AnySchema } },
  },
  {
    method: "post",
    path: "/",
    summary:
      "Run a workflow and answer with its result.json (reference-compatible)",
    query: s.LegacyRunQuery as AnySchema,
    body: s.LegacyRunBody as AnySchema,
    replies: {
      200: {
        description: "The run's result, error and trace",
        schema: s.ResponseModel as AnySchema,
      },
      ...common,
    },
  },
  ...(["rjsf", "params"] as const).map((name): RouteDoc => ({
    method: "get",
    path: `/${name}`,
    summary: `The workflow's ${name}.json`,
    query: s.WorkflowQuery as AnySchema,
    replies: {
      200: {
        description: `${name}.json`,
        schema: s.JsonObjectSchema as AnySchema,
      },
      ...common,
    },
  })),
  {
    method: "get",
    path: "/data-connection-property-names",
    summary: "Parameter names that hold data connections",
    query: s.WorkflowQuery as AnySchema,
    replies: { 200: { description: "Names" }, ...common },
  },
  {
    method: "post",
    path: "/formdata-to-params",
    summary: "Convert form data to workflow parameters and validate them",
    query: s.WorkflowQuery as AnySchema,
    body: s.JsonObjectSchema as AnySchema,
    replies: {
      200: {
        description: "Parameters",
        schema: s.JsonObjectSchema as AnySchema,
      },
      ...common,
    },
  },
  {
    method: "post",
    path: "/params-to-formdata",
    summary: "Validate workflow parameters and convert them to form data",
    query: s.WorkflowQuery as AnySchema,
    body: s.JsonObjectSchema as AnySchema,
    replies: {
      200: {
        description: "Form data",
        schema: s.JsonObjectSchema as AnySchema,
      },
      ...common,
    },
  },
  {
    method: "post",
    path: "/run-from-pubsub",
    summary:
      "Pub/Sub push endpoint: queue the run command; always acknowledged, failures go to result.json",
    body: s.PubsubEnvelope as AnySchema,
    queryToken: true,
    replies: {
      200: {
        description: "Acknowledged",
        schema: s.PubsubAck as AnySchema,
      },
      401: common[401],
      413: common[413],
    },
  },
  {
    method: "get",
    path: "/workflows",
    summary: "The workflows this runner serves",
    replies: {
      200: { description: "Workflows", schema: s.WorkflowList as AnySchema },
      401: common[401],
    },
  },
  {
    method: "post",
    path: "/runs",
    summary: "Submit a run (validated, recorded, queued)",
    body: s.CreateRunBody as AnySchema,
    replies: {
      202: { description: "Accepted", schema: s.RunCreated as AnySchema },
      ...common,
      409: err("Run id taken"),
    },
  },
  {
    method: "get",
    path: "/runs",
    summary: "Runs, newest first, filtered and paginated",
    query: s.ListRunsQuery as AnySchema,
    replies: {
      200: { description: "One page", schema: s.RunPageSchema as AnySchema },
      ...common,
    },
  },
  {
    method: "get",
    path: "/runs/{id}",
    summary: "One run",
    pathParams: ["id"],
    replies: {
      200: { description: "The run", schema: s.RunRecord as AnySchema },
      ...common,
    },
  },
  {
    method: "get",
    path: "/runs/{id}/result",
    summary: "The result of a finished run",
    pathParams: ["id"],
    replies: {
      200: { description: "Result", schema: s.RunResult as AnySchema },
      ...common,
      409: err("The run has not finished"),
    },
  },
  {
    method: "get",
    path: "/runs/{id}/logs",
    summary: "The run's stdout and stderr (text), from a byte offset",
    pathParams: ["id"],
    query: s.LogsQuery as AnySchema,
    replies: { 200: { description: "Log text", text: true }, ...common },
  },
  {
    method: "post",
    path: "/runs/{id}/cancel",
    summary: "Cancel a queued or running run",
    pathParams: ["id"],
    replies: {
      200: {
        description: "The run after cancelling",
        schema: s.RunRecord as AnySchema,
      },
      ...common,
      409: err("The run has finished already"),
    },
  },
  {
    method: "get",
    path: "/openapi.json",
    summary: "This document",
    replies: { 200: { description: "OpenAPI 3.1 document" } },
  },
];

function jsonSchema(
  schema: AnySchema,
  typeMode: "input" | "output",
): Record<string, unknown> {
  const out = toJsonSchema(schema, { errorMode: "ignore", typeMode }) as Record<
    string,
    unknown
  >;
  delete out["$schema"];
  return out;
}

/**
 * Build the OpenAPI 3.1 document of the runner API.
 *
 * @param version The runner version (`info.version`).
 * @returns The document (a JSON object).
 *
 * @example
 * ```ts
 * import { openApiDocument } from "@wt/runner";
 *
 * const doc = openApiDocument("0.1.0") as { openapi: string; paths: Record<string, unknown> };
 * console.assert(doc.openapi === "3.1.0" && "/runs" in doc.paths);
 * ```
 */
export function openApiDocument(version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of ROUTES) {
    const parameters: unknown[] = (r.pathParams ?? []).map((name) => ({
      name,
      in: "path",
      required: true,
      schema: { type: "string" },
    }));
    if (r.query) {
      const q = jsonSchema(r.query, "input");
      const props = (q["properties"] ?? {}) as Record<string, unknown>;
      const required = new Set((q["required"] ?? []) as string[]);
      for (const [name, schema] of Object.entries(props)) {
        const desc = (schema as Record<string, unknown>)["description"];
        parameters.push({
          name,
          in: "query",
          required: required.has(name),
          schema,
          ...(typeof desc === "string" ? { description: desc } : {}),
        });
      }
    }
    const responses: Record<string, unknown> = {};
    for (const [code, reply] of Object.entries(r.replies)) {
      responses[code] = {
        description: reply.description,
        ...(reply.schema
          ? {
            content: {
              "application/json": {
                schema: jsonSchema(reply.schema, "output"),
              },
            },
          }
          : reply.text
          ? { content: { "text/plain": { schema: { type: "string" } } } }
          : {}),
      };
    }
    (paths[r.path] ??= {})[r.method] = {
      summary: r.summary,
      ...(parameters.length ? { parameters } : {}),
      ...(r.body
        ? {
          requestBody: {
            required: true,
            content: {
              "application/json": { schema: jsonSchema(r.body, "input") },
            },
          },
        }
        : {}),
      ...(r.public ? { security: [] } : {}),
      ...(r.queryToken
        ? { security: [{ bearer: [] }, { queryToken: [] }] }
        : {}),
      responses,
    };
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "wt runner",
      version,
      description:
        "Runs compiled wt workflows: validation, a durable run store, a bounded queue, cancellation and logs. When the runner has a token (WT_RUNNER_TOKEN), every operation except GET / needs 'Authorization: Bearer <token>'.",
    },
    components: {
      securitySchemes: {
        bearer: { type: "http", scheme: "bearer" },
        queryToken: {
          type: "apiKey",
          in: "query",
          name: "token",
          description:
            "The token as ?token=, accepted by POST /run-from-pubsub only (Pub/Sub push cannot send headers).",
        },
      },
    },
    security: [{ bearer: [] }],
    paths,
  };
}
