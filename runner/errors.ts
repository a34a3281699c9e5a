/**
 * The runner's HTTP errors and the one shape every error body has.
 *
 * @module
 */
import * as v from "valibot";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { ValidationErrorItem } from "@wt/contracts";

/** The body of every error response: `{ error: { status, message, details? } }`. */
export interface ErrorBody {
  /** The error. */
  error: {
    /** The HTTP status code, repeated in the body. */
    status: number;
    /** What failed and how to fix it. */
    message: string;
    /** Validation problems, for 422 answers. */
    details?: ValidationErrorItem[] | undefined;
  };
}

/**
 * Schema of {@linkcode ErrorBody} (also used for the OpenAPI document).
 *
 * @example
 * ```ts
 * import * as v from "valibot";
 * import { ErrorBody } from "@wt/runner";
 *
 * console.assert(v.is(ErrorBody, { error: { status: 404, message: "no run 'x'" } }));
 * ```
 */
export const ErrorBody: v.GenericSchema<ErrorBody> = v.object({
  error: v.object({
    status: v.pipe(v.number(), v.integer()),
    message: v.string(),
    details: v.optional(v.array(ValidationErrorItem)),
  }),
});

/**
 * An HTTP error the runner answers with an {@linkcode ErrorBody}; `details` carries
 * validation items for 422 answers.
 *
 * @example
 * ```ts
 * import { ApiError } from "@wt/runner";
 *
 * const err = new ApiError(404, "no workflow 'x' (GET /workflows lists them)");
 * console.assert(err.toBody().error.status === 404);
 * ```
 */
export class ApiError extends HTTPException {
  /** Validation problems (422). */
  readonly details: ValidationErrorItem[] | undefined;

  /**
   * Create an API error.
   *
   * @param status HTTP status code.
   * @param message What failed and how to fix it.
   * @param details Validation problems, for 422.
   * @param headers Extra response headers (e.g. `WWW-Authenticate`).
   */
  constructor(
    status: ContentfulStatusCode,
    message: string,
    details?: ValidationErrorItem[],
    headers?: Record<string, string>,
  ) {
    super(status, { message });
    this.name = "ApiError";
    this.details = details;
    this.headers = headers ?? {};
  }

  /** Extra response headers. */
  headers: Record<string, string>;

  /**
   * The response body for this error.
   *
   * @returns The error body.
   */
  toBody(): ErrorBody {
    return errorBody(this.status, this.message, this.details);
  }
}

/**
 * Build an {@linkcode ErrorBody}.
 *
 * @param status HTTP status code.
 * @param message What failed.
 * @param details Validation problems, for 422.
 * @returns The body.
 *
 * @example
 * ```ts
 * import { errorBody } from "@wt/runner";
 *
 * console.assert(errorBody(400, "bad").error.message === "bad");
 * ```
 */
export function errorBody(
  status: number,
  message: string,
  details?: ValidationErrorItem[],
): ErrorBody {
  return details === undefined
    ? { error: { status, message } }
    : { error: { status, message, details } };
}

/**
 * Thrown by the run manager when parameters do not match the workflow's `params.json`.
 *
 * @example
 * ```ts
 * import { ParamsInvalidError } from "@wt/runner";
 *
 * const err = new ParamsInvalidError("wt-add-workflow", []);
 * console.assert(err.items.length === 0);
 * ```
 */
export class ParamsInvalidError extends Error {
  /** The validation problems. */
  readonly items: ValidationErrorItem[];
  /**
   * Create the error.
   *
   * @param workflow Release name of the workflow.
   * @param items The validation problems.
   */
  constructor(workflow: string, items: ValidationErrorItem[]) {
    super(
      `params do not match the params.json of workflow '${workflow}' (${items.length} problem(s); see details)`,
    );
    this.name = "ParamsInvalidError";
    this.items = items;
  }
}

/**
 * Thrown when a workflow or run does not exist.
 *
 * @example
 * ```ts
 * import { NotFoundError } from "@wt/runner";
 *
 * console.assert(new NotFoundError("no run 'x'").name === "NotFoundError");
 * ```
 */
export class NotFoundError extends Error {
  /**
   * Create the error.
   *
   * @param message What was not found and where to look.
   */
  constructor(message: string) {
    super(message);
    this.name = "NotFoundError";
  }
}

/**
 * Thrown when an operation does not fit the run's state (cancelling a finished run).
 *
 * @example
 * ```ts
 * import { ConflictError } from "@wt/runner";
 *
 * console.assert(new ConflictError("run 'x' already finished").name === "ConflictError");
 * ```
 */
export class ConflictError extends Error {
  /**
   * Create the error.
   *
   * @param message What conflicts.
   */
  constructor(message: string) {
    super(message);
    this.name = "ConflictError";
  }
}
