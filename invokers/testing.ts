/**
 * `@wt/invokers/testing`: a fake of the Google Cloud Batch gRPC service for tests of code
 * that drives {@linkcode CloudBatchInvoker} (this package's tests, the runner's
 * `@wt/runner/gcp` tests). It serves the service definition shipped in
 * `@google-cloud/batch` with `@grpc/grpc-js` on loopback, records every request, answers
 * from scripted job states and can fail the next calls of a method. Loads
 * `@google-cloud/batch`, `@grpc/grpc-js` and `@grpc/proto-loader`; not for production.
 *
 * @example Point a real client at the fake
 * ```ts
 * import { FakeBatch } from "@wt/invokers/testing";
 *
 * const fake = new FakeBatch();
 * await fake.start();
 * const client = fake.client();
 * const [job] = await client.createJob({
 *   parent: "projects/p/locations/europe-west1",
 *   jobId: "r1",
 *   job: { labels: { "wt-run-id": "r1" } },
 * });
 * console.assert(job.name === "projects/p/locations/europe-west1/jobs/r1");
 * console.assert(fake.callsOf("createJob").length === 1);
 * await fake.close();
 * ```
 *
 * @module
 */
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { BatchServiceClient } from "@google-cloud/batch";
import type { BatchClient } from "./cloud_batch.ts";

/**
 * A request as received by the fake (enums as names, 64-bit integers as strings).
 *
 * @example
 * ```ts
 * import type { Received } from "@wt/invokers/testing";
 *
 * const request: Received = { parent: "projects/p/locations/r", jobId: "r1" };
 * console.assert(request.jobId === "r1");
 * ```
 */
// deno-lint-ignore no-explicit-any
export type Received = any;

/**
 * An error the fake returns for the next call(s) of a method.
 *
 * @example
 * ```ts
 * import type { InjectedError } from "@wt/invokers/testing";
 *
 * const unavailable: InjectedError = { code: 14, details: "try again", times: 2 };
 * console.assert(unavailable.times === 2);
 * ```
 */
export interface InjectedError {
  /** gRPC status code (a `grpc.status` of `@grpc/grpc-js`, e.g. 14 for UNAVAILABLE). */
  code: number;
  /** Error details. */
  details: string;
  /** How many successive calls fail (default 1). */
  times?: number;
}

/**
 * Scripted behaviour of a job.
 *
 * @example
 * ```ts
 * import type { JobScript } from "@wt/invokers/testing";
 *
 * const failing: JobScript = {
 *   states: ["RUNNING", "FAILED"],
 *   statusEvents: [{ description: "Task failed", taskExecution: { exitCode: 3 } }],
 * };
 * console.assert(failing.states.length === 2);
 * ```
 */
export interface JobScript {
  /** States returned by successive GetJob calls (the last one repeats). */
  states: string[];
  /** Status events returned with the job. */
  statusEvents?: Received[];
}

function packageRoot(start: string): string {
  let dir = start;
  while (true) {
    try {
      Deno.statSync(join(dir, "package.json"));
      return dir;
    } catch {
      const up = dirname(dir);
      if (up === dir) throw new Error(`no package.json above ${start}`);
      dir = up;
    }
  }
}

/**
 * The fake Batch server, and real `BatchServiceClient`s connected to it.
 *
 * @example Script a job's states
 * ```ts
 * import { FakeBatch } from "@wt/invokers/testing";
 *
 * const fake = new FakeBatch();
 * await fake.start();
 * const client = fake.client();
 * const name = "projects/p/locations/r/jobs/r1";
 * fake.scripts.set(name, { states: ["RUNNING", "SUCCEEDED"] });
 * await client.createJob({ parent: "projects/p/locations/r", jobId: "r1", job: {} });
 * const [first] = await client.getJob({ name });
 * const [second] = await client.getJob({ name });
 * console.assert(first.status?.state === "RUNNING" && second.status?.state === "SUCCEEDED");
 * await fake.close();
 * ```
 */
export class FakeBatch {
  readonly #server: grpc.Server = new grpc.Server();
  /** Its port on 127.0.0.1 once started. */
  port = 0;
  /** Every request received, in order, with its metadata. */
  readonly calls: {
    method: string;
    request: Received;
    metadata: Record<string, unknown>;
  }[] = [];
  /** Jobs created and not deleted, by resource name. */
  readonly jobs: Map<string, Received> = new Map<string, Received>();
  /** Scripted states by job resource name. */
  readonly scripts: Map<string, JobScript> = new Map<string, JobScript>();
  /** Errors to return, by method (`createJob`, `getJob`, `deleteJob`). */
  readonly errors: Map<string, InjectedError> = new Map<
    string,
    InjectedError
  >();
  /** The script of jobs without one. */
  defaultScript: JobScript = { states: ["QUEUED", "RUNNING", "SUCCEEDED"] };
  #clients: BatchServiceClient[] = [];

