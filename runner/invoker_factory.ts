/**
 * The default {@linkcode InvokerFactory}: a fresh `LocalInvoker` from `@wt/invokers` per run,
 * writing the run's output to `--data/runs/<id>/run.log`; and
 * {@linkcode combineInvokerFactories}, which offers the kinds of several factories (local
 * and `cloud-batch` from `@wt/runner/gcp`).
 *
 * @module
 */
import { LocalInvoker } from "@wt/invokers";
import type { InvokerKind } from "@wt/contracts";
import { type InvokerFactory, UnsupportedInvokerError } from "./run_manager.ts";

/** Options of {@linkcode localInvokerFactory}. */
export interface LocalInvokerFactoryOptions {
  /** The `deno` executable that runs workflow CLIs (default `"deno"`, found on `PATH`). */
  denoPath?: string | undefined;
  /** Time between SIGTERM and SIGKILL when stopping a run (ms). */
  killGraceMs?: number | undefined;
  /** Names of variables the workflow process inherits from the runner. */
  inheritEnv?: readonly string[] | undefined;
}

/**
 * Make local invokers, one per run.
 *
 * @param options `deno` executable, kill grace period, inherited variables.
 * @returns A factory offering the `local` kind.
 *
 * @example
 * ```ts
 * import { localInvokerFactory } from "@wt/runner";
 *
 * const factory = localInvokerFactory({ denoPath: "deno" });
 * console.assert(factory.kinds[0] === "local");
 * ```
 */
export function localInvokerFactory(
  options: LocalInvokerFactoryOptions = {},
): InvokerFactory {
  return {
    kinds: ["local"],
    create: (ctx) =>
      new LocalInvoker({
        workflowDir: ctx.workflow.dir,
        workflow: ctx.workflow.name,
        logFile: ctx.log_path,
        denoPath: options.denoPath ?? "deno",
        ...(ctx.timeout_ms !== null ? { timeoutMs: ctx.timeout_ms } : {}),
        ...(options.killGraceMs !== undefined
          ? { killGraceMs: options.killGraceMs }
          : {}),
        ...(options.inheritEnv !== undefined
          ? { inheritEnv: options.inheritEnv }
          : {}),
      }),
  };
}

/**
 * One factory offering the kinds of several, e.g. `local` and `cloud-batch`: a run's
 * `invoker` picks the factory that offers it. The first kind of the first factory is the
 * default kind. Default results URLs and detached kinds come from each kind's factory.
 *
 * @param factories The factories; no kind may be offered twice.
 * @returns The combined factory.
 * @throws {RangeError} No factory, or a kind offered by two of them.
 *
 * @example
 * ```ts
 * import { combineInvokerFactories, localInvokerFactory } from "@wt/runner";
 *
 * const factory = combineInvokerFactories(localInvokerFactory(), {
 *   kinds: ["cloud-batch"],
 *   detachedKinds: ["cloud-batch"],
 *   resultsUrl: (_kind, id) => `gs://my-bucket/runs/${id}`,
 *   create: () => Promise.reject(new Error("not in this example")),
 * });
 * console.assert(factory.kinds.join() === "local,cloud-batch");
 * console.assert(factory.resultsUrl?.("local", "r1") === undefined);
 * console.assert(factory.resultsUrl?.("cloud-batch", "r1") === "gs://my-bucket/runs/r1");
 * ```
 */
export function combineInvokerFactories(
  ...factories: InvokerFactory[]
): InvokerFactory {
  if (factories.length === 0) {
    throw new RangeError("combineInvokerFactories needs at least one factory");
  }
  const byKind = new Map<InvokerKind, InvokerFactory>();
  for (const f of factories) {
    for (const kind of f.kinds) {
      if (byKind.has(kind)) {
        throw new RangeError(
          `invoker kind '${kind}' is offered by two factories; give each kind once`,
        );
      }
      byKind.set(kind, f);
    }
  }
  const owner = (kind: InvokerKind): InvokerFactory => {
    const f = byKind.get(kind);
    if (!f) throw new UnsupportedInvokerError(kind, [...byKind.keys()]);
    return f;
  };
  return {
    kinds: [...byKind.keys()],
    detachedKinds: factories.flatMap((f) =>
      (f.detachedKinds ?? []).filter((k) => byKind.get(k) === f)
    ),
    resultsUrl: (kind, runId) => owner(kind).resultsUrl?.(kind, runId),
    create: (ctx) => owner(ctx.kind).create(ctx),
  };
}
