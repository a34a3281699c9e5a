/**
 * `CloudBatchInvoker`: run a compiled workflow as a Google Cloud Batch job, with
 * `npm:@google-cloud/batch` (loaded only by this module, `@wt/invokers/cloud-batch`).
 *
 * @example Run a workflow image on Cloud Batch
 * ```ts ignore
 * import { CloudBatchInvoker } from "@wt/invokers/cloud-batch";
 *
 * const invoker = new CloudBatchInvoker({
 *   project: "my-project",
 *   region: "europe-west1",
 *   image: "europe-docker.pkg.dev/my-project/wt/wt-add-workflow:1.0.0",
 *   workflow: "wt-add-workflow",
 *   gpuCount: 1,
 *   gpuType: "nvidia-tesla-t4",
 *   machineType: "n1-standard-4",
 * });
 * const run = await invoker.run(
 *   { config_json: '{"total":{"a":1,"b":2}}', execution_mode: "parallel", mock_io: false },
 *   { results_url: "gs://my-bucket/runs/r1", results_env_var: "WT_RESULTS", extra: {} },
 * );
 * console.log((await run.wait()).result);
 * ```
 *
 * @module
 */
import { createHash } from "node:crypto";
import { BatchServiceClient, type protos } from "@google-cloud/batch";
import {
  isTerminalStatus,
  type RunRecord,
  type RunStatus,
  type WorkflowCLIArgs,
  workflowCliArgv,
  type WorkflowCLIEnv,
  workflowCliEnv,
} from "@wt/contracts";
import type { Invoker, RunHandle } from "./invoker.ts";
import { InvokerError } from "./errors.ts";
import { type GcsReader, readResult } from "./results.ts";
import { RunSlot } from "./_run_slot.ts";
import { validatedRequest } from "./_request.ts";

/**
 * A Cloud Batch job as the client library sends and receives it.
 *
 * @example
 * ```ts
 * import { type BatchJob, buildBatchJob } from "@wt/invokers/cloud-batch";
 *
 * const job: BatchJob = buildBatchJob(
 *   { config_json: '{"total":{"a":1,"b":2}}', execution_mode: "sequential", mock_io: false },
 *   { results_url: "gs://my-bucket/runs/r1", results_env_var: "WT_RESULTS", run_id: "r1", extra: {} },
 *   { project: "p", region: "europe-west1", image: "img:1", workflow: "wt-add-workflow" },
 * ).job;
 * console.assert(job.labels?.["wt-workflow"] === "wt-add-workflow");
 * ```
 */
export type BatchJob = protos.google.cloud.batch.v1.IJob;
/**
 * A CreateJob request of the Cloud Batch client library.
 *
 * @example
 * ```ts
 * import { buildBatchJob, type CreateJobRequest } from "@wt/invokers/cloud-batch";
 *
 * const { parent, jobId, job } = buildBatchJob(
 *   { config_json: '{"total":{"a":1,"b":2}}', execution_mode: "sequential", mock_io: false },
 *   { results_url: "gs://my-bucket/runs/r1", results_env_var: "WT_RESULTS", run_id: "r1", extra: {} },
 *   { project: "p", region: "europe-west1", image: "img:1", workflow: "wt-add-workflow" },
 * );
 * const request: CreateJobRequest = { parent, jobId, job };
 * console.assert(request.parent === "projects/p/locations/europe-west1");
 * ```
 */
export type CreateJobRequest = protos.google.cloud.batch.v1.ICreateJobRequest;
/**
 * A GetJob request of the Cloud Batch client library.
 *
 * @example
 * ```ts
 * import type { GetJobRequest } from "@wt/invokers/cloud-batch";
 *
 * const request: GetJobRequest = { name: "projects/p/locations/europe-west1/jobs/r1" };
 * console.assert(request.name?.endsWith("/jobs/r1"));
 * ```
 */
export type GetJobRequest = protos.google.cloud.batch.v1.IGetJobRequest;
/**
 * A DeleteJob request of the Cloud Batch client library.
 *
 * @example
 * ```ts
 * import type { DeleteJobRequest } from "@wt/invokers/cloud-batch";
 *
 * const request: DeleteJobRequest = {
 *   name: "projects/p/locations/europe-west1/jobs/r1",
 *   reason: "cancelled by wt",
 * };
 * console.assert(request.reason === "cancelled by wt");
 * ```
 */
export type DeleteJobRequest = protos.google.cloud.batch.v1.IDeleteJobRequest;

