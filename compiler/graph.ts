/**
 * The task graph of a workflow: tasks as boxes with one row per argument, edges from a
 * task's `return` to the argument that consumes it; written as DOT and rendered to SVG
 * in-process with Graphviz compiled to WebAssembly (`npm:@viz-js/viz`), no system `dot`.
 *
 * @module
 */
import { render } from "./_codegen_render.ts";
import { renderSvg } from "./_graphviz.ts";

/**
 * One argument row of a task box.
 *
 * @example
 * ```ts
 * import type { GraphArgument } from "./graph.ts";
 *
 * const rows: GraphArgument[] = [
 *   { name: "a", port: "a0", note: "(form)" },
 *   { name: "b", port: "a1", note: "= 5" },
 * ];
 * console.assert(new Set(rows.map((r) => r.port)).size === rows.length);
 * ```
 */
export interface GraphArgument {
  /** Argument name. */
  name: string;
  /** Port name of the row (unique within the box). */
  port: string;
  /** How it is bound, e.g. `= 5`, `← total`, `(form)`, `(map)`. */
  note: string;
}

/**
 * One task box.
 *
 * @example
 * ```ts
 * import { graphToDot, type GraphNode } from "./graph.ts";
 *
 * const node: GraphNode = {
 *   id: "labels",
 *   task: "to_label",
 *   method: "map",
 *   io: false,
 *   args: [{ name: "n", port: "a0", note: "(map)" }],
 * };
 * const dot = await graphToDot({ workflowId: "w", nodes: [node], edges: [] });
 * console.assert(dot.includes("labels") && dot.includes("to_label"));
 * ```
 */
export interface GraphNode {
  /** Task instance id. */
  id: string;
  /** Task name as written. */
  task: string;
  /** `call`, `map` or `mapvalues`. */
  method: string;
  /** Whether the task is tagged `io`. */
  io: boolean;
  /** Argument rows. */
  args: GraphArgument[];
}

/**
 * One edge: the `return` of `from` feeds argument `port` of `to`.
 *
 * @example
 * ```ts
 * import type { GraphEdge } from "./graph.ts";
 *
 * // `${{ workflow.total.return }}` bound to argument `n` (row port a0) of `doubled`:
 * const edge: GraphEdge = { from: "total", to: "doubled", port: "a0" };
 * console.assert(edge.from !== edge.to);
 * ```
 */
export interface GraphEdge {
  /** Producing instance id. */
  from: string;
  /** Consuming instance id. */
  to: string;
  /** Port of the consuming argument row. */
  port: string;
}

/**
 * A workflow's task graph.
 *
 * @example
 * ```ts
 * import { dotToSvg, graphToDot, type TaskGraph } from "./graph.ts";
 *
 * const graph: TaskGraph = {
 *   workflowId: "add_then_double",
 *   nodes: [
 *     { id: "total", task: "add", method: "call", io: false, args: [] },
 *     { id: "doubled", task: "double", method: "call", io: false, args: [{ name: "n", port: "a0", note: "← total" }] },
 *   ],
 *   edges: [{ from: "total", to: "doubled", port: "a0" }],
 * };
 * const svg = await dotToSvg(await graphToDot(graph));
 * console.assert(svg.includes("<svg"));
 * ```
 */
export interface TaskGraph {
  /** Workflow id. */
  workflowId: string;
  /** Task boxes in spec order. */
  nodes: GraphNode[];
  /** Edges. */
  edges: GraphEdge[];
}

/**
 * Write a task graph as Graphviz DOT (HTML-like table labels).
 *
 * @param graph The graph.
 * @returns DOT source.
 *
 * @example
 * ```ts
 * import { graphToDot } from "./graph.ts";
 *
 * const dot = await graphToDot({
 *   workflowId: "w",
 *   nodes: [
 *     { id: "a", task: "add", method: "call", io: false, args: [] },
 *     { id: "b", task: "double", method: "call", io: false, args: [{ name: "n", port: "a0", note: "← a" }] },
 *   ],
 *   edges: [{ from: "a", to: "b", port: "a0" }],
 * });
 * console.assert(dot.includes('"a":"return" -> "b":"a0"'));
 * ```
 */
export async function graphToDot(graph: TaskGraph): Promise<string> {
  return await render("graph.dot.njk", {
    workflow_id: graph.workflowId,
    nodes: graph.nodes,
    edges: graph.edges,
  });
}

/**
 * Render DOT source to SVG with Graphviz compiled to WebAssembly.
 *
 * @param dot DOT source.
 * @returns The SVG document.
 * @throws {Error} When Graphviz rejects the source.
 *
 * @example
 * ```ts
 * import { dotToSvg } from "./graph.ts";
 *
 * const svg = await dotToSvg("digraph { a -> b }");
 * console.assert(svg.includes("<svg"));
 * ```
 */
export async function dotToSvg(dot: string): Promise<string> {
  return await renderSvg(dot);
}
