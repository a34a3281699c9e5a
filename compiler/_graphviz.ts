/**
 * The Graphviz WebAssembly instance (`npm:@viz-js/viz`), created once per process and
 * reused: decoding and instantiating the module costs more than laying out a small graph.
 *
 * @module
 */
import { instance, type Viz } from "@viz-js/viz";

let loading: Promise<Viz> | undefined;

/**
 * The shared Graphviz instance; the first call starts loading it (a failed load is retried
 * by the next call).
 *
 * @returns The instance.
 */
export function graphviz(): Promise<Viz> {
  if (loading === undefined) {
    const started = instance();
    loading = started;
    started.catch(() => {
      if (loading === started) loading = undefined;
    });
  }
  return loading;
}
