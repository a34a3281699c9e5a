/**
 * Writing a failure `result.json` for runs whose workflow never wrote one.
 *
 * @module
 */
import { resultLocation } from "@wt/invokers";
import type { ResponseModel } from "@wt/contracts";
import { dirname } from "node:path";

/**
 * Write `{result: null, error, trace: null}` to the `result.json` of a `file://` results
 * URL unless one exists already (or replacing it, with `overwrite`). Other schemes are
 * reported and skipped.
 *
 * @param resultsUrl The run's results folder URL.
 * @param error The error message.
 * @param log Where problems are reported.
 * @param overwrite Replace an existing `result.json`.
 */
export async function writeFailureResult(
  resultsUrl: string,
  error: string,
  log: (message: string) => void,
  overwrite = false,
): Promise<void> {
  try {
    const loc = resultLocation(resultsUrl);
    if (loc.kind !== "file") {
      log(
        `cannot record the failure in ${resultsUrl}: only file:// results folders are written by the runner`,
      );
      return;
    }
    await Deno.mkdir(dirname(loc.path), { recursive: true });
    const body: ResponseModel = { result: null, error, trace: null };
    await Deno.writeTextFile(loc.path, JSON.stringify(body), {
      createNew: !overwrite,
    });
  } catch (e) {
    if (e instanceof Deno.errors.AlreadyExists) return;
    log(`cannot write the failure result.json at ${resultsUrl}: ${e}`);
  }
}
