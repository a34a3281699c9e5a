/**
 * Valibot schemas of the runner's requests and responses. Handlers validate with them and
 * the OpenAPI document is generated from them: one source of truth.
 *
 * @module
 */
import * as v from "valibot";
import {
  ExecutionMode,
  InvokerKind,
  ResponseModel,
  RUN_STATUSES,
  RunRecord,
  ValidationErrorItem,
} from "@wt/contracts";
import { ErrorBody } from "./errors.ts";

const JsonObject = v.record(v.string(), v.unknown());

/** Environment variables for data connections: an object, or `[{name, value}]`. */
export const DataConnectionsEnv = v.union([
  v.record(v.pipe(v.string(), v.regex(/^[A-Za-z_][A-Za-z0-9_]*$/)), v.string()),
  v.array(v.object({
    name: v.pipe(v.string(), v.regex(/^[A-Za-z_][A-Za-z0-9_]*$/)),
    value: v.string(),
  })),
]);

/** Normalise {@linkcode DataConnectionsEnv} to an object. */
export function envRecord(
  env: v.InferOutput<typeof DataConnectionsEnv> | undefined,
): Record<string, string> {
  if (env === undefined) return {};
  if (Array.isArray(env)) {
    return Object.fromEntries(env.map((e) => [e.name, e.value]));
  }
  return env;
}

const RunIdText = v.pipe(
  v.string(),
  v.regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/),
  v.description("Run id: letters, digits, '_', '.', '-' (it names a folder)."),
);
const Timeout = v.pipe(
  v.number(),
  v.gtValue(0),
  v.description("Seconds after which the run is stopped and marked failed."),
);
const ResultsUrl = v.pipe(
  v.string(),
  v.regex(/^(file|gs):\/\//),
  v.description(
    "Folder URL for result.json: file:///abs/folder or gs://bucket/prefix.",
  ),
);
const BoolText = v.pipe(
  v.picklist(["true", "false", "1", "0"]),
  v.transform((s) => s === "true" || s === "1"),
);
const PositiveText = v.pipe(
  v.string(),
  v.regex(/^[0-9]+(\.[0-9]+)?$/),
  v.transform(Number),
  v.number(),
  v.gtValue(0),
);

/** Query of the workflow-addressed endpoints. */
export const WorkflowQuery = v.object({
  workflow: v.optional(v.pipe(
    v.string(),
    v.description(
      "Release name of the workflow; may be omitted when the runner serves exactly one.",
    ),
  )),
});

const CREATE_RUN_FIELDS =
  "workflow, params, id, execution_mode, mock_io, invoker, timeout, data_connections_env_vars";

/**
 * `POST /runs` body. Unknown fields are refused: a misspelt `timeout` or a `results_url`
 * (which only `POST /` takes) would otherwise be dropped without a word.
 */
export const CreateRunBody = v.strictObject(
  {
    workflow: v.pipe(
      v.string(),
      v.minLength(1),
      v.description("Release name."),
    ),
    params: v.optional(JsonObject, () => ({})),
    id: v.optional(RunIdText),
    execution_mode: v.optional(ExecutionMode),
    mock_io: v.optional(v.boolean()),
    invoker: v.optional(InvokerKind),
    timeout: v.optional(Timeout),
    data_connections_env_vars: v.optional(DataConnectionsEnv),
  },
  (issue) =>
    issue.expected === "never"
      ? `unknown field ${issue.received}; POST /runs takes ${CREATE_RUN_FIELDS}`
      : `expected a JSON object with ${CREATE_RUN_FIELDS}, got ${issue.received}`,
);

/** `POST /runs` answer. */
export const RunCreated = v.object({
  id: v.string(),
  status: v.picklist(RUN_STATUSES),
});

/** `GET /runs` query. */
export const ListRunsQuery = v.object({
  workflow: v.optional(v.string()),
  status: v.optional(v.picklist(RUN_STATUSES)),
  limit: v.optional(
    v.pipe(
      v.string(),
      v.regex(/^[0-9]+$/, "limit must be a whole number"),
      v.transform(Number),
      v.number(),
      v.minValue(1),
      v.maxValue(500),
    ),
  ),
  cursor: v.optional(v.pipe(
    v.string(),
    v.description("The next_cursor of the previous page."),
  )),
});

/** `GET /runs` answer. */
export const RunPageSchema = v.object({
  runs: v.array(RunRecord),
  next_cursor: v.nullable(v.string()),
});

/** `GET /runs/{id}/result` answer. */
export const RunResult = v.object({
  id: v.string(),
  status: v.picklist(RUN_STATUSES),
  result: v.unknown(),
  error: v.nullable(v.string()),
  trace: v.nullable(v.string()),
});

/** `GET /runs/{id}/logs` query. */
export const LogsQuery = v.object({
  offset: v.optional(v.pipe(
    v.string(),
    v.regex(/^[0-9]+$/, "offset must be a whole number of bytes"),
    v.transform(Number),
    v.number(),
    v.description("Byte offset to start from (for following a log)."),
  )),
});

/** `GET /workflows` answer. */
export const WorkflowList = v.object({
  workflows: v.array(v.object({
    name: v.string(),
    version: v.nullable(v.string()),
    title: v.nullable(v.string()),
    description: v.nullable(v.string()),
  })),
});

/** `GET /` answer. */
export const Health = v.object({
  status: v.literal("ok"),
  version: v.string(),
  workflows: v.number(),
  runs: v.object({ running: v.number(), queued: v.number() }),
});

/** `POST /` query (reference-compatible). */
export const LegacyRunQuery = v.object({
  workflow: v.optional(v.string()),
  results_url: v.optional(ResultsUrl),
  execution_mode: v.optional(ExecutionMode),
  mock_io: v.optional(BoolText),
  run_id: v.optional(RunIdText),
  timeout: v.optional(PositiveText),
});

/** `POST /` body (reference-compatible). */
export const LegacyRunBody = v.object({
  params: v.optional(JsonObject, () => ({})),
  data_connections_env_vars: v.optional(DataConnectionsEnv),
});

/** The run command carried (base64 JSON) in a Pub/Sub message. */
export const PubsubRunCommand = v.object({
  workflow: v.optional(v.string()),
  params: v.optional(JsonObject, () => ({})),
  results_url: ResultsUrl,
  execution_mode: v.optional(ExecutionMode),
  mock_io: v.optional(v.boolean()),
  run_id: v.optional(RunIdText),
  timeout: v.optional(Timeout),
  data_connections_env_vars: v.optional(DataConnectionsEnv),
});

/** A Pub/Sub push request. */
export const PubsubEnvelope = v.object({
  message: v.object({
    data: v.pipe(
      v.string(),
      v.description("Base64 of the JSON run command."),
    ),
    attributes: v.optional(v.nullable(v.record(v.string(), v.string()))),
    messageId: v.optional(v.string()),
    message_id: v.optional(v.string()),
    publishTime: v.optional(v.string()),
  }),
  subscription: v.optional(v.string()),
});

/** The `POST /run-from-pubsub` answer (always 2xx: the message is acknowledged). */
export const PubsubAck = v.object({
  acknowledged: v.literal(true),
  run_id: v.nullable(v.string()),
  status: v.nullable(v.picklist(RUN_STATUSES)),
  error: v.nullable(v.string()),
});

/** `{ result }` answers of the conversion endpoints. */
export const JsonObjectSchema = JsonObject;

export { ErrorBody, ResponseModel, RunRecord, ValidationErrorItem };

/** Status in a {@linkcode PubsubAck}. */
export type PubsubAckStatus = v.InferOutput<typeof PubsubAck>["status"];
