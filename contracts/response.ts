/**
 * The content of a workflow run's `result.json`.
 *
 * @module
 */
import * as v from "valibot";

/**
 * What a compiled workflow writes to `result.json`: the last task's value, or an error
 * message and a trace naming the failing task instance.
 *
 * @example
 * ```ts
 * import * as v from "valibot";
 * import { ResponseModel } from "@wt/contracts";
 *
 * const ok = v.parse(ResponseModel, { result: 12, error: null, trace: null });
 * console.assert(ok.result === 12);
 * ```
 */
export const ResponseModel: v.GenericSchema<ResponseModel> = v.object({
  result: v.unknown(),
  error: v.nullable(v.string()),
  trace: v.nullable(v.string()),
});
/** The content of `result.json`. */
export interface ResponseModel {
  /** The last task's value (`null` on failure). */
  result: unknown;
  /** The error message when the run failed. */
  error: string | null;
  /** A trace naming the failing task instance. */
  trace: string | null;
}