/**
 * The part of the Cloud Batch client (`BatchServiceClient` of `@google-cloud/batch`) this
 * invoker uses. Pass a configured `BatchServiceClient` as
 * {@linkcode CloudBatchInvokerOptions.client}.
 *
 * @example
 * ```ts
 * import {
 *   type BatchClient,
 *   type BatchJob,
 *   CloudBatchInvoker,
 * } from "@wt/invokers/cloud-batch";
 *
 * // An in-memory stand-in for BatchServiceClient (tests, dry runs).
 * const jobs = new Map<string, BatchJob>();
 * const client: BatchClient = {
 *   createJob: (req) => {
 *     const job: BatchJob = {
 *       ...req.job,
 *       name: `${req.parent}/jobs/${req.jobId}`,
 *       status: { state: "QUEUED" },
 *     };
 *     jobs.set(job.name!, job);
 *     return Promise.resolve([job]);
 *   },
 *   getJob: (req) => Promise.resolve([jobs.get(req.name!)!]),
 *   deleteJob: (req) => Promise.resolve(jobs.delete(req.name!)),
 * };
 * const invoker = new CloudBatchInvoker({ ...{ project: "p", region: "europe-west1", image: "img:1", workflow: "wt-add-workflow" }, client });
 * const run = await invoker.run(
 *   { config_json: '{"total":{"a":1,"b":2}}', execution_mode: "sequential", mock_io: false },
 *   { results_url: "gs://my-bucket/runs/r1", results_env_var: "WT_RESULTS", run_id: "r1", extra: {} },
 * );
 * console.assert((await run.status()) === "queued");
 * await run.cancel();
 * console.assert(jobs.size === 0);
 * ```
 */
export interface BatchClient {
  /** CreateJob. */
  createJob(
    request: CreateJobRequest,
  ): Promise<[BatchJob, ...unknown[]]>;
  /** GetJob. */
  getJob(
    request: GetJobRequest,
  ): Promise<[BatchJob, ...unknown[]]>;
  /** DeleteJob (a long-running operation; the invoker does not wait for it). */
  deleteJob(
    request: DeleteJobRequest,
  ): Promise<unknown>;
}

/**
 * Options for the default `BatchServiceClient` (see `@google-cloud/batch`): credentials,
 * endpoint and the like, passed through unchanged.
 *
 * @example
 * ```ts
 * import { type BatchClientOptions, CloudBatchInvoker } from "@wt/invokers/cloud-batch";
 *
 * const clientOptions: BatchClientOptions = {
 *   projectId: "my-project",
 *   keyFilename: "/secrets/batch-sa.json",
 *   apiEndpoint: "batch.googleapis.com",
 * };
 * const invoker = new CloudBatchInvoker({ ...{ project: "p", region: "europe-west1", image: "img:1", workflow: "wt-add-workflow" }, clientOptions });
 * console.assert(invoker.kind === "cloud-batch");
 * ```
 */
export interface BatchClientOptions {
  /** Project of the credentials. */
  projectId?: string | undefined;
  /** Path of a service account key file. */
  keyFilename?: string | undefined;
  /** API endpoint host, e.g. a regional or private endpoint. */
  apiEndpoint?: string | undefined;
  /** Any further `ClientOptions` field of google-gax. */
  [option: string]: unknown;
}

/**
 * Options of {@linkcode CloudBatchInvoker}.
 *
 * @example
 * ```ts
 * import { buildBatchJob, type CloudBatchInvokerOptions } from "@wt/invokers/cloud-batch";
 *
 * const options: CloudBatchInvokerOptions = {
 *   project: "my-project",
 *   region: "europe-west1",
 *   image: "europe-docker.pkg.dev/my-project/wt/wt-add-workflow:1.0.0",
 *   workflow: "wt-add-workflow",
 *   machineType: "n1-standard-4",
 *   gpuCount: 1,
 *   gpuType: "nvidia-tesla-t4",
 *   maxRunDurationSeconds: 3600,
 *   retryCount: 1,
 * };
 * const { job } = buildBatchJob(
 *   { config_json: '{"total":{"a":1,"b":2}}', execution_mode: "sequential", mock_io: false },
 *   { results_url: "gs://my-bucket/runs/r1", results_env_var: "WT_RESULTS", run_id: "r1", extra: {} },
 *   options,
 * );
 * const policy = job.allocationPolicy?.instances?.[0];
 * console.assert(policy?.installGpuDrivers === true);
 * console.assert(policy?.policy?.accelerators?.[0]?.count === 1);
 * ```
 */
