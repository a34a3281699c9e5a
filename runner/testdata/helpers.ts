// Test helpers for @wt/runner (not published).
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Invoker, RunHandle } from "@wt/invokers";
import type {
  RunRecord,
  RunStatus,
  WorkflowCLIArgs,
  WorkflowCLIEnv,
} from "@wt/contracts";
import type { InvokerContext, InvokerFactory } from "../run_manager.ts";
import { RUNNER_PERMISSION_FLAGS } from "../permissions.ts";

export const RUNNER_DIR: string = dirname(
  dirname(fileURLToPath(import.meta.url)),
);
export const FIXTURE_WORKFLOWS: string = join(
  RUNNER_DIR,
  "testdata",
  "workflows",
);

async function copyDir(from: string, to: string): Promise<void> {
  await Deno.mkdir(to, { recursive: true });
  for await (const e of Deno.readDir(from)) {
    if (e.isDirectory) await copyDir(join(from, e.name), join(to, e.name));
    else await Deno.copyFile(join(from, e.name), join(to, e.name));
  }
}

/** A temporary folder with `workflows/` (copies of the fixtures) and `data/`. */
export async function tempSetup(): Promise<
  { root: string; workflows: string; data: string; cleanup(): Promise<void> }
> {
  const root = await Deno.makeTempDir({ prefix: "wt-runner-test-" });
  const workflows = join(root, "workflows");
  await copyDir(FIXTURE_WORKFLOWS, workflows);
  const data = join(root, "data");
  await Deno.mkdir(data);
  return {
    root,
    workflows,
    data,
    cleanup: () => Deno.remove(root, { recursive: true }),
  };
}

/** One launch seen by {@linkcode FakeInvokers}. */
export interface FakeLaunch {
  ctx: InvokerContext;
  args: WorkflowCLIArgs;
  env: WorkflowCLIEnv;
  cancelled: boolean;
  /** End the run with this outcome. */
  finish(outcome: Partial<RunRecord> & { status: RunStatus }): void;
}

/** An in-test invoker factory whose runs end when the test says so. */
export class FakeInvokers implements InvokerFactory {
  readonly kinds = ["local"] as const;
  readonly launches: FakeLaunch[] = [];
  failLaunch: string | undefined;
  #waiting: Array<(l: FakeLaunch) => void> = [];

  create(ctx: InvokerContext): Invoker {
    // deno-lint-ignore no-this-alias
    const self = this;
    return {
      kind: "local",
      run(args: WorkflowCLIArgs, env: WorkflowCLIEnv): Promise<RunHandle> {
        if (self.failLaunch) return Promise.reject(new Error(self.failLaunch));
        let resolve!: (r: RunRecord) => void;
        const done = new Promise<RunRecord>((r) => resolve = r);
        let status: RunStatus = "running";
        const record = (
          o: Partial<RunRecord> & { status: RunStatus },
        ): RunRecord => ({
          id: ctx.run_id,
          workflow: ctx.workflow.name,
          invoker: "local",
          execution_mode: args.execution_mode,
          mock_io: args.mock_io,
          created_at: new Date().toISOString(),
          ...o,
        });
        const launch: FakeLaunch = {
          ctx,
          args,
          env,
          cancelled: false,
          finish(o) {
            if (status !== "running") return;
            status = o.status;
            resolve(record(o));
          },
        };
        self.launches.push(launch);
        for (const w of self.#waiting.splice(0)) w(launch);
        return Promise.resolve({
          id: ctx.run_id,
          status: () => Promise.resolve(status),
          wait: () => done,
          cancel() {
            launch.cancelled = true;
            launch.finish({ status: "cancelled", exit_code: 143 });
            return Promise.resolve();
          },
        });
      },
    };
  }

  /** Resolve when `n` launches happened. */
  async launched(n: number): Promise<FakeLaunch[]> {
    while (this.launches.length < n) {
      await new Promise<FakeLaunch>((r) => this.#waiting.push(r));
    }
    return this.launches.slice(0, n);
  }
}

/** A runner started as a subprocess with the runner's permission flags. */
export interface RunnerProcess {
  url: string;
  port: number;
  child: Deno.ChildProcess;
  stderr(): string;
  /** Send a signal and wait for the process and its output streams. */
  stop(signal?: Deno.Signal): Promise<Deno.CommandStatus>;
}

/** Start `deno run <flags> runner/main.ts --port 0 …` and wait for its listening line. */
export async function startRunner(
  opts: {
    workflows: string;
    data: string;
    token?: string;
    args?: string[];
  },
): Promise<RunnerProcess> {
  const env: Record<string, string> = { NO_COLOR: "1" };
  for (const k of ["PATH", "HOME", "DENO_DIR", "XDG_CACHE_HOME", "TMPDIR"]) {
    const v = Deno.env.get(k);
    if (v !== undefined) env[k] = v;
  }
  if (opts.token) env["WT_RUNNER_TOKEN"] = opts.token;
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      ...RUNNER_PERMISSION_FLAGS,
      join(RUNNER_DIR, "main.ts"),
      "--port",
      "0",
      "--workflows",
      opts.workflows,
      "--data",
      opts.data,
      ...(opts.args ?? []),
    ],
    env,
    clearEnv: true,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let err = "";
  const errDone = child.stderr.pipeThrough(new TextDecoderStream()).pipeTo(
    new WritableStream({ write: (t) => void (err += t) }),
  );
  let out = "";
  let onLine: ((line: string) => void) | undefined;
  const outDone = child.stdout.pipeThrough(new TextDecoderStream()).pipeTo(
    new WritableStream({
      write: (t) => {
        out += t;
        const nl = out.indexOf("\n");
        if (nl >= 0 && onLine) {
          onLine(out.slice(0, nl));
          onLine = undefined;
        }
      },
    }),
  );
  const stop = async (signal: Deno.Signal = "SIGTERM") => {
    try {
      child.kill(signal);
    } catch {
      // already exited
    }
    const status = await child.status;
    await Promise.allSettled([errDone, outDone]);
    return status;
  };
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const line = await Promise.race([
      new Promise<string>((r) => onLine = r),
      child.status.then((s) => {
        throw new Error(`runner exited (${s.code}) before listening:\n${err}`);
      }),
      new Promise<never>((_, reject) =>
        timer = setTimeout(
          () => reject(new Error(`runner did not start in 60 s:\n${err}`)),
          60_000,
        )
      ),
    ]);
    const info = JSON.parse(line) as { port: number; url: string };
    return {
      url: info.url.replace(/\/$/, ""),
      port: info.port,
      child,
      stderr: () => err,
      stop,
    };
  } catch (e) {
    await stop("SIGKILL");
    throw e;
  } finally {
    clearTimeout(timer);
  }
}

/** Poll until `check` returns a value (not `undefined`), or fail after `ms`. */
export async function eventually<T>(
  check: () => Promise<T | undefined>,
  ms = 30_000,
  what = "condition",
): Promise<T> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const v = await check();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out after ${ms} ms waiting for ${what}`);
}

/** Retry `fn` every 50 ms until it stops throwing; after `ms`, its last error is thrown. */
export async function untilPasses<T>(
  fn: () => T | Promise<T>,
  ms = 10_000,
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    try {
      return await fn();
    } catch (e) {
      if (Date.now() >= end) throw e;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}
