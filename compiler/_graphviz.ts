/**
 * Graphviz compiled to WebAssembly (`npm:@viz-js/viz`): one instance per thread, created on
 * first use and reused (decoding and instantiating the module costs more than laying out a
 * small graph), and a worker that renders off the main thread.
 *
 * @module
 */
import type { Viz } from "@viz-js/viz";

let loading: Promise<Viz> | undefined;

/**
 * The shared Graphviz instance; the first call starts loading it (a failed load is retried
 * by the next call).
 *
 * @returns The instance.
 */
export function graphviz(): Promise<Viz> {
  if (loading === undefined) {
    // Loaded on first use: the module (over 1 MB of JavaScript) is only needed where the
    // graph is rendered, normally the renderer's worker.
    const started = import("@viz-js/viz").then((viz) => viz.instance());
    loading = started;
    started.catch(() => {
      if (loading === started) loading = undefined;
    });
  }
  return loading;
}

/**
 * Render DOT source to SVG on this thread.
 *
 * @param dot DOT source.
 * @returns The SVG document.
 * @throws {Error} When Graphviz rejects the source.
 */
export async function renderSvg(dot: string): Promise<string> {
  const viz = await graphviz();
  const result = viz.render(dot, { format: "svg" });
  if (result.status !== "success") {
    const messages = result.errors.map((e) => e.message).join("; ");
    throw new Error(`Graphviz could not render the task graph: ${messages}`);
  }
  return result.output;
}

/** Renders DOT sources to SVG on a worker thread; {@linkcode close} ends the worker. */
export interface GraphRenderer extends Disposable {
  /** Render one DOT source (same result as {@linkcode renderSvg}). */
  render(dot: string): Promise<string>;
  /** Stop the worker (pending renders are rejected). */
  close(): void;
}

/**
 * Start a worker that loads Graphviz right away, so that it is ready (instantiated and its
 * layout code compiled) by the time the graph is known. When no worker can be started, the
 * renderer renders on this thread.
 *
 * @returns The renderer; close it when done, also on failure.
 */
export function startGraphRenderer(): GraphRenderer {
  let worker: Worker;
  try {
    worker = new Worker(new URL("./_graphviz_worker.ts", import.meta.url), {
      type: "module",
    });
  } catch {
    return { render: renderSvg, close: () => {}, [Symbol.dispose]: () => {} };
  }
  let next = 0;
  let closed = false;
  let failure: Error | undefined;
  const pending = new Map<
    number,
    { resolve: (svg: string) => void; reject: (err: Error) => void }
  >();
  const fail = (err: Error) => {
    failure ??= err;
    for (const p of pending.values()) p.reject(err);
    pending.clear();
  };
  worker.onmessage = (
    e: MessageEvent<{ id: number; svg?: string; error?: string }>,
  ) => {
    const p = pending.get(e.data.id);
    if (!p) return;
    pending.delete(e.data.id);
    if (e.data.svg !== undefined) p.resolve(e.data.svg);
    else p.reject(new Error(e.data.error ?? "Graphviz worker failed"));
  };
  worker.onerror = (e: ErrorEvent) => {
    e.preventDefault();
    fail(new Error(`Graphviz worker failed: ${e.message}`));
  };
  const close = (): void => {
    if (closed) return;
    closed = true;
    worker.terminate();
    fail(new Error("graph renderer closed"));
  };
  return {
    render(dot: string): Promise<string> {
      if (closed) return Promise.reject(new Error("graph renderer closed"));
      // A worker that could not load Graphviz: render here (same result or same error).
      if (failure) return renderSvg(dot);
      const id = next++;
      return new Promise<string>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        worker.postMessage({ id, dot });
      }).catch((err: Error) => {
        if (closed || err.message.startsWith("Graphviz could not render")) {
          throw err;
        }
        return renderSvg(dot);
      });
    },
    close,
    [Symbol.dispose]: close,
  };
}
