/**
 * Stress checks of the runner, each against a real runner process on loopback serving the
 * fast fixture workflow (`testdata/workflows/wt-fast-workflow`):
 *
 * - 1 000 concurrent submissions: every one answered 202 with a distinct id, none lost, all
 *   reach `succeeded` with their own result;
 * - SIGKILL mid-run and restart: runs that were running are recorded `failed`/`interrupted`,
 *   queued ones run after the restart, nothing disappears;
 * - malformed and oversized requests: each answered with a 4xx (never a 5xx or a dropped
 *   connection) while valid requests keep being served.
 *
 * @module
 */
import { join } from "node:path";
import { load } from "../bench/_load.ts";
import {
  copyTree,
  FAST_WORKFLOW as WORKFLOW,
  FAST_WORKFLOW_DIR,
  type ServerProcess,
  startRunner,
} from "../bench/_process.ts";
import { type Check, expect } from "./_harness.ts";

const TERMINAL = new Set(["succeeded", "failed", "cancelled"]);

const live = new Set<ServerProcess>();

/** Stop every runner a check left running (after a timeout). */
export async function stopAllRunners(): Promise<void> {
  await Promise.all([...live].map((s) => s.stop("SIGKILL")));
  live.clear();
}

async function setup(work: string, name: string) {
  const dir = join(work, name);
  const workflows = join(dir, "workflows");
  await copyTree(FAST_WORKFLOW_DIR, join(workflows, WORKFLOW));
  return { dir, workflows, data: join(dir, "data") };
}

async function start(
  workflows: string,
  data: string,
  extra: string[],
  env: Record<string, string> = {},
): Promise<ServerProcess> {
  const s = await startRunner(workflows, data, extra, env);
  live.add(s);
  return s;
}

async function stop(s: ServerProcess, signal: Deno.Signal = "SIGTERM") {
  await s.stop(signal, 20_000);
  live.delete(s);
}

interface RunRow {
  id: string;
  status: string;
  result?: unknown;
  error?: string | null;
  reason?: string | null;
}

async function json<T>(res: Response): Promise<T> {
  const text = await res.text();
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new Error(`HTTP ${res.status}: not JSON: ${text.slice(0, 200)}`);
  }
}

/** Every run the runner lists, by id. */
async function listAll(
  url: string,
  headers: HeadersInit = {},
): Promise<Map<string, RunRow>> {
  const out = new Map<string, RunRow>();
  let cursor: string | null = null;
  do {
    const res: Response = await fetch(
      `${url}/runs?limit=500${cursor ? `&cursor=${cursor}` : ""}`,
      { headers },
    );
    expect(res.status === 200, `GET /runs answered ${res.status}`);
    const page: { runs: RunRow[]; next_cursor: string | null } = await json(
      res,
    );
    for (const r of page.runs) out.set(r.id, r);
    cursor = page.next_cursor;
  } while (cursor);
  return out;
}

/** Poll until every id is terminal (or the deadline passes); the last listing. */
async function waitTerminal(
  url: string,
  ids: readonly string[],
  timeoutMs: number,
): Promise<Map<string, RunRow>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const all = await listAll(url);
    const pending = ids.filter((id) =>
      !TERMINAL.has(all.get(id)?.status ?? "")
    );
    if (pending.length === 0 || Date.now() > deadline) return all;
    await new Promise((r) => setTimeout(r, 500));
  }
}

function submit(
  url: string,
  params: unknown,
  extra: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(`${url}/runs`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({ workflow: WORKFLOW, params, ...extra }),
  });
}

/** Kill workflow processes a killed runner left behind (their ids are in process.json). */
async function killOrphans(data: string): Promise<number> {
  let killed = 0;
  try {
    for await (const e of Deno.readDir(join(data, "runs"))) {
      try {
        const { pid } = JSON.parse(
          await Deno.readTextFile(
            join(data, "runs", e.name, "results", "process.json"),
          ),
        ) as { pid: number };
        try {
          Deno.kill(pid, "SIGKILL");
          killed++;
        } catch {
          // Finished already.
        }
      } catch {
        // Never started.
      }
    }
  } catch {
    // No runs folder.
  }
  return killed;
}

