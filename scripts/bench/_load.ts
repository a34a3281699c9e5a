/**
 * A loopback HTTP load generator: `concurrency` workers send requests back to back until
 * `maxRequests` were sent or `maxMs` passed, whichever comes first.
 *
 * @module
 */
import { percentile } from "./_process.ts";

/** Options of {@linkcode load}. */
export interface LoadOptions {
  /** Requests in flight at once. */
  concurrency: number;
  /** Stop after this many requests. */
  maxRequests: number;
  /** Stop starting requests after this many milliseconds. */
  maxMs: number;
  /** Build and send request `i`; resolve to the response (its body is read here). */
  send: (i: number) => Promise<Response>;
  /** Whether a response is what the test expects (default: any 2xx). */
  ok?: (res: Response, body: string, i: number) => boolean;
}

/** What {@linkcode load} measured. */
export interface LoadResult {
  /** Requests sent. */
  requests: number;
  /** Responses that failed {@linkcode LoadOptions.ok} or requests that threw. */
  errors: number;
  /** First few error descriptions. */
  errorSamples: string[];
  /** Wall time, in milliseconds. */
  durationMs: number;
  /** Requests per second. */
  rps: number;
  /** Median latency, in milliseconds. */
  p50Ms: number;
  /** 90th percentile latency, in milliseconds. */
  p90Ms: number;
  /** 99th percentile latency, in milliseconds. */
  p99Ms: number;
  /** Bodies of the successful responses, by request index (only when `keepBodies`). */
  bodies: Map<number, string>;
}

/**
 * Run the load.
 *
 * @param options What to send and how much.
 * @param keepBodies Keep the bodies of successful responses.
 * @returns The measurements.
 */
export async function load(
  options: LoadOptions,
  keepBodies = false,
): Promise<LoadResult> {
  const latencies: number[] = [];
  const errorSamples: string[] = [];
  const bodies = new Map<number, string>();
  let errors = 0;
  let next = 0;
  const ok = options.ok ?? ((res) => res.status >= 200 && res.status < 300);
  const start = performance.now();
  const deadline = start + options.maxMs;
  const worker = async () => {
    while (next < options.maxRequests && performance.now() < deadline) {
      const i = next++;
      const t0 = performance.now();
      try {
        const res = await options.send(i);
        const body = await res.text();
        latencies.push(performance.now() - t0);
        if (ok(res, body, i)) {
          if (keepBodies) bodies.set(i, body);
        } else {
          errors++;
          if (errorSamples.length < 5) {
            errorSamples.push(
              `#${i}: HTTP ${res.status} ${body.slice(0, 200)}`,
            );
          }
        }
      } catch (e) {
        latencies.push(performance.now() - t0);
        errors++;
        if (errorSamples.length < 5) {
          errorSamples.push(`#${i}: ${(e as Error).message}`);
        }
      }
    }
  };
  await Promise.all(
    Array.from({ length: options.concurrency }, () => worker()),
  );
  const durationMs = performance.now() - start;
  const requests = latencies.length;
  return {
    requests,
    errors,
    errorSamples,
    durationMs,
    rps: requests / (durationMs / 1000),
    p50Ms: requests ? percentile(latencies, 50) : NaN,
    p90Ms: requests ? percentile(latencies, 90) : NaN,
    p99Ms: requests ? percentile(latencies, 99) : NaN,
    bodies,
  };
}