export interface CloudBatchInvokerOptions {
  /** Google Cloud project id. */
  project: string;
  /** Batch region (location), e.g. `europe-west1`. */
  region: string;
  /** Container image URI of the compiled workflow. */
  image: string;
  /** Workflow (release) name, used in labels and run records. */
  workflow: string;
  /** Container entrypoint; default `deno`. */
  entrypoint?: string | undefined;
  /**
   * Arguments before the workflow CLI's own (`run --config-json …`); default
   * `["task", "--cwd", "/app/workflows/<workflow>", "workflow"]`: the compiled workspace
   * where the Dockerfile wt-compiler generates puts it (`WORKDIR /app/workflows/<release>`).
   */
  commandPrefix?: readonly string[] | undefined;
  /** CPU in thousandths of a vCPU per task; default 2000. */
  cpuMilli?: number | undefined;
  /** Memory in MiB per task; default 2048. */
  memoryMib?: number | undefined;
  /** Boot disk size in MiB; Batch's default when absent. */
  bootDiskMib?: number | undefined;
  /** Compute Engine machine type, e.g. `n1-standard-4`. */
  machineType?: string | undefined;
  /** Number of GPUs to attach (needs `gpuType`); drivers are installed when > 0. */
  gpuCount?: number | undefined;
  /** GPU type, e.g. `nvidia-tesla-t4`. */
  gpuType?: string | undefined;
  /** Use Spot VMs. */
  spot?: boolean | undefined;
  /** VPC network, e.g. `projects/p/global/networks/default`. */
  network?: string | undefined;
  /** Subnetwork, e.g. `projects/p/regions/r/subnetworks/default`. */
  subnetwork?: string | undefined;
  /** Give the VMs no external IP address (needs Private Google Access or Cloud NAT). */
  noExternalIp?: boolean | undefined;
  /** Service account email the job runs as. */
  serviceAccount?: string | undefined;
  /** Maximum run time of the task in seconds (Batch kills it afterwards). */
  maxRunDurationSeconds?: number | undefined;
  /** How many times Batch retries a failed task (0–10); default 0. */
  retryCount?: number | undefined;
  /** Extra job labels (keys and values must follow Google Cloud label rules). */
  labels?: Record<string, string> | undefined;
  /** Environment variables taken from Secret Manager: name → secret version resource. */
  secretVariables?: Record<string, string> | undefined;
  /** How often `wait()` polls the job state; default 10000 ms. */
  pollIntervalMs?: number | undefined;
  /** `wait()` gives up (rejects with the API error) after this many failed polls in a row; default 3. */
  maxPollFailures?: number | undefined;
  /** Give up on a run after this long in `wait()`: the job is deleted, the run fails with reason `timeout`. */
  waitTimeoutMs?: number | undefined;
  /** A configured client (credentials, endpoint); default `new BatchServiceClient(clientOptions)`. */
  client?: BatchClient | undefined;
  /** Options for the default client. */
  clientOptions?: BatchClientOptions | undefined;
  /** Storage client used to read `gs://` results. */
  storage?: GcsReader | undefined;
}

const JOB_ID_RE = /^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/;
const LABEL_KEY_RE = /^[a-z][a-z0-9_-]{0,62}$/;
const LABEL_VALUE_RE = /^[a-z0-9_-]{0,63}$/;
/** Where the generated Dockerfile puts the compiled workspaces (`/app/workflows/<release>`). */
const IMAGE_WORKFLOWS_DIR = "/app/workflows";

/**
 * The Batch job id for a run id. A run id that is already a valid job id (lowercase letter
 * first, then lowercase letters, digits and `-`, no trailing `-`, at most 63 characters) is
 * used as is; any other is lowercased, stripped of invalid characters, prefixed with `wt-`
 * when it does not start with a letter, shortened, and suffixed with a hash of the original
 * run id, so that distinct run ids give distinct job ids.
 *
 * @param runId Any non-empty run id (a UUID, a user-chosen name…).
 * @returns A job id valid for Cloud Batch.
 *
 * @example
 * ```ts
 * import { jobIdForRun } from "@wt/invokers/cloud-batch";
 *
 * console.assert(jobIdForRun("nightly-ndvi") === "nightly-ndvi");
 * const id = jobIdForRun("0AF76519-16CD-43DD-8448-EB211C80319C");
 * console.assert(/^wt-0af76519-16cd-43dd-8448-eb211c80319c-[0-9a-f]{10}$/.test(id));
 * ```
 */
export function jobIdForRun(runId: string): string {
  if (JOB_ID_RE.test(runId)) return runId;
  const hash = createHash("sha256").update(runId).digest("hex").slice(0, 10);
  let base = runId.toLowerCase().replace(/[^a-z0-9-]+/g, "-");
  if (!/^[a-z]/.test(base)) base = `wt-${base}`;
  base = base.slice(0, 63 - hash.length - 1).replace(/-+$/, "");
  return `${base}-${hash}`;
}

/**
 * A Google Cloud label value made from any text: lowercase, characters outside
 * `[a-z0-9_-]` replaced by `-`, at most 63 characters.
 *
 * @param text Any text (run id, workflow name).
 * @returns A valid label value.
 *
 * @example
 * ```ts
 * import { labelValue } from "@wt/invokers/cloud-batch";
 *
 * console.assert(labelValue("Patrol Report.v2") === "patrol-report-v2");
 * ```
 */
