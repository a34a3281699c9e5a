/**
 * A fake of the Google Cloud Batch gRPC service for tests: the service definition shipped
 * in `@google-cloud/batch` served by `@grpc/grpc-js` on loopback. It records every request
 * and answers from scripted job states; errors can be injected per method.
 *
 * @module
 */
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { BatchServiceClient } from "@google-cloud/batch";

/** A request as received by the fake (enums as names, 64-bit integers as strings). */
// deno-lint-ignore no-explicit-any
export type Received = any;

/** An error the fake returns for the next call of a method. */
export interface InjectedError {
  code: grpc.status;
  details: string;
  /** How many successive calls fail (default 1). */
  times?: number;
}

/** Scripted behaviour of a job. */
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

/** The fake Batch server and a real client connected to it. */
export class FakeBatch {
  readonly server: grpc.Server = new grpc.Server();
  port = 0;
  readonly calls: {
    method: string;
    request: Received;
    metadata: Record<string, unknown>;
  }[] = [];
  readonly jobs = new Map<string, Received>();
  readonly scripts = new Map<string, JobScript>();
  readonly errors = new Map<string, InjectedError>();
  defaultScript: JobScript = { states: ["QUEUED", "RUNNING", "SUCCEEDED"] };
  #clients: BatchServiceClient[] = [];

  /** Start the server on 127.0.0.1 with an ephemeral port. */
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
    this.server.addService(service, {
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
      this.server.bindAsync(
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

  /** A real `BatchServiceClient` talking to this fake, without credentials. */
  client(): BatchServiceClient {
    const client = new BatchServiceClient({
      apiEndpoint: "127.0.0.1",
      port: this.port,
      sslCreds: grpc.credentials.createInsecure(),
      // An auth client that adds no headers (otherwise it probes the metadata server).
      authClient: {
        getRequestHeaders: () => Promise.resolve(new Headers()),
        getClient: () => Promise.resolve(null),
      } as unknown as never,
    });
    this.#clients.push(client);
    return client;
  }

  /** Calls of one method. */
  callsOf(method: string): Received[] {
    return this.calls.filter((c) => c.method === method).map((c) => c.request);
  }

  /** Close the clients and stop the server. */
  async close(): Promise<void> {
    for (const c of this.#clients) await c.close();
    await new Promise<void>((resolve) =>
      this.server.tryShutdown(() => resolve())
    );
    this.server.forceShutdown();
  }
}