  /**
   * Start the server on 127.0.0.1 with an ephemeral port.
   *
   * @returns When it listens.
   */
  async start(): Promise<void> {
    const require = createRequire(import.meta.url);
    const batchDir = packageRoot(
      dirname(require.resolve("@google-cloud/batch")),
    );
    const gaxDir = packageRoot(
      dirname(
        createRequire(join(batchDir, "package.json")).resolve("google-gax"),
      ),
    );
    const definition = protoLoader.loadSync(
      "google/cloud/batch/v1/batch.proto",
      {
        includeDirs: [
          join(batchDir, "build/protos"),
          join(gaxDir, "build/protos"),
        ],
        longs: String,
        enums: String,
        defaults: false,
        oneofs: true,
      },
    );
    // deno-lint-ignore no-explicit-any
    const loaded = grpc.loadPackageDefinition(definition) as any;
    const service = loaded.google.cloud.batch.v1.BatchService.service;
    this.#server.addService(service, {
      createJob: this.#handler("createJob", (req) => {
        const name = `${req.parent}/jobs/${req.jobId}`;
        if (this.jobs.has(name)) {
          throw {
            code: grpc.status.ALREADY_EXISTS,
            details: `job ${name} already exists`,
          };
        }
        const job = {
          ...req.job,
          name,
          uid: crypto.randomUUID(),
          status: { state: "QUEUED" },
        };
        this.jobs.set(name, job);
        return job;
      }),
      getJob: this.#handler("getJob", (req) => {
        const job = this.jobs.get(req.name);
        if (!job) {
          throw {
            code: grpc.status.NOT_FOUND,
            details: `job ${req.name} not found`,
          };
        }
        const script = this.scripts.get(req.name) ?? this.defaultScript;
        const state = script.states.length > 1
          ? script.states.shift()!
          : script.states[0];
        job.status = { state, statusEvents: script.statusEvents ?? [] };
        return job;
      }),
      deleteJob: this.#handler("deleteJob", (req) => {
        if (!this.jobs.delete(req.name)) {
          throw {
            code: grpc.status.NOT_FOUND,
            details: `job ${req.name} not found`,
          };
        }
        return { name: `operations/delete-${crypto.randomUUID()}`, done: true };
      }),
    });
    this.port = await new Promise<number>((resolve, reject) =>
      this.#server.bindAsync(
        "127.0.0.1:0",
        grpc.ServerCredentials.createInsecure(),
        (err, port) => err ? reject(err) : resolve(port),
      )
    );
  }

  #handler(method: string, answer: (request: Received) => Received) {
    return (
      call: grpc.ServerUnaryCall<Received, Received>,
      callback: grpc.sendUnaryData<Received>,
    ) => {
      this.calls.push({
        method,
        request: call.request,
        metadata: call.metadata.getMap(),
      });
      const injected = this.errors.get(method);
      if (injected) {
        const left = (injected.times ?? 1) - 1;
        if (left > 0) this.errors.set(method, { ...injected, times: left });
        else this.errors.delete(method);
        callback({ code: injected.code, details: injected.details });
        return;
      }
      try {
        callback(null, answer(call.request));
      } catch (e) {
        callback(e as grpc.ServiceError);
      }
    };
  }

  /**
   * Options that make a `BatchServiceClient` talk to this fake, without credentials.
   *
   * @returns Client options (endpoint, port, insecure channel, header-less auth client).
   */
  clientOptions(): Record<string, unknown> {
    return {
      apiEndpoint: "127.0.0.1",
      port: this.port,
      sslCreds: grpc.credentials.createInsecure(),
      // An auth client that adds no headers (otherwise it probes the metadata server).
      authClient: {
        getRequestHeaders: () => Promise.resolve(new Headers()),
        getClient: () => Promise.resolve(null),
      },
    };
  }

  /**
   * A real `BatchServiceClient` talking to this fake, closed by {@linkcode FakeBatch.close}.
   *
   * @returns The client.
   */
  client(): BatchClient {
    const client = new BatchServiceClient(
      this.clientOptions() as ConstructorParameters<
        typeof BatchServiceClient
      >[0],
    );
    this.#clients.push(client);
    return client;
  }

  /**
   * Requests of one method.
   *
   * @param method `createJob`, `getJob` or `deleteJob`.
   * @returns The requests, in order.
   */
  callsOf(method: string): Received[] {
    return this.calls.filter((c) => c.method === method).map((c) => c.request);
  }

  /**
   * Close the clients made by {@linkcode FakeBatch.client} and stop the server.
   *
   * @returns When stopped.
   */
  async close(): Promise<void> {
    for (const c of this.#clients) await c.close();
    await new Promise<void>((resolve) =>
      this.#server.tryShutdown(() => resolve())
    );
    this.#server.forceShutdown();
  }
}