export function labelValue(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9_-]/g, "-").slice(0, 63);
}

/**
 * The parent resource and job id a run is submitted under.
 *
 * @example
 * ```ts
 * import { buildBatchJob, type BatchJobRequest } from "@wt/invokers/cloud-batch";
 *
 * const request: BatchJobRequest = buildBatchJob(
 *   { config_json: '{"total":{"a":1,"b":2}}', execution_mode: "sequential", mock_io: false },
 *   { ...{ results_url: "gs://my-bucket/runs/r1", results_env_var: "WT_RESULTS", run_id: "r1", extra: {} }, run_id: "Run_42" },
 *   { project: "p", region: "europe-west1", image: "img:1", workflow: "wt-add-workflow" },
 * );
 * // Batch job ids are lowercase: the run id is turned into a valid, unique job id.
 * console.assert(/^[a-z][a-z0-9-]*$/.test(request.jobId));
 * ```
 */
export interface BatchJobRequest {
  /** `projects/<project>/locations/<region>`. */
  parent: string;
  /** The job id, from {@linkcode jobIdForRun}. */
  jobId: string;
  /** The job. */
  job: BatchJob;
}

/**
 * Build the Cloud Batch job that runs the workflow CLI for one run, without submitting it
 * (useful to review or log what {@linkcode CloudBatchInvoker.run} would send).
 *
 * @param args The workflow CLI's `run` arguments.
 * @param env Results URL, run id (required here), trace context, log level, extras.
 * @param options Image, resources and placement.
 * @returns Parent, job id and job.
 * @throws {InvokerError} `invalid` for inconsistent options or a missing run id.
 *
 * @example
 * ```ts
 * import { buildBatchJob } from "@wt/invokers/cloud-batch";
 *
 * const { jobId, job } = buildBatchJob(
 *   { config_json: "{}", execution_mode: "sequential", mock_io: false },
 *   { results_url: "gs://b/runs/r1", results_env_var: "WT_RESULTS", run_id: "r1", extra: {} },
 *   { project: "p", region: "us-central1", image: "img:1", workflow: "wt-add-workflow" },
 * );
 * console.assert(jobId === "r1" && job.labels?.["wt-run-id"] === "r1");
 * ```
 */
export function buildBatchJob(
  args: WorkflowCLIArgs,
  env: WorkflowCLIEnv,
  options: CloudBatchInvokerOptions,
): BatchJobRequest {
  if (env.run_id === undefined) {
    throw new InvokerError("invalid", "buildBatchJob needs env.run_id");
  }
  checkOptions(options);
  const gpuCount = options.gpuCount ?? 0;
  const taskSpec: protos.google.cloud.batch.v1.ITaskSpec = {
    runnables: [{
      container: {
        imageUri: options.image,
        entrypoint: options.entrypoint ?? "deno",
        commands: [
          ...(options.commandPrefix ??
            [
              "task",
              "--cwd",
              `${IMAGE_WORKFLOWS_DIR}/${options.workflow}`,
              "workflow",
            ]),
          ...workflowCliArgv(args),
        ],
      },
    }],
    environment: {
      variables: workflowCliEnv(env),
      ...(options.secretVariables
        ? { secretVariables: { ...options.secretVariables } }
        : {}),
    },
    computeResource: {
      cpuMilli: options.cpuMilli ?? 2000,
      memoryMib: options.memoryMib ?? 2048,
      ...(options.bootDiskMib !== undefined
        ? { bootDiskMib: options.bootDiskMib }
        : {}),
    },
    maxRetryCount: options.retryCount ?? 0,
  };
  if (options.maxRunDurationSeconds !== undefined) {
    taskSpec.maxRunDuration = { seconds: options.maxRunDurationSeconds };
  }
  const policy: protos.google.cloud.batch.v1.AllocationPolicy.IInstancePolicy =
    {};
  if (options.machineType !== undefined) {
    policy.machineType = options.machineType;
  }
  if (options.spot) policy.provisioningModel = "SPOT";
  if (gpuCount > 0) {
    policy.accelerators = [{ type: options.gpuType!, count: gpuCount }];
  }
  const allocationPolicy: protos.google.cloud.batch.v1.IAllocationPolicy = {};
  if (Object.keys(policy).length > 0) {
    allocationPolicy.instances = [{
      policy,
      ...(gpuCount > 0 ? { installGpuDrivers: true } : {}),
    }];
  }
  if (
    options.network !== undefined || options.subnetwork !== undefined ||
    options.noExternalIp
  ) {
    allocationPolicy.network = {
      networkInterfaces: [{
        ...(options.network !== undefined ? { network: options.network } : {}),
        ...(options.subnetwork !== undefined
          ? { subnetwork: options.subnetwork }
          : {}),
        noExternalIpAddress: options.noExternalIp ?? false,
      }],
    };
  }
  if (options.serviceAccount !== undefined) {
    allocationPolicy.serviceAccount = { email: options.serviceAccount };
  }
  const job: BatchJob = {
    taskGroups: [{ taskCount: 1, parallelism: 1, taskSpec }],
    logsPolicy: { destination: "CLOUD_LOGGING" },
    labels: {
      ...options.labels,
      "wt-run-id": labelValue(env.run_id),
      "wt-workflow": labelValue(options.workflow),
    },
  };
  if (Object.keys(allocationPolicy).length > 0) {
    job.allocationPolicy = allocationPolicy;
  }
  return {
    parent: `projects/${options.project}/locations/${options.region}`,
    jobId: jobIdForRun(env.run_id),
    job,
  };
}

