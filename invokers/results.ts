/**
 * Read a run's `result.json` from its results URL (`file://` or `gs://`).
 *
 * @module
 */
import * as v from "valibot";
import { fileURLToPath } from "node:url";
import { ResponseModel } from "@wt/contracts";
import { InvokerError } from "./errors.ts";

/**
 * Name of the file a workflow run writes inside its results folder.
 *
 * @example
 * ```ts
 * import { RESULT_FILE_NAME, resultLocation } from "@wt/invokers";
 *
 * const loc = resultLocation("file:///tmp/runs/r1");
 * console.assert(loc.kind === "file" && loc.path.endsWith(`/r1/${RESULT_FILE_NAME}`));
 * ```
 */
export const RESULT_FILE_NAME = "result.json";

/**
 * The part of a `@google-cloud/storage` `Storage` client that {@linkcode readResult} uses.
 * Pass one to reuse a configured client (credentials, endpoint) or a test double.
 *
 * @example
 * ```ts
 * import { type GcsReader, readResult } from "@wt/invokers";
 *
 * // A stand-in for a @google-cloud/storage client holding one result.json.
 * const storage: GcsReader = {
 *   bucket: (name) => ({
 *     file: (path) => ({
 *       download: () =>
 *         name === "my-bucket" && path === "runs/r1/result.json"
 *           ? Promise.resolve([new TextEncoder().encode('{"result":3,"error":null,"trace":null}')])
 *           : Promise.reject(Object.assign(new Error("No such object"), { code: 404 })),
 *     }),
 *   }),
 * };
 * const res = await readResult("gs://my-bucket/runs/r1", { storage });
 * console.assert(res.result === 3);
 * ```
 */
export interface GcsReader {
  /** Select a bucket. */
  bucket(name: string): {
    /** Select an object. */
    file(path: string): {
      /** Download the object's bytes. */
      download(): Promise<[Uint8Array]>;
    };
  };
}

/**
 * Options of {@linkcode readResult}.
 *
 * @example
 * ```ts
 * import { InvokerError, readResult, type ReadResultOptions } from "@wt/invokers";
 *
 * const options: ReadResultOptions = {
 *   storage: {
 *     bucket: () => ({
 *       file: () => ({
 *         download: () => Promise.reject(Object.assign(new Error("No such object"), { code: 404 })),
 *       }),
 *     }),
 *   },
 * };
 * let code = "";
 * try {
 *   await readResult("gs://my-bucket/runs/missing", options);
 * } catch (err) {
 *   if (err instanceof InvokerError) code = err.code;
 * }
 * console.assert(code === "result");
 * ```
 */
export interface ReadResultOptions {
  /** Storage client for `gs://` URLs; a default `new Storage()` is created when absent. */
  storage?: GcsReader | undefined;
}

/**
 * Where a results URL's `result.json` lives.
 *
 * @example
 * ```ts
 * import { resultLocation, type ResultLocation } from "@wt/invokers";
 *
 * function describe(loc: ResultLocation): string {
 *   return loc.kind === "file" ? loc.path : `gs://${loc.bucket}/${loc.object}`;
 * }
 * console.assert(describe(resultLocation("gs://b/runs/r1/")) === "gs://b/runs/r1/result.json");
 * ```
 */
export type ResultLocation =
  | { kind: "file"; path: string }
  | { kind: "gcs"; bucket: string; object: string };

/**
 * Locate the `result.json` of a results URL (a folder URL).
 *
 * @param resultsUrl `file:///abs/folder` or `gs://bucket/prefix`; a trailing slash is allowed.
 * @returns The local path, or the bucket and object name.
 * @throws {InvokerError} `invalid` for other schemes or malformed URLs.
 *
 * @example
 * ```ts
 * import { resultLocation } from "@wt/invokers";
 *
 * const gcs = resultLocation("gs://bucket/runs/r1/");
 * console.assert(gcs.kind === "gcs" && gcs.object === "runs/r1/result.json");
 * const file = resultLocation("file:///tmp/r1");
 * console.assert(file.kind === "file" && file.path === "/tmp/r1/result.json");
 * ```
 */
