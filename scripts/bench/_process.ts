/**
 * Child processes for the benchmarks and the stress test: start a server that prints a
 * `{"event":"listening",…,"port":N}` line (the runner, or the bare baseline server), keep its
 * output drained, stop it; time whole `deno` processes.
 *
 * @module
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { RUNNER_PERMISSION_FLAGS } from "@wt/runner/permissions";

/** The repository root. */
export const ROOT: string = join(
  dirname(fileURLToPath(import.meta.url)),
  "..",
  "..",
);

/** The fast fixture workflow the runner benchmark and the stress test serve. */
export const FAST_WORKFLOW = "wt-fast-workflow";

/** Its compiled workspace. */
export const FAST_WORKFLOW_DIR: string = join(
  ROOT,
  "scripts",
  "stress",
  "testdata",
  "workflows",
  FAST_WORKFLOW,
);

/** A server child process. */
export interface ServerProcess {
  /** Base URL, e.g. `http://127.0.0.1:4242`. */
  url: string;
  /** Port. */
  port: number;
  /** The child. */
  child: Deno.ChildProcess;
  /** Everything it wrote to stderr so far (last 64 KiB). */
  stderr(): string;
  /** Send a signal and wait for the exit (SIGKILL after `graceMs`). */
  stop(signal?: Deno.Signal, graceMs?: number): Promise<Deno.CommandStatus>;
}

/**
 * Start a `deno run` server child and wait for its listening line on stdout.
 *
 * @param args `deno` arguments (`run`, flags, module, its arguments).
 * @param options Extra environment, start-up time limit.
 * @returns The running server.
 */
export async function startServer(
  args: string[],
  options: { env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<ServerProcess> {
  const child = new Deno.Command(Deno.execPath(), {
    args,
    cwd: ROOT,
    env: { NO_COLOR: "1", ...options.env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let err = "";
  const errDone = (async () => {
    const dec = new TextDecoder();
    for await (const chunk of child.stderr) {
      err = (err + dec.decode(chunk, { stream: true })).slice(-65536);
    }
  })();
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = "";
  let port: number | undefined;
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  const timer = setTimeout(() => {
    try {
      child.kill("SIGKILL");
    } catch {
      // Gone already.
    }
  }, Math.max(0, deadline - Date.now()));
  try {
    while (port === undefined) {
      const { value, done } = await lines.read();
      if (done) break;
      buffered += value;
      let nl;
      while ((nl = buffered.indexOf("\n")) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        try {
          const msg = JSON.parse(line) as { event?: string; port?: number };
          if (msg.event === "listening" && typeof msg.port === "number") {
            port = msg.port;
          }
        } catch {
          // Not a JSON line.
        }
      }
    }
  } finally {
    clearTimeout(timer);
  }
  // Keep draining stdout so the child never blocks on a full pipe.
  const outDone = (async () => {
    try {
      while (!(await lines.read()).done) { /* drain */ }
    } catch {
      // Closed.
    }
  })();
  if (port === undefined) {
    const status = await child.status;
    await Promise.all([errDone, outDone]);
    throw new Error(
      `server ${
        args.join(" ")
      } exited (code ${status.code}) before listening:\n${err}`,
    );
  }
  let exited: Promise<Deno.CommandStatus> | undefined;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    child,
    stderr: () => err,
    stop(signal: Deno.Signal = "SIGTERM", graceMs = 10_000) {
      exited ??= (async () => {
        try {
          child.kill(signal);
        } catch {
          // Gone already.
        }
        const kill = setTimeout(() => {
          try {
            child.kill("SIGKILL");
          } catch {
            // Gone already.
          }
        }, graceMs);
        const status = await child.status;
        clearTimeout(kill);
        await Promise.all([errDone, outDone]);
        return status;
      })();
      return exited;
    },
  };
}

/**
 * Start the runner (`runner/main.ts`) with the permission flags of `deno task runner`.
 *
 * @param workflows Folder of workflow workspaces.
 * @param data Data folder.
 * @param extra More runner options (`--concurrency`, `--max-body-bytes`, …).
 * @param env Extra environment (e.g. `WT_RUNNER_TOKEN`).
 * @returns The running server.
 */
export function startRunner(
  workflows: string,
  data: string,
  extra: string[] = [],
  env: Record<string, string> = {},
): Promise<ServerProcess> {
  return startServer([
    "run",
    ...RUNNER_PERMISSION_FLAGS,
    join(ROOT, "runner", "main.ts"),
    "--port",
    "0",
    "--workflows",
    workflows,
    "--data",
    data,
    ...extra,
  ], { env });
}

/**
 * Wall time of one `deno` process, in milliseconds (output captured, checked for success).
 *
 * @param args `deno` arguments.
 * @param options Working folder and extra environment.
 * @returns Milliseconds from spawn to exit.
 */
export async function timeDeno(
  args: string[],
  options: { cwd?: string; env?: Record<string, string> } = {},
): Promise<number> {
  const t0 = performance.now();
  const out = await new Deno.Command(Deno.execPath(), {
    args,
    cwd: options.cwd ?? ROOT,
    env: { NO_COLOR: "1", ...options.env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const ms = performance.now() - t0;
  if (!out.success) {
    throw new Error(
      `deno ${args.join(" ")} failed (code ${out.code}):\n${
        new TextDecoder().decode(out.stderr)
      }${new TextDecoder().decode(out.stdout)}`,
    );
  }
  return ms;
}

/**
 * Copy a folder tree.
 *
 * @param from Source folder.
 * @param to Destination folder (created).
 */
export async function copyTree(from: string, to: string): Promise<void> {
  await Deno.mkdir(to, { recursive: true });
  for await (const e of Deno.readDir(from)) {
    const src = join(from, e.name);
    const dst = join(to, e.name);
    if (e.isDirectory) await copyTree(src, dst);
    else if (e.isFile) await Deno.copyFile(src, dst);
  }
}

/**
 * Median of numbers.
 *
 * @param xs Samples (not empty).
 * @returns The median.
 */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/**
 * A percentile of numbers (nearest rank).
 *
 * @param xs Samples (not empty).
 * @param p Percentile, 0–100.
 * @returns The value.
 */
export function percentile(xs: readonly number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  const i = Math.min(
    s.length - 1,
    Math.max(0, Math.ceil(p / 100 * s.length) - 1),
  );
  return s[i]!;
}