function checkOptions(o: CloudBatchInvokerOptions): void {
  const problems: string[] = [];
  for (const key of ["project", "region", "image", "workflow"] as const) {
    if (!o[key]) problems.push(`${key} is required`);
  }
  const positive = [
    "cpuMilli",
    "memoryMib",
    "bootDiskMib",
    "maxRunDurationSeconds",
    "pollIntervalMs",
    "waitTimeoutMs",
    "maxPollFailures",
  ] as const;
  for (const key of positive) {
    const value = o[key];
    if (value !== undefined && !(Number.isInteger(value) && value > 0)) {
      problems.push(`${key} must be a positive integer, got ${value}`);
    }
  }
  const gpus = o.gpuCount ?? 0;
  if (!Number.isInteger(gpus) || gpus < 0) {
    problems.push(`gpuCount must be a non-negative integer, got ${gpus}`);
  } else if (gpus > 0 && !o.gpuType) {
    problems.push(
      `gpuCount ${gpus} needs gpuType (e.g. "nvidia-tesla-t4")`,
    );
  }
  const retries = o.retryCount ?? 0;
  if (!Number.isInteger(retries) || retries < 0 || retries > 10) {
    problems.push(`retryCount must be an integer 0–10, got ${retries}`);
  }
  for (const [key, value] of Object.entries(o.labels ?? {})) {
    if (!LABEL_KEY_RE.test(key) || !LABEL_VALUE_RE.test(value)) {
      problems.push(
        `label ${key}=${value} is not a valid Google Cloud label ` +
          `(lowercase letters, digits, _ and -; keys start with a letter; 63 characters max)`,
      );
    }
  }
  if (problems.length > 0) {
    throw new InvokerError(
      "invalid",
      `CloudBatchInvoker options: ${problems.join("; ")}`,
    );
  }
}

/**
 * Map a Batch job state (enum name or number) to a run status.
 *
 * @param state `JobStatus.State` of the job.
 * @returns `queued` (QUEUED, SCHEDULED, unspecified), `running`, `succeeded`, `failed`,
 *   or `cancelled` (DELETION_IN_PROGRESS, CANCELLATION_IN_PROGRESS, CANCELLED).
 *
 * @example
 * ```ts
 * import { runStatusForJobState } from "@wt/invokers/cloud-batch";
 *
 * console.assert(runStatusForJobState("SCHEDULED") === "queued");
 * console.assert(runStatusForJobState(4) === "succeeded");
 * ```
 */
export function runStatusForJobState(
  state: string | number | null | undefined,
): RunStatus {
  const names = [
    "STATE_UNSPECIFIED",
    "QUEUED",
    "SCHEDULED",
    "RUNNING",
    "SUCCEEDED",
    "FAILED",
    "DELETION_IN_PROGRESS",
    "CANCELLATION_IN_PROGRESS",
    "CANCELLED",
  ];
  const name = typeof state === "number" ? names[state] : state;
  switch (name) {
    case "RUNNING":
      return "running";
    case "SUCCEEDED":
      return "succeeded";
    case "FAILED":
      return "failed";
    case "DELETION_IN_PROGRESS":
    case "CANCELLATION_IN_PROGRESS":
    case "CANCELLED":
      return "cancelled";
    default:
      return "queued";
  }
}

interface GrpcLikeError {
  code?: unknown;
  details?: unknown;
  message?: unknown;
}

const GRPC_NOT_FOUND = 5;

function apiError(what: string, cause: unknown): InvokerError {
  const e = (cause ?? {}) as GrpcLikeError;
  const detail = typeof e.details === "string" && e.details
    ? e.details
    : String(e.message ?? cause);
  const code = typeof e.code === "number" ? ` (gRPC status ${e.code})` : "";
  return new InvokerError(
    "api",
    `Cloud Batch ${what} failed: ${detail}${code}`,
    { cause },
  );
}