export function resultLocation(resultsUrl: string): ResultLocation {
  let url: URL;
  try {
    url = new URL(resultsUrl);
  } catch (cause) {
    throw new InvokerError(
      "invalid",
      `results URL ${
        JSON.stringify(resultsUrl)
      } is not a URL: give file:///absolute/folder or gs://bucket/prefix`,
      { cause },
    );
  }
  if (url.protocol === "file:") {
    const dir = fileURLToPath(url).replace(/\/+$/, "");
    return { kind: "file", path: `${dir}/${RESULT_FILE_NAME}` };
  }
  if (url.protocol === "gs:") {
    if (!url.hostname) {
      throw new InvokerError(
        "invalid",
        `results URL ${resultsUrl} has no bucket: give gs://bucket/prefix`,
      );
    }
    const prefix = decodeURIComponent(url.pathname).replace(/^\/+|\/+$/g, "");
    return {
      kind: "gcs",
      bucket: url.hostname,
      object: prefix ? `${prefix}/${RESULT_FILE_NAME}` : RESULT_FILE_NAME,
    };
  }
  throw new InvokerError(
    "invalid",
    `results URL ${resultsUrl} has unsupported scheme ${url.protocol}: use file:// or gs://`,
  );
}

/**
 * Read and validate the `result.json` that a workflow run wrote under its results URL.
 * `gs://` URLs load `npm:@google-cloud/storage` on first use only.
 *
 * @param resultsUrl The run's results folder URL (`file://` or `gs://`).
 * @param options A storage client for `gs://` URLs.
 * @returns The parsed {@linkcode ResponseModel}.
 * @throws {InvokerError} `result` when the file is missing, unreadable or malformed;
 *   `invalid` for an unsupported URL.
 *
 * @example Read a local result
 * ```ts
 * import { readResult } from "@wt/invokers";
 *
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/result.json`, '{"result":3,"error":null,"trace":null}');
 * const res = await readResult(`file://${dir}`);
 * console.assert(res.result === 3 && res.error === null);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function readResult(
  resultsUrl: string,
  options: ReadResultOptions = {},
): Promise<ResponseModel> {
  const loc = resultLocation(resultsUrl);
  let text: string;
  const where = loc.kind === "file"
    ? loc.path
    : `gs://${loc.bucket}/${loc.object}`;
  try {
    if (loc.kind === "file") {
      text = await Deno.readTextFile(loc.path);
    } else {
      const storage = options.storage ?? await defaultStorage();
      const [bytes] = await storage.bucket(loc.bucket).file(loc.object)
        .download();
      text = new TextDecoder().decode(bytes);
    }
  } catch (cause) {
    const missing = cause instanceof Deno.errors.NotFound ||
      (cause as { code?: unknown })?.code === 404;
    throw new InvokerError(
      "result",
      missing
        ? `no ${RESULT_FILE_NAME} at ${where}: the workflow did not write one (see the run's log)`
        : `cannot read ${where}: ${(cause as Error)?.message ?? cause}`,
      { cause },
    );
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (cause) {
    throw new InvokerError(
      "result",
      `${where} is not valid JSON: ${(cause as Error).message}`,
      { cause },
    );
  }
  const parsed = v.safeParse(ResponseModel, data);
  if (!parsed.success) {
    const issues = parsed.issues.map((i) =>
      `${v.getDotPath(i) ?? "(root)"}: ${i.message}`
    ).join("; ");
    throw new InvokerError(
      "result",
      `${where} is not a result ({result, error, trace}): ${issues}`,
    );
  }
  return parsed.output;
}

let storageClient: Promise<GcsReader> | undefined;

/** One `Storage` client per process, created on first use (Application Default Credentials). */
function defaultStorage(): Promise<GcsReader> {
  storageClient ??= import("@google-cloud/storage").then(({ Storage }) =>
    new Storage() as unknown as GcsReader
  );
  return storageClient;
}
