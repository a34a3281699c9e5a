/**
 * Worker of `startGraphRenderer` (`_graphviz.ts`): loads Graphviz at start, renders a tiny
 * graph to compile its layout code, then answers `{id, dot}` messages with `{id, svg}` or
 * `{id, error}`.
 *
 * @module
 */
/// <reference no-default-lib="true" />
/// <reference lib="deno.worker" />
import { renderSvg } from "./_graphviz.ts";

const warm = renderSvg("digraph { a -> b }").catch(() => "");

self.onmessage = async (e: MessageEvent<{ id: number; dot: string }>) => {
  const { id, dot } = e.data;
  await warm;
  try {
    self.postMessage({ id, svg: await renderSvg(dot) });
  } catch (err) {
    self.postMessage({ id, error: (err as Error).message });
  }
};
