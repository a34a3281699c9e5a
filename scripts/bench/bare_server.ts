/**
 * The baseline of the runner benchmark: a bare `Deno.serve` handler with the runner's two
 * measured routes and none of its work. `POST /runs` reads the JSON body and answers 202
 * `{id, status}`; `GET /runs/{id}` answers a run-like JSON object. Prints the same
 * `{"event":"listening",…}` line as the runner.
 *
 * With `--durable FILE`, `POST /runs` also inserts the body into a SQLite table
 * (`journal_mode=WAL`, `synchronous=FULL`, one transaction per request) before answering:
 * the naive durable handler, to show what the runner's group commit saves.
 *
 * ```sh
 * deno run --allow-net scripts/bench/bare_server.ts
 * deno run --allow-net --allow-read --allow-write scripts/bench/bare_server.ts --durable /tmp/bare.db
 * ```
 *
 * @module
 */
import { DatabaseSync } from "node:sqlite";

const at = Deno.args.indexOf("--durable");
const db = at >= 0 ? new DatabaseSync(Deno.args[at + 1] ?? "") : undefined;
db?.exec("PRAGMA journal_mode = WAL");
db?.exec("PRAGMA synchronous = FULL");
db?.exec("CREATE TABLE IF NOT EXISTS runs (id TEXT PRIMARY KEY, body TEXT)");
const insert = db?.prepare("INSERT INTO runs (id, body) VALUES (?, ?)");
let counter = 0;
const server = Deno.serve({
  port: 0,
  hostname: "127.0.0.1",
  onListen: ({ hostname, port }) =>
    console.log(JSON.stringify({ event: "listening", hostname, port })),
}, async (req) => {
  const url = new URL(req.url);
  if (req.method === "POST" && url.pathname === "/runs") {
    const body = await req.json() as { workflow?: string };
    const id = `run-${++counter}`;
    insert?.run(id, JSON.stringify(body));
    return Response.json({ id, status: "queued", workflow: body.workflow }, {
      status: 202,
      headers: { Location: `/runs/${id}` },
    });
  }
  if (req.method === "GET" && url.pathname.startsWith("/runs/")) {
    const id = url.pathname.slice(6);
    return Response.json({
      id,
      workflow: "wt-fast-workflow",
      status: "queued",
      invoker: "local",
      execution_mode: "sequential",
      mock_io: false,
      created_at: new Date().toISOString(),
      params: { work: { value: 1 } },
    });
  }
  return Response.json({ error: "not found" }, { status: 404 });
});
Deno.addSignalListener("SIGTERM", () => void server.shutdown());
await server.finished;
