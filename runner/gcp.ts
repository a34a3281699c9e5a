/**
 * `@wt/runner/gcp`: launch runner runs as Google Cloud Batch jobs. Importing this subpath
 * loads `@google-cloud/batch` (through `@wt/invokers/cloud-batch`); `@wt/runner` itself never
 * does, so a runner that only runs workflows locally carries no Google Cloud dependency.
 *
 * {@linkcode cloudBatchInvokerFactory} makes a `CloudBatchInvoker` per run: the workflow's
 * container image (`<image prefix>/<release name>:<VERSION>` by default), a results folder
 * per run under a `gs://` base (`<base>/<run id>`), machine, CPU, memory, GPU, network and
 * service account passed through to the job. Combine it with the local factory
 * ({@linkcode combineInvokerFactories}) so that `POST /runs {"invoker": "cloud-batch"}`
 * selects it. Its runs survive a runner restart: they are left running at shutdown and
 * re-attached at the next start.
 *
 * @example Local and Cloud Batch runs from one runner
 * ```ts ignore
 * import {
 *   combineInvokerFactories,
 *   createApp,
 *   localInvokerFactory,
 *   RunStore,
 *   WorkflowRegistry,
 * } from "@wt/runner";
 * import { cloudBatchInvokerFactory } from "@wt/runner/gcp";
 *
 * const cloudBatch = cloudBatchInvokerFactory({
 *   project: "my-project",
 *   region: "europe-west1",
 *   imagePrefix: "europe-docker.pkg.dev/my-project/wt",
 *   results: "gs://my-bucket/runs",
 *   serviceAccount: "wt-runs@my-project.iam.gserviceaccount.com",
 * });
 * const runner = createApp({
 *   store: new RunStore("./data/runs.db"),
 *   workflows: await WorkflowRegistry.fromDirectory("./workflows"),
 *   invokerFactory: combineInvokerFactories(localInvokerFactory(), cloudBatch),
 *   dataDir: "./data",
 * });
 * Deno.serve(runner.app.fetch);
 * ```
 *
 * @module
 */
import { BatchServiceClient } from "@google-cloud/batch";
import type { WorkflowCLIArgs, WorkflowCLIEnv } from "@wt/contracts";
import { resultLocation } from "@wt/invokers";
import {
  type BatchClient,
  CloudBatchInvoker,
  type CloudBatchInvokerOptions,
  type CloudBatchRunHandle,
} from "@wt/invokers/cloud-batch";
import type {
  AttachableInvoker,
  InvokerContext,
  InvokerFactory,
} from "./run_manager.ts";
import type { WorkflowEntry } from "./workflows.ts";

export type {
  BatchClient,
  BatchClientOptions,
  CloudBatchInvokerOptions,
  CloudBatchRunHandle,
} from "@wt/invokers/cloud-batch";
export type { GcsReader } from "@wt/invokers";

/**
 * Options of {@linkcode cloudBatchInvokerFactory}: where jobs run, which image each workflow
 * runs in, where results go, and the job options of `CloudBatchInvoker` (machine type,
 * `cpuMilli`, `memoryMib`, `gpuCount`/`gpuType`, `network`/`subnetwork`/`noExternalIp`,
 * `serviceAccount`, `maxRunDurationSeconds`, `retryCount`, `labels`, polling, `client` or
 * `clientOptions`, `storage`), passed through to every job.
 *
 * @example
 * ```ts
 * import type { CloudBatchInvokerFactoryOptions } from "@wt/runner/gcp";
 *
 * const options: CloudBatchInvokerFactoryOptions = {
 *   project: "my-project",
 *   region: "us-central1",
 *   imagePrefix: "us-docker.pkg.dev/my-project/wt",
 *   results: "gs://my-bucket/wt-runs",
 *   machineType: "n1-standard-4",
 *   gpuCount: 1,
 *   gpuType: "nvidia-tesla-t4",
 * };
 * console.assert(options.results.startsWith("gs://"));
 * ```
 */
