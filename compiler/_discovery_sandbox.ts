/**
 * Runs child `deno` processes for discovery with a time limit and bounded output capture
 * (private).
 *
 * @module
 */

/** The outcome of a child process. */
export interface ChildResult {
  /** Exit code (as reported by Deno; 128+n for a signal on Unix). */
  code: number;
  /** Signal that ended the process, if any. */
  signal: Deno.Signal | null;
  /** Decoded stdout (truncated at the capture limit). */
  stdout: string;
  /** Decoded stderr (truncated at the capture limit). */
  stderr: string;
  /** Whether the time limit killed the process. */
  timedOut: boolean;
  /** Whether an output stream exceeded the capture limit (the process was killed). */
  overflow: boolean;
}

/** Options of {@linkcode runChild}. */
export interface ChildOptions {
  /** Arguments after the executable. */
  args: string[];
  /** Working directory. */
  cwd: string;
  /** Environment; with `clearEnv`, the only variables the child sees. */
  env: Record<string, string>;
  /** Start from an empty environment. */
  clearEnv: boolean;
  /** Kill the child (SIGKILL) after this many milliseconds. */
  timeoutMs: number;
  /** Maximum bytes captured per stream; more kills the child. */
  maxOutputBytes: number;
}

/**
 * Read a stream fully, up to `limit` bytes; calls `onOverflow` once past the limit and keeps
 * draining (so the child never blocks on a full pipe).
 */
async function collect(
  stream: ReadableStream<Uint8Array>,
  limit: number,
  onOverflow: () => void,
): Promise<string> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  let over = false;
  for await (const chunk of stream) {
    if (over) continue;
    if (size + chunk.byteLength > limit) {
      chunks.push(chunk.subarray(0, limit - size));
      size = limit;
      over = true;
      onOverflow();
      continue;
    }
    chunks.push(chunk);
    size += chunk.byteLength;
  }
  const all = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    all.set(c, at);
    at += c.byteLength;
  }
  return new TextDecoder().decode(all);
}

/**
 * Run `Deno.execPath()` with the given arguments, stdin closed, output captured.
 *
 * @param options Arguments, cwd, environment, limits.
 * @returns Exit status and captured output.
 */
export async function runChild(options: ChildOptions): Promise<ChildResult> {
  const child = new Deno.Command(Deno.execPath(), {
    args: options.args,
    cwd: options.cwd,
    env: options.env,
    clearEnv: options.clearEnv,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let timedOut = false;
  let overflow = false;
  let killed = false;
  const kill = () => {
    if (killed) return;
    killed = true;
    try {
      child.kill("SIGKILL");
    } catch {
      // Already exited.
    }
  };
  const timer = setTimeout(() => {
    timedOut = true;
    kill();
  }, options.timeoutMs);
  try {
    const onOverflow = () => {
      overflow = true;
      kill();
    };
    const [stdout, stderr, status] = await Promise.all([
      collect(child.stdout, options.maxOutputBytes, onOverflow),
      collect(child.stderr, options.maxOutputBytes, onOverflow),
      child.status,
    ]);
    return {
      code: status.code,
      signal: status.signal,
      stdout,
      stderr,
      timedOut,
      overflow,
    };
  } finally {
    clearTimeout(timer);
  }
}
