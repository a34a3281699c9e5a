/**
 * The runner's middleware, as factories: request id and W3C trace context, bearer-token
 * authentication, and a request body size limit.
 *
 * @module
 */
import type { MiddlewareHandler } from "hono";
import { bodyLimit as honoBodyLimit } from "hono/body-limit";
import { timingSafeEqual } from "node:crypto";
import { ApiError } from "./errors.ts";

/** Variables the middleware puts on the Hono context. */
export interface RunnerVariables {
  /** The request id (from `X-Request-Id`, or generated). */
  requestId: string;
  /** W3C trace context to hand on (the request's span when tracing is on). */
  traceparent: string | undefined;
  /** W3C trace state to hand on. */
  tracestate: string | undefined;
}

/** The Hono environment of the runner app. */
export interface RunnerEnv {
  /** Context variables. */
  Variables: RunnerVariables;
}

/** A span around one HTTP request. */
export interface RequestSpan {
  /** `traceparent` of the span (handed to runs started by the request). */
  traceparent: string;
  /** `tracestate` to hand on. */
  tracestate: string | null;
  /**
   * End the span.
   *
   * @param status The HTTP status answered.
   */
  end(status: number): void;
}

/** Starts request spans; see `createTracing`. */
export interface RequestTracer {
  /**
   * Start the span of a request.
   *
   * @param name Span name (`METHOD /path`).
   * @param traceparent The request's `traceparent` header, when valid.
   * @param tracestate The request's `tracestate` header.
   * @returns The span.
   */
  startRequest(
    name: string,
    traceparent: string | null,
    tracestate: string | null,
  ): RequestSpan;
}

const TRACEPARENT =
  /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Whether a `traceparent` header is well formed (W3C Trace Context, version 00 layout,
 * trace id and span id not all zeros).
 *
 * @param value Header value.
 * @returns `true` when it can be propagated.
 *
 * @example
 * ```ts
 * import { isValidTraceparent } from "@wt/runner";
 *
 * console.assert(isValidTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"));
 * console.assert(!isValidTraceparent("00-000-01"));
 * ```
 */
export function isValidTraceparent(value: string): boolean {
  const m = TRACEPARENT.exec(value);
  if (!m) return false;
  return m[1] !== "ff" && !/^0+$/.test(m[2]!) && !/^0+$/.test(m[3]!);
}

/**
 * Request id and trace context: takes `X-Request-Id` (or makes one) and echoes it on the
 * response; accepts `traceparent`/`tracestate` and keeps them (or the request span's context
 * when a tracer is given) for the runs the request starts.
 *
 * @param tracer Starts a span per request; omit when tracing is off.
 * @returns The middleware.
 *
 * @example
 * ```ts
 * import { Hono } from "hono";
 * import { requestContext, type RunnerEnv } from "@wt/runner";
 *
 * const app = new Hono<RunnerEnv>().use(requestContext());
 * app.get("/", (c) => c.text(c.get("requestId")));
 * const res = await app.request("/", { headers: { "x-request-id": "abc" } });
 * console.assert((await res.text()) === "abc");
 * ```
 */
export function requestContext(
  tracer?: RequestTracer,
): MiddlewareHandler<RunnerEnv> {
  return async (c, next) => {
    const given = c.req.header("x-request-id");
    const id = given && REQUEST_ID.test(given) ? given : crypto.randomUUID();
    c.set("requestId", id);
    const header = c.req.header("traceparent")?.trim().toLowerCase();
    const traceparent = header && isValidTraceparent(header)
      ? header
      : undefined;
    const tracestate = traceparent
      ? c.req.header("tracestate")?.trim() || undefined
      : undefined;
    const span = tracer?.startRequest(
      `${c.req.method} ${c.req.path}`,
      traceparent ?? null,
      tracestate ?? null,
    );
    c.set("traceparent", span ? span.traceparent : traceparent);
    c.set("tracestate", span ? span.tracestate ?? undefined : tracestate);
    try {
      await next();
    } finally {
      c.header("X-Request-Id", id);
      span?.end(c.res.status);
    }
  };
}