export interface CloudBatchInvokerFactoryOptions
  extends Omit<CloudBatchInvokerOptions, "image" | "workflow"> {
  /**
   * Registry path the workflow images live under: a workflow runs in
   * `<imagePrefix>/<release name>:<VERSION>` (what `wt-compiler`'s Dockerfile builds and
   * tags). Give this or `image`.
   */
  imagePrefix?: string | undefined;
  /**
   * The image of every workflow (one image holding all of them), or a function choosing a
   * workflow's image. Takes precedence over `imagePrefix`.
   */
  image?: string | ((workflow: WorkflowEntry) => string) | undefined;
  /**
   * Base URL of the results folders: run `<id>` writes `<results>/<id>/result.json`.
   * `gs://bucket/prefix` in production; `file://` for tests on one machine.
   */
  results: string;
}

/**
 * The factory made by {@linkcode cloudBatchInvokerFactory}: an {@linkcode InvokerFactory} of
 * kind `cloud-batch` that also owns the Batch client it shares between runs.
 *
 * @example
 * ```ts
 * import { cloudBatchInvokerFactory, type CloudBatchInvokerFactory } from "@wt/runner/gcp";
 *
 * const factory: CloudBatchInvokerFactory = cloudBatchInvokerFactory({
 *   project: "p", region: "europe-west1", image: "img:1", results: "gs://b/runs",
 * });
 * console.assert(factory.resultsUrl("cloud-batch", "r1") === "gs://b/runs/r1");
 * await factory.close();
 * ```
 */
export interface CloudBatchInvokerFactory extends InvokerFactory {
  /** Always `["cloud-batch"]`. */
  readonly kinds: readonly ["cloud-batch"];
  /** Always `["cloud-batch"]`: Batch jobs go on while the runner restarts. */
  readonly detachedKinds: readonly ["cloud-batch"];
  /**
   * The results URL of a run: `<results>/<run id>`.
   *
   * @param kind `cloud-batch`.
   * @param runId The run id.
   * @returns The run's results folder URL.
   */
  resultsUrl(kind: string, runId: string): string;
  /**
   * The image a workflow runs in.
   *
   * @param workflow The workflow.
   * @returns The container image URI.
   * @throws {Error} When the image cannot be derived (no `VERSION`).
   */
  imageFor(workflow: WorkflowEntry): string;
  /**
   * Close the Batch client this factory created (not one passed as `client`).
   *
   * @returns When closed.
   */
  close(): Promise<void>;
}

/**
 * Thrown for inconsistent {@linkcode CloudBatchInvokerFactoryOptions}.
 *
 * @example
 * ```ts
 * import { cloudBatchInvokerFactory, CloudBatchConfigError } from "@wt/runner/gcp";
 *
 * try {
 *   cloudBatchInvokerFactory({ project: "p", region: "r", results: "gs://b" });
 * } catch (e) {
 *   console.assert(e instanceof CloudBatchConfigError);
 * }
 * ```
 */
export class CloudBatchConfigError extends Error {
  /**
   * Create the error.
   *
   * @param message What is wrong and how to fix it.
   */
  constructor(message: string) {
    super(message);
    this.name = "CloudBatchConfigError";
  }
}

/** Appends what happened to the run's log (the task output itself is in Cloud Logging). */
class LoggingCloudBatchInvoker implements AttachableInvoker {
  readonly kind: "cloud-batch" = "cloud-batch";
  readonly #inner: CloudBatchInvoker;
  readonly #logPath: string;
  readonly #image: string;

  constructor(inner: CloudBatchInvoker, logPath: string, image: string) {
    this.#inner = inner;
    this.#logPath = logPath;
    this.#image = image;
  }

  async run(
    args: WorkflowCLIArgs,
    env: WorkflowCLIEnv,
  ): Promise<CloudBatchRunHandle> {
    const handle = await this.#inner.run(args, env);
    await this.#log(
      `submitted Cloud Batch job ${handle.jobName} (image ${this.#image}); ` +
        `the task's output goes to Cloud Logging`,
    );
    return handle;
  }

  async attach(
    args: WorkflowCLIArgs,
    env: WorkflowCLIEnv,
  ): Promise<CloudBatchRunHandle> {
    const handle = await this.#inner.attach(args, env);
    await this.#log(
      `re-attached to Cloud Batch job ${handle.jobName} after a runner restart`,
    );
    return handle;
  }

  async #log(line: string): Promise<void> {
    await Deno.writeTextFile(
      this.#logPath,
      `[wt-runner ${new Date().toISOString()}] ${line}\n`,
      { append: true },
    ).catch(() => {});
  }
}