/**
 * The runner checks.
 *
 * @param work A temporary folder.
 * @param sizes How many concurrent submissions (1 000 by default).
 * @returns The checks.
 */
export function runnerChecks(
  work: string,
  sizes: { submissions: number },
): Check[] {
  return [
    {
      name:
        `runner: ${sizes.submissions} concurrent submissions, none lost, all terminal`,
      timeoutMs: 300_000,
      fn: async () => {
        const { workflows, data } = await setup(work, "submissions");
        const runner = await start(workflows, data, ["--concurrency", "4"]);
        try {
          const n = sizes.submissions;
          const t0 = performance.now();
          const responses = await Promise.all(
            Array.from({ length: n }, async (_, i) => {
              try {
                const res = await submit(runner.url, { work: { value: i } });
                return { status: res.status, body: await res.text() };
              } catch (e) {
                return { status: 0, body: (e as Error).message };
              }
            }),
          );
          const refused = responses.filter((r) => r.status !== 202);
          expect(
            refused.length === 0,
            () =>
              `${refused.length} of ${n} submissions were not accepted, e.g. ${
                refused.slice(0, 3).map((r) =>
                  `${r.status} ${r.body.slice(0, 120)}`
                )
                  .join("; ")
              }`,
          );
          const ids = responses.map((r) => (JSON.parse(r.body) as RunRow).id);
          expect(
            new Set(ids).size === n,
            `${n - new Set(ids).size} duplicate run ids`,
          );
          const all = await waitTerminal(runner.url, ids, 240_000);
          const missing = ids.filter((id) => !all.has(id));
          expect(missing.length === 0, () => `${missing.length} runs lost`);
          const notDone = ids.filter((id) =>
            all.get(id)!.status !== "succeeded"
          );
          expect(
            notDone.length === 0,
            () =>
              `${notDone.length} runs did not succeed, e.g. ${
                notDone.slice(0, 3).map((id) =>
                  `${id}: ${all.get(id)!.status} ${all.get(id)!.error ?? ""}`
                ).join("; ")
              }`,
          );
          // Each run's result is its own value (no mix-ups under load).
          const results = await load({
            concurrency: 16,
            maxRequests: n,
            maxMs: 120_000,
            send: (i) => fetch(`${runner.url}/runs/${ids[i]}/result`),
            ok: (res, body, i) =>
              res.status === 200 &&
              (JSON.parse(body) as { result: unknown }).result === i,
          });
          expect(
            results.requests === n && results.errors === 0,
            () =>
              `${results.errors} of ${results.requests} results wrong: ${
                results.errorSamples.join("; ")
              }`,
          );
          expect(
            all.size === n,
            `GET /runs lists ${all.size} runs, expected ${n}`,
          );
          return `${n} × 202, ${n} distinct ids, ${n} succeeded with their own result in ${
            ((performance.now() - t0) / 1000).toFixed(1)
          } s (runner concurrency 4)`;
        } finally {
          await stop(runner);
        }
      },
    },
    {
      name: "runner: SIGKILL mid-run, restart, no run lost",
      timeoutMs: 120_000,
      fn: async () => {
        const { workflows, data } = await setup(work, "sigkill");
        const extra = ["--concurrency", "2"];
        let runner = await start(workflows, data, extra);
        const ids: string[] = [];
        let summary = "";
        try {
          for (let i = 0; i < 8; i++) {
            const res = await submit(runner.url, {
              work: { ms: 1500, value: i },
            });
            expect(
              res.status === 202,
              `submission ${i} answered ${res.status}`,
            );
            ids.push((await json<RunRow>(res)).id);
          }
          // Wait until two runs are running, then kill the runner without warning.
          const deadline = Date.now() + 30_000;
          let running: string[] = [];
          while (Date.now() < deadline) {
            const all = await listAll(runner.url);
            running = ids.filter((id) => all.get(id)?.status === "running");
            if (running.length === 2) break;
            await new Promise((r) => setTimeout(r, 50));
          }
          expect(
            running.length === 2,
            `${running.length} runs running, expected 2`,
          );
          await stop(runner, "SIGKILL");
          await killOrphans(data);
          runner = await start(workflows, data, extra);
          const after = await submit(runner.url, { work: { value: 99 } });
          expect(
            after.status === 202,
            `submission after restart: ${after.status}`,
          );
          ids.push((await json<RunRow>(after)).id);
          const all = await waitTerminal(runner.url, ids, 90_000);
          const missing = ids.filter((id) => !all.has(id));
          expect(missing.length === 0, `${missing.length} runs lost`);
          summary =
            `${running.length} running runs recorded failed/interrupted, ${
              ids.length - running.length - 1
            } queued ones and 1 new one succeeded after the restart`;
          for (const id of ids) {
            const r = all.get(id)!;
            if (running.includes(id)) {
              expect(
                r.status === "failed" && r.reason === "interrupted",
                `run ${id} was running at the kill: expected failed/interrupted, got ${r.status}/${r.reason}`,
              );
            } else {
              expect(
                r.status === "succeeded",
                `run ${id} was queued at the kill: expected succeeded after the restart, got ${r.status} (${r.error})`,
              );
            }
          }
        } finally {
          await stop(runner);
          await killOrphans(data);
        }
        return summary;
      },
    },
    {
      name:
        "runner: malformed and oversized requests get 4xx, valid ones keep working",
      timeoutMs: 120_000,
      fn: async () => {
        const { workflows, data } = await setup(work, "hostile");
        const token = "stress-token";
        const runner = await start(
          workflows,
          data,
          ["--concurrency", "2", "--max-body-bytes", "65536"],
          { WT_RUNNER_TOKEN: token },
        );
        const auth = { authorization: `Bearer ${token}` };
        try {
          const cases = hostileCases(runner.url, auth);
          const problems: string[] = [];
          const statuses: Record<number, number> = {};
          const answer = async (c: HostileCase) => {
            try {
              const res = await c.send();
              await res.body?.cancel();
              statuses[res.status] = (statuses[res.status] ?? 0) + 1;
              if (c.status === 200) {
                if (res.status !== 200) {
                  problems.push(`${c.name}: HTTP ${res.status}, expected 200`);
                }
              } else if (res.status < 400 || res.status > 499) {
                problems.push(`${c.name}: HTTP ${res.status}`);
              } else if (c.status !== undefined && res.status !== c.status) {
                problems.push(
                  `${c.name}: HTTP ${res.status}, expected ${c.status}`,
                );
              }
            } catch (e) {
              problems.push(
                `${c.name}: no HTTP answer (${(e as Error).message})`,
              );
            }
          };
          // Each case alone, then all of them many times at once, mixed with valid runs.
          for (const c of cases) await answer(c);
          const ok: number[] = [];
          await Promise.all([
            ...Array.from({ length: 10 }, () => cases.map(answer)).flat(),
            ...Array.from({ length: 50 }, async (_, i) => {
              const res = await submit(
                runner.url,
                { work: { value: i } },
                {},
                auth,
              );
              await res.body?.cancel();
              ok.push(res.status);
            }),
          ]);
          for (const raw of rawCases()) {
            const got = await rawExchange(runner.port, raw.bytes);
            if (!/^HTTP\/1\.[01] 4\d\d/.test(got) && !raw.mayClose) {
              problems.push(
                `${raw.name}: answered ${JSON.stringify(got.slice(0, 60))}`,
              );
            } else if (got !== "" && !/^HTTP\/1\.[01] 4\d\d/.test(got)) {
              problems.push(
                `${raw.name}: answered ${JSON.stringify(got.slice(0, 60))}`,
              );
            }
          }
          expect(
            problems.length === 0,
            () =>
              `${problems.length} bad answers:\n${
                [...new Set(problems)].join("\n")
              }`,
          );
          expect(
            ok.length === 50 && ok.every((s) => s === 202),
            `valid submissions during the attack: ${JSON.stringify(ok)}`,
          );
          const health = await fetch(`${runner.url}/`);
          await health.body?.cancel();
          expect(health.status === 200, `GET / answered ${health.status}`);
          const res = await submit(
            runner.url,
            { work: { value: 7 } },
            {},
            auth,
          );
          expect(
            res.status === 202,
            `a run after the attack: HTTP ${res.status}`,
          );
          const id = (await json<RunRow>(res)).id;
          let body: { status?: string; result?: unknown } = {};
          const deadline = Date.now() + 60_000;
          while (Date.now() < deadline) {
            const final = await fetch(`${runner.url}/runs/${id}/result`, {
              headers: auth,
            });
            body = await json(final);
            if (final.status === 200) break;
            await new Promise((r) => setTimeout(r, 200));
          }
          expect(
            body.status === "succeeded" && body.result === 7,
            `a run after the attack: ${JSON.stringify(body)}`,
          );
          return `${cases.length} kinds of bad request (11 × each, 10 × at once with 50 valid runs) and ${rawCases().length} raw-socket ones; statuses ${
            JSON.stringify(statuses)
          }`;
        } finally {
          await stop(runner);
        }
      },
    },
  ];
}