function sameSecret(a: string, b: string): boolean {
  const x = new TextEncoder().encode(a);
  const y = new TextEncoder().encode(b);
  if (x.length !== y.length) {
    timingSafeEqual(x, x);
    return false;
  }
  return timingSafeEqual(x, y);
}

/** The route that Pub/Sub push subscriptions call (see {@linkcode bearerAuth}). */
const PUBSUB_PATH = "/run-from-pubsub";

/**
 * Bearer-token authentication for every request except `GET /` (health, and `HEAD /` for
 * probes that only look at the status). With no token the middleware lets everything
 * through.
 *
 * `POST /run-from-pubsub` also accepts the token as a `token` query parameter: a Pub/Sub push
 * subscription cannot send a static `Authorization` header (it sends none, or its own OIDC
 * token), so its push endpoint is configured as `https://…/run-from-pubsub?token=<token>`.
 *
 * @param token The expected token (`WT_RUNNER_TOKEN`); `undefined` or empty turns auth off.
 * @returns The middleware; it throws a 401 {@linkcode ApiError} on a missing or wrong token.
 *
 * @example
 * ```ts
 * import { Hono } from "hono";
 * import { bearerAuth } from "@wt/runner";
 *
 * const app = new Hono().use(bearerAuth("s3cret"));
 * app.get("/runs", (c) => c.json([]));
 * app.onError((err, c) => c.json({ message: err.message }, 401));
 * console.assert((await app.request("/runs")).status === 401);
 * const ok = await app.request("/runs", { headers: { authorization: "Bearer s3cret" } });
 * console.assert(ok.status === 200);
 * ```
 */
export function bearerAuth(token: string | undefined): MiddlewareHandler {
  return async (c, next) => {
    const health = c.req.path === "/" &&
      (c.req.method === "GET" || c.req.method === "HEAD");
    if (!token || health) return await next();
    const header = c.req.header("authorization") ?? "";
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (c.req.method === "POST" && c.req.path === PUBSUB_PATH) {
      const given = c.req.query("token");
      if (given !== undefined && sameSecret(given, token)) return await next();
      if (given !== undefined || !m || !sameSecret(m[1]!, token)) {
        throw new ApiError(
          401,
          `${PUBSUB_PATH} needs the runner's bearer token (WT_RUNNER_TOKEN): push to ${PUBSUB_PATH}?token=<token> (or send 'Authorization: Bearer <token>')`,
          undefined,
          { "WWW-Authenticate": 'Bearer realm="wt-runner"' },
        );
      }
      return await next();
    }
    if (!m) {
      throw new ApiError(
        401,
        "this runner requires a bearer token: send 'Authorization: Bearer <token>' (the value of WT_RUNNER_TOKEN)",
        undefined,
        { "WWW-Authenticate": 'Bearer realm="wt-runner"' },
      );
    }
    if (!sameSecret(m[1]!, token)) {
      throw new ApiError(
        401,
        "the bearer token is not the one this runner was started with (WT_RUNNER_TOKEN)",
        undefined,
        {
          "WWW-Authenticate": 'Bearer realm="wt-runner", error="invalid_token"',
        },
      );
    }
    await next();
  };
}

/**
 * Reject request bodies larger than `maxBytes` with 413 (checked against `Content-Length`
 * and while streaming, so a lying or chunked request cannot get past it).
 *
 * @param maxBytes Largest accepted body, in bytes.
 * @returns The middleware.
 *
 * @example
 * ```ts
 * import { Hono } from "hono";
 * import { bodyLimit } from "@wt/runner";
 *
 * const app = new Hono().use(bodyLimit(4));
 * app.post("/", async (c) => c.text(await c.req.text()));
 * app.onError((err, c) => c.text(err.message, 413));
 * console.assert((await app.request("/", { method: "POST", body: "too long" })).status === 413);
 * ```
 */
export function bodyLimit(maxBytes: number): MiddlewareHandler {
  return honoBodyLimit({
    maxSize: maxBytes,
    onError: () => {
      throw new ApiError(
        413,
        `request body exceeds the limit of ${maxBytes} bytes (runner option --max-body-bytes)`,
      );
    },
  });
}