function checkResultsBase(results: string): string {
  const base = results.replace(/\/+$/, "");
  if (!/^(gs|file):\/\//.test(base)) {
    throw new CloudBatchConfigError(
      `Cloud Batch results '${results}' must be a gs://bucket/prefix URL (or file:// for tests): ` +
        `jobs write result.json there and the runner reads it back`,
    );
  }
  try {
    resultLocation(`${base}/run`);
  } catch (e) {
    throw new CloudBatchConfigError(
      `Cloud Batch results '${results}' is not a usable results URL: ${
        (e as Error).message
      }`,
    );
  }
  return base;
}

/**
 * Make Cloud Batch invokers, one per run, sharing one Batch client.
 *
 * @param options Project, region, image(s), results base, job options, client.
 * @returns A factory of kind `cloud-batch`; close it when the runner stops.
 * @throws {CloudBatchConfigError} Missing project, region, image or results base, or a
 *   results base that is neither `gs://` nor `file://`.
 *
 * @example
 * ```ts
 * import { cloudBatchInvokerFactory } from "@wt/runner/gcp";
 *
 * const factory = cloudBatchInvokerFactory({
 *   project: "my-project",
 *   region: "europe-west1",
 *   imagePrefix: "europe-docker.pkg.dev/my-project/wt",
 *   results: "gs://my-bucket/runs/",
 * });
 * const image = factory.imageFor({
 *   name: "wt-add-workflow", dir: "/srv/wt-add-workflow", version: "1.2.0", params: {}, rjsf: {},
 * });
 * console.assert(image === "europe-docker.pkg.dev/my-project/wt/wt-add-workflow:1.2.0");
 * console.assert(factory.resultsUrl("cloud-batch", "r7") === "gs://my-bucket/runs/r7");
 * await factory.close();
 * ```
 */
export function cloudBatchInvokerFactory(
  options: CloudBatchInvokerFactoryOptions,
): CloudBatchInvokerFactory {
  const { imagePrefix, image, results, ...jobOptions } = options;
  const problems: string[] = [];
  if (!options.project) problems.push("project is required");
  if (!options.region) problems.push("region is required");
  if (!image && !imagePrefix) {
    problems.push(
      "give imagePrefix (images <prefix>/<release>:<VERSION>) or image",
    );
  }
  if (!results) problems.push("results (gs://bucket/prefix) is required");
  if (problems.length) {
    throw new CloudBatchConfigError(
      `Cloud Batch invoker factory: ${problems.join("; ")}`,
    );
  }
  const base = checkResultsBase(results);
  const prefix = imagePrefix?.replace(/\/+$/, "");
  let client: BatchClient | undefined = options.client;
  let owned: BatchServiceClient | undefined;
  const getClient = (): BatchClient => {
    if (client) return client;
    owned = new BatchServiceClient(
      options.clientOptions as ConstructorParameters<
        typeof BatchServiceClient
      >[0],
    );
    client = owned;
    return client;
  };
  const imageFor = (workflow: WorkflowEntry): string => {
    if (typeof image === "function") return image(workflow);
    if (image) return image;
    if (!workflow.version) {
      throw new Error(
        `workflow ${workflow.name} has no VERSION file, so its image ${prefix}/${workflow.name}:<version> is unknown; ` +
          `recompile it with wt-compiler or configure one image for all workflows`,
      );
    }
    return `${prefix}/${workflow.name}:${workflow.version}`;
  };
  return {
    kinds: ["cloud-batch"],
    detachedKinds: ["cloud-batch"],
    resultsUrl: (_kind, runId) => `${base}/${runId}`,
    imageFor,
    create: (ctx: InvokerContext) => {
      if (ctx.kind !== "cloud-batch") {
        throw new Error(
          `the Cloud Batch factory cannot make '${ctx.kind}' invokers`,
        );
      }
      const img = imageFor(ctx.workflow);
      const inner = new CloudBatchInvoker({
        ...jobOptions,
        image: img,
        workflow: ctx.workflow.name,
        client: getClient(),
      });
      return new LoggingCloudBatchInvoker(inner, ctx.log_path, img);
    },
    close: async () => {
      const c = owned;
      owned = undefined;
      if (c) {
        client = options.client;
        await c.close();
      }
    },
  };
}