interface HostileCase {
  name: string;
  status?: number;
  send: () => Promise<Response>;
}

function hostileCases(
  url: string,
  auth: Record<string, string>,
): HostileCase[] {
  const post = (
    path: string,
    body: BodyInit,
    headers: Record<string, string> = {},
  ) =>
    fetch(`${url}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", ...auth, ...headers },
      body,
    });
  const get = (path: string, headers: Record<string, string> = auth) =>
    fetch(`${url}${path}`, { headers });
  const big = "x".repeat(2 * 1024 * 1024);
  const chunked = () =>
    new ReadableStream<Uint8Array>({
      start(c) {
        const chunk = new TextEncoder().encode("[".repeat(16 * 1024));
        for (let i = 0; i < 16; i++) c.enqueue(chunk);
        c.close();
      },
    });
  return [
    { name: "no token", status: 401, send: () => get("/runs", {}) },
    {
      name: "wrong token",
      status: 401,
      send: () => get("/runs", { authorization: "Bearer nope" }),
    },
    { name: "truncated JSON", status: 400, send: () => post("/runs", "{") },
    { name: "JSON array body", send: () => post("/runs", "[]") },
    { name: "JSON string body", send: () => post("/runs", '"run"') },
    { name: "empty body", send: () => post("/runs", "") },
    { name: "no workflow", status: 422, send: () => post("/runs", "{}") },
    {
      name: "unknown workflow",
      status: 404,
      send: () => post("/runs", JSON.stringify({ workflow: "nope" })),
    },
    {
      name: "params of the wrong type",
      status: 422,
      send: () =>
        post(
          "/runs",
          JSON.stringify({
            workflow: WORKFLOW,
            params: { work: { ms: "soon" } },
          }),
        ),
    },
    {
      name: "unknown parameter",
      status: 422,
      send: () =>
        post("/runs", JSON.stringify({ workflow: WORKFLOW, params: { x: 1 } })),
    },
    {
      name: "path-like run id",
      send: () =>
        post("/runs", JSON.stringify({ workflow: WORKFLOW, id: "../../etc" })),
    },
    {
      name: "negative timeout",
      send: () =>
        post("/runs", JSON.stringify({ workflow: WORKFLOW, timeout: -1 })),
    },
    {
      name: "2 MiB body with content-length",
      status: 413,
      send: () =>
        post("/runs", JSON.stringify({ workflow: WORKFLOW, pad: big })),
    },
    {
      name: "256 KiB chunked body without content-length",
      status: 413,
      send: () => post("/runs", chunked()),
    },
    {
      name: "deeply nested JSON (60 000 levels, under the size limit)",
      send: () => post("/runs", "[".repeat(30_000) + "]".repeat(30_000)),
    },
    {
      name: "invalid UTF-8 body",
      send: () => post("/runs", new Uint8Array([0x7b, 0xff, 0xfe, 0x7d])),
    },
    {
      name: "unknown run",
      status: 404,
      send: () => get("/runs/does-not-exist"),
    },
    { name: "undecodable run id", send: () => get("/runs/%E0%A4%A") },
    { name: "bad list limit", send: () => get("/runs?limit=abc") },
    { name: "huge list limit", send: () => get("/runs?limit=100000000") },
    {
      name: "forged cursor",
      status: 400,
      send: () => get("/runs?cursor=1%20OR%201=1"),
    },
    {
      name: "cancel of an unknown run",
      status: 404,
      send: () => post("/runs/nope/cancel", ""),
    },
    {
      name: "result of an unknown run",
      status: 404,
      send: () => get("/runs/nope/result"),
    },
    { name: "unknown route", status: 404, send: () => get("/no/such/route") },
    {
      name: "formdata-to-params garbage",
      send: () => post(`/formdata-to-params?workflow=${WORKFLOW}`, "{]"),
    },
    {
      name: "reference POST / garbage",
      send: () => post(`/?workflow=${WORKFLOW}`, "nope"),
    },
    {
      // Pub/Sub push: always acknowledged (200) so the message is not redelivered forever;
      // the error is logged and written to result.json when a results URL is known.
      name: "run-from-pubsub envelope garbage (acknowledged)",
      status: 200,
      send: () => post("/run-from-pubsub", JSON.stringify({ message: 5 })),
    },
    {
      name: "64 KiB header",
      send: () => get("/runs", { ...auth, "x-junk": "y".repeat(64 * 1024) }),
    },
  ];
}

interface RawCase {
  name: string;
  bytes: Uint8Array;
  /** The server may close the connection without an answer. */
  mayClose?: boolean;
}

function rawCases(): RawCase[] {
  const enc = (s: string) => new TextEncoder().encode(s);
  return [
    { name: "raw: not HTTP", bytes: enc("HELLO THERE\r\n\r\n") },
    {
      name: "raw: bad content-length",
      bytes: enc(
        "POST /runs HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n",
      ),
    },
    {
      name: "raw: request cut off after the headers",
      bytes: enc(
        'POST /runs HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"workf',
      ),
      mayClose: true,
    },
    {
      name: "raw: binary junk",
      bytes: crypto.getRandomValues(new Uint8Array(4096)),
      mayClose: true,
    },
  ];
}

/** Send raw bytes, half-close, read whatever comes back (≤ 5 s). */
async function rawExchange(port: number, bytes: Uint8Array): Promise<string> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const timer = setTimeout(() => {
    try {
      conn.close();
    } catch {
      // Closed.
    }
  }, 5000);
  try {
    try {
      await conn.write(bytes);
      await conn.closeWrite();
    } catch {
      return "";
    }
    const buf = new Uint8Array(4096);
    let text = "";
    try {
      for (;;) {
        const n = await conn.read(buf);
        if (n === null) break;
        text += new TextDecoder().decode(buf.subarray(0, n));
        if (text.includes("\r\n\r\n")) break;
      }
    } catch {
      // Reset or closed by the timer.
    }
    return text;
  } finally {
    clearTimeout(timer);
    try {
      conn.close();
    } catch {
      // Closed.
    }
  }
}
