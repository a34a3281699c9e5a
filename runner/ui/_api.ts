/**
 * The browser client's access to the runner API: the bearer token kept in
 * `sessionStorage`, and JSON requests whose failures carry the runner's error body.
 *
 * @module
 */
import type { ValidationErrorItem } from "@wt/contracts";

const TOKEN_KEY = "wt-runner-token";

/** A failed API request: status, message and validation items from the error body. */
export class ApiFailure extends Error {
  /** HTTP status (0 when the runner could not be reached). */
  readonly status: number;
  /** Validation items of a 422 answer. */
  readonly details: ValidationErrorItem[];

  /**
   * @param status HTTP status.
   * @param message What failed.
   * @param details Validation items.
   */
  constructor(
    status: number,
    message: string,
    details: ValidationErrorItem[] = [],
  ) {
    super(message);
    this.name = "ApiFailure";
    this.status = status;
    this.details = details;
  }
}

/**
 * The token saved for this browser session.
 *
 * @returns The token, or `""`.
 */
export function getToken(): string {
  try {
    return sessionStorage.getItem(TOKEN_KEY) ?? "";
  } catch {
    return "";
  }
}

/**
 * Save (or, with `""`, forget) the token for this browser session.
 *
 * @param token The bearer token.
 */
export function setToken(token: string): void {
  if (token) sessionStorage.setItem(TOKEN_KEY, token);
  else sessionStorage.removeItem(TOKEN_KEY);
  dispatchEvent(new Event("wt-token"));
}

async function send(path: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  const token = getToken();
  if (token) headers.set("Authorization", `Bearer ${token}`);
  if (init.body !== undefined) headers.set("Content-Type", "application/json");
  let res: Response;
  try {
    res = await fetch(path, { ...init, headers });
  } catch (e) {
    throw new ApiFailure(
      0,
      `the runner could not be reached (${(e as Error).message})`,
    );
  }
  if (res.ok) return res;
  let message = `${res.status} ${res.statusText}`;
  let details: ValidationErrorItem[] = [];
  try {
    const body = await res.json();
    if (body && typeof body.error?.message === "string") {
      message = body.error.message;
      if (Array.isArray(body.error.details)) details = body.error.details;
    }
  } catch {
    // not a JSON error body: keep the status line
  }
  if (res.status === 401) dispatchEvent(new Event("wt-unauthorized"));
  throw new ApiFailure(res.status, message, details);
}

/**
 * Request JSON from the runner with the session's token.
 *
 * @param path Path and query, e.g. `/runs?workflow=x`.
 * @param body JSON body; makes the request a POST.
 * @returns The parsed answer.
 * @throws {ApiFailure} On a network error or a non-2xx answer.
 */
export async function apiJson<T>(path: string, body?: unknown): Promise<T> {
  const res = await send(
    path,
    body === undefined ? {} : { method: "POST", body: JSON.stringify(body) },
  );
  return await res.json() as T;
}

/**
 * Fetch the part of a run's log after `offset`.
 *
 * @param id Run id.
 * @param offset Bytes already shown.
 * @returns The new bytes and the log's size in bytes.
 * @throws {ApiFailure} On a failed request.
 */
export async function apiLogs(
  id: string,
  offset: number,
): Promise<{ bytes: Uint8Array; size: number }> {
  const res = await send(
    `/runs/${encodeURIComponent(id)}/logs?offset=${offset}`,
  );
  const bytes = new Uint8Array(await res.arrayBuffer());
  const size = Number(res.headers.get("X-Log-Size") ?? offset + bytes.length);
  return { bytes, size };
}