/**
 * Runs compiled workflows as Google Cloud Batch jobs: one task running the workflow image
 * with the workflow CLI's command line and environment ({@linkcode buildBatchJob}), logs to
 * Cloud Logging, labels `wt-run-id` and `wt-workflow`. `status()` reads the job state,
 * `wait()` polls it and then reads `result.json` from the results URL (usually `gs://`),
 * `cancel()` deletes the job. API failures are `InvokerError` with code `api`.
 *
 * One instance follows one run at a time (a second `run()` while busy throws `busy`).
 *
 * @example
 * ```ts ignore
 * import { CloudBatchInvoker } from "@wt/invokers/cloud-batch";
 *
 * const invoker = new CloudBatchInvoker({
 *   project: "my-project",
 *   region: "us-central1",
 *   image: "us-docker.pkg.dev/my-project/wt/wt-add-workflow:1.0.0",
 *   workflow: "wt-add-workflow",
 *   serviceAccount: "runner@my-project.iam.gserviceaccount.com",
 *   maxRunDurationSeconds: 3600,
 * });
 * const run = await invoker.run(
 *   { config_json: "{}", execution_mode: "sequential", mock_io: false },
 *   { results_url: "gs://my-bucket/runs/r7", results_env_var: "WT_RESULTS", run_id: "r7", extra: {} },
 * );
 * console.log(run.jobName, await run.status()); // ".../jobs/r7" "queued"
 * ```
 */
export class CloudBatchInvoker implements Invoker {
  /** Always `"cloud-batch"`. */
  readonly kind: "cloud-batch" = "cloud-batch";
  readonly #options: CloudBatchInvokerOptions;
  #client: BatchClient | undefined;
  readonly #slot: RunSlot<CloudBatchRunHandle>;

  /**
   * Create an invoker for one workflow image.
   *
   * @param options Project, region, image, resources, placement and polling.
   * @throws {InvokerError} `invalid` for missing or inconsistent options.
   */
  constructor(options: CloudBatchInvokerOptions) {
    checkOptions(options);
    this.#options = { ...options };
    this.#client = options.client;
    this.#slot = new RunSlot("CloudBatchInvoker", options.workflow);
  }

  /** The run in flight or the last run, if any. */
  get current(): CloudBatchRunHandle | undefined {
    return this.#slot.current;
  }

  #getClient(): BatchClient {
    this.#client ??= new BatchServiceClient(
      this.#options.clientOptions as ConstructorParameters<
        typeof BatchServiceClient
      >[0],
    );
    return this.#client;
  }

  /**
   * Submit one run as a Batch job.
   *
   * @param args The workflow CLI's `run` arguments (`config_file` must exist in the image).
   * @param env Results URL, run id (generated when absent), trace context, log level, extras.
   * @returns The handle of the submitted run.
   * @throws {InvokerError} `busy`, `invalid`, or `api` when Batch refuses the job.
   */
  async run(
    args: WorkflowCLIArgs,
    env: WorkflowCLIEnv,
  ): Promise<CloudBatchRunHandle> {
    return await this.#slot.fill(async () => {
      const { args: a, env: e } = validatedRequest(args, env);
      const request = buildBatchJob(a, e, this.#options);
      const client = this.#getClient();
      let created: BatchJob;
      try {
        [created] = await client.createJob({
          ...request,
          requestId: crypto.randomUUID(),
        });
      } catch (cause) {
        throw apiError(
          `CreateJob ${request.parent}/jobs/${request.jobId}`,
          cause,
        );
      }
      const name = created.name ||
        `${request.parent}/jobs/${request.jobId}`;
      return new CloudBatchRunHandle(
        client,
        this.#options,
        a,
        e,
        name,
        runStatusForJobState(created.status?.state),
      );
    });
  }

  /**
   * Follow a run submitted earlier (for example by a runner before it restarted).
   *
   * @param args The run's arguments (for the run record).
   * @param env The run's environment; `run_id` is required.
   * @returns A handle on the existing job.
   * @throws {InvokerError} `not-started` when no job exists for the run id; `busy`; `api`.
   *
   * @example
   * ```ts ignore
   * import { CloudBatchInvoker } from "@wt/invokers/cloud-batch";
   *
   * const invoker = new CloudBatchInvoker({
   *   project: "p", region: "us-central1", image: "img", workflow: "wt-add-workflow",
   * });
   * const run = await invoker.attach(
   *   { config_json: "{}", execution_mode: "sequential", mock_io: false },
   *   { results_url: "gs://b/runs/r7", results_env_var: "WT_RESULTS", run_id: "r7", extra: {} },
   * );
   * console.log(await run.status());
   * ```
   */
  async attach(
    args: WorkflowCLIArgs,
    env: WorkflowCLIEnv,
  ): Promise<CloudBatchRunHandle> {
    return await this.#slot.fill(async () => {
      if (!env.run_id) {
        throw new InvokerError("invalid", "attach needs env.run_id");
      }
      const { args: a, env: e } = validatedRequest(args, env);
      const { parent, jobId } = buildBatchJob(a, e, this.#options);
      const name = `${parent}/jobs/${jobId}`;
      const client = this.#getClient();
      let job: BatchJob;
      try {
        [job] = await client.getJob({ name });
      } catch (cause) {
        if ((cause as GrpcLikeError)?.code === GRPC_NOT_FOUND) {
          throw new InvokerError(
            "not-started",
            `no Cloud Batch job ${name} for run ${e.run_id}: it was never submitted or has been deleted`,
            { cause },
          );
        }
        throw apiError(`GetJob ${name}`, cause);
      }
      return new CloudBatchRunHandle(
        client,
        this.#options,
        a,
        e,
        name,
        runStatusForJobState(job.status?.state),
      );
    });
  }
}

