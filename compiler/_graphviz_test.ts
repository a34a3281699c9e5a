import assert from "node:assert/strict";
import { renderSvg, startGraphRenderer } from "./_graphviz.ts";

const DOT = 'digraph w { a [label="add"]; b; a -> b }';

Deno.test("the graph renderer's worker renders what this thread renders", async () => {
  using graphs = startGraphRenderer();
  const [there, here] = await Promise.all([
    graphs.render(DOT),
    renderSvg(DOT),
  ]);
  assert.equal(there, here);
  assert.match(there, /<svg/);
  // Several renders, in any order, each get their own answer.
  const again = await Promise.all([
    graphs.render("digraph { x }"),
    graphs.render(DOT),
  ]);
  assert.equal(again[1], here);
  assert.match(again[0], /<title>x<\/title>/);
});

Deno.test("the graph renderer reports DOT that Graphviz rejects", async () => {
  using graphs = startGraphRenderer();
  await assert.rejects(
    graphs.render("digraph { a -> }"),
    /Graphviz could not render the task graph/,
  );
});

Deno.test("a closed graph renderer renders nothing", async () => {
  const graphs = startGraphRenderer();
  const pending = graphs.render(DOT);
  graphs.close();
  await assert.rejects(pending, /closed/);
  await assert.rejects(graphs.render(DOT), /closed/);
  graphs.close(); // twice is fine
});