/**
 * A run submitted by {@linkcode CloudBatchInvoker}: the Batch job's full resource name,
 * `status()` from the job state, `wait()` by polling, `cancel()` by deleting the job.
 *
 * @example
 * ```ts ignore
 * const run = await invoker.run(args, env);
 * await run.cancel(); // DeleteJob
 * console.log((await run.wait()).status); // "cancelled"
 * ```
 */
export class CloudBatchRunHandle implements RunHandle {
  /** The run id. */
  readonly id: string;
  /** The job's resource name, `projects/…/locations/…/jobs/<job id>`. */
  readonly jobName: string;
  readonly #client: BatchClient;
  readonly #options: CloudBatchInvokerOptions;
  readonly #args: WorkflowCLIArgs;
  readonly #env: WorkflowCLIEnv;
  readonly #createdAt = new Date().toISOString();
  #startedAt: string | null = null;
  #status: RunStatus;
  #cancelled = false;
  #record: RunRecord | undefined;
  #done: Promise<RunRecord> | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #wake: (() => void) | undefined;
  #lastJob: BatchJob | undefined;
  #detached = false;

  /** @ignore Created by {@linkcode CloudBatchInvoker.run}. */
  constructor(
    client: BatchClient,
    options: CloudBatchInvokerOptions,
    args: WorkflowCLIArgs,
    env: WorkflowCLIEnv,
    jobName: string,
    initial: RunStatus,
  ) {
    this.#client = client;
    this.#options = options;
    this.#args = args;
    this.#env = env;
    this.id = env.run_id!;
    this.jobName = jobName;
    this.#status = initial === "running" ? "running" : "queued";
    if (initial === "running") this.#startedAt = this.#createdAt;
  }

  /** Whether the run has reached a terminal state as far as this handle knows. */
  get done(): boolean {
    return this.#record !== undefined || this.#cancelled ||
      isTerminalStatus(this.#status);
  }

  /**
   * Read the job's state from Batch.
   *
   * @returns The mapped run status (`cancelled` once this handle deleted the job).
   * @throws {InvokerError} `api` when the Batch API call fails.
   */
  async status(): Promise<RunStatus> {
    if (this.#record) return this.#record.status;
    if (this.#cancelled) return "cancelled";
    let job: BatchJob;
    try {
      [job] = await this.#client.getJob({ name: this.jobName });
    } catch (cause) {
      if ((cause as GrpcLikeError)?.code === GRPC_NOT_FOUND) {
        return "cancelled";
      }
      throw apiError(`GetJob ${this.jobName}`, cause);
    }
    this.#lastJob = job;
    const status = runStatusForJobState(job.status?.state);
    if (status === "running" && this.#startedAt === null) {
      this.#startedAt = new Date().toISOString();
    }
    this.#status = status;
    return status;
  }

  /**
   * Poll the job until it ends, then read `result.json` from the results URL.
   *
   * @returns The run record (the same on every call).
   * @throws {InvokerError} `api` when polling fails `maxPollFailures` times in a row.
   */
  wait(): Promise<RunRecord> {
    // A failed wait (API errors) can be retried by calling wait() again.
    this.#done ??= this.#poll().catch((e) => {
      this.#done = undefined;
      throw e;
    });
    return this.#done;
  }

  /**
   * Delete the job (Batch stops its VMs). Idempotent; a no-op once the run has ended.
   *
   * @throws {InvokerError} `api` when DeleteJob fails (other than the job being gone).
   */
  async cancel(): Promise<void> {
    if (this.#record || this.#cancelled) return;
    this.#cancelled = true;
    try {
      await this.#client.deleteJob({
        name: this.jobName,
        reason: `cancelled by wt (run ${this.id})`,
      });
    } catch (cause) {
      if ((cause as GrpcLikeError)?.code !== GRPC_NOT_FOUND) {
        this.#cancelled = false;
        throw apiError(`DeleteJob ${this.jobName}`, cause);
      }
    }
    this.#status = "cancelled";
    this.#wake?.();
  }

  /**
   * Stop following the job without deleting it (a runner shutting down while the job goes
   * on): polling stops, a pending `wait()` rejects with `InvokerError` code `detached`.
   * Follow the job again later with {@linkcode CloudBatchInvoker.attach}.
   *
   * @example
   * ```ts ignore
   * const run = await invoker.run(args, env);
   * run.detach(); // the job keeps running on Cloud Batch
   * ```
   */
  detach(): void {
    this.#detached = true;
    this.#wake?.();
  }

  async #sleep(ms: number): Promise<void> {
    await new Promise<void>((resolve) => {
      this.#wake = () => {
        clearTimeout(this.#timer);
        this.#timer = undefined;
        this.#wake = undefined;
        resolve();
      };
      this.#timer = setTimeout(() => this.#wake?.(), ms);
    });
  }

  async #poll(): Promise<RunRecord> {
    const interval = this.#options.pollIntervalMs ?? 10_000;
    const deadline = this.#options.waitTimeoutMs !== undefined
      ? Date.now() + this.#options.waitTimeoutMs
      : Infinity;
    let status: RunStatus = this.#status;
    let reason: string | null = null;
    const maxFailures = this.#options.maxPollFailures ?? 3;
    let failures = 0;
    while (true) {
      if (this.#detached) {
        throw new InvokerError(
          "detached",
          `stopped following Batch job ${this.jobName} (run ${this.id}); it goes on without this handle`,
        );
      }
      if (this.#cancelled) {
        status = "cancelled";
        reason ??= "cancelled";
        break;
      }
      try {
        status = await this.status();
        failures = 0;
      } catch (e) {
        // The client already retries transient errors; tolerate a few more polls.
        if (++failures >= maxFailures) throw e;
        await this.#sleep(interval);
        continue;
      }
      if (this.#cancelled || this.#detached) continue;
      if (status === "succeeded" || status === "failed") break;
      if (status === "cancelled") {
        reason = "deleted";
        break;
      }
      if (Date.now() >= deadline) {
        await this.cancel();
        reason = "timeout";
        continue;
      }
      await this.#sleep(Math.min(interval, Math.max(0, deadline - Date.now())));
    }
    return this.#finish(status, reason);
  }

  async #finish(
    batchStatus: RunStatus,
    reason: string | null,
  ): Promise<RunRecord> {
    let status = batchStatus;
    let result: unknown = null;
    let error: string | null = null;
    let trace: string | null = null;
    const exitCode = lastExitCode(this.#lastJob);
    if (reason === "timeout") {
      status = "failed";
      error =
        `run did not finish within ${this.#options.waitTimeoutMs} ms; job ${this.jobName} was deleted`;
    } else if (status === "cancelled") {
      error = reason === "cancelled"
        ? "run cancelled"
        : `job ${this.jobName} was deleted outside this invoker`;
    } else {
      try {
        const response = await readResult(this.#env.results_url, {
          storage: this.#options.storage,
        });
        result = response.result;
        error = response.error;
        trace = response.trace;
        if (status === "succeeded" && response.error !== null) {
          status = "failed";
        }
        if (status === "failed" && error === null) {
          error = `Batch job ${this.jobName} failed: ${
            lastEvent(this.#lastJob)
          }`;
        }
      } catch (e) {
        status = "failed";
        error =
          `${
            (e as Error).message
          }; Batch job ${this.jobName} ended ${batchStatus}` +
          `: ${lastEvent(this.#lastJob)} (task logs are in Cloud Logging)`;
      }
    }
    const record: RunRecord = {
      id: this.id,
      workflow: this.#options.workflow,
      status,
      invoker: "cloud-batch",
      execution_mode: this.#args.execution_mode,
      mock_io: this.#args.mock_io,
      created_at: this.#createdAt,
      started_at: this.#startedAt,
      finished_at: new Date().toISOString(),
      exit_code: exitCode,
      result,
      error,
      trace,
      reason,
      results_url: this.#env.results_url,
    };
    if (this.#args.config_json !== undefined) {
      try {
        record.params = JSON.parse(this.#args.config_json);
      } catch {
        // Not JSON: the workflow reports it.
      }
    }
    this.#status = status;
    this.#record = record;
    return record;
  }
}

function lastExitCode(job: BatchJob | undefined): number | null {
  const events = job?.status?.statusEvents ?? [];
  for (let i = events.length - 1; i >= 0; i--) {
    const code = events[i]?.taskExecution?.exitCode;
    if (code !== undefined && code !== null) return Number(code);
  }
  return null;
}

function lastEvent(job: BatchJob | undefined): string {
  const events = job?.status?.statusEvents ?? [];
  const last = events[events.length - 1];
  return last?.description ?? "no status event";
}
