/**
 * The error type of task discovery (private module; re-exported by `discovery.ts`).
 *
 * @module
 */

/**
 * What went wrong during discovery:
 * - `unsupported`: a requirement cannot be installed by Deno (a conda channel);
 * - `config`: a requirement's folder or `deno.json` is missing or malformed;
 * - `resolve`: resolving and caching the dependencies failed;
 * - `permission`: a task library touched a permission the sandbox denies;
 * - `import`: importing a task library threw;
 * - `timeout`: the sandboxed registry CLI ran longer than the time limit;
 * - `memory`: it exceeded the memory cap;
 * - `output`: it printed something that is not a valid `RegistryOutput`.
 *
 * @example
 * ```ts
 * import type { DiscoveryErrorKind } from "./discovery.ts";
 *
 * const retryable = (kind: DiscoveryErrorKind): boolean => kind === "resolve" || kind === "timeout";
 * console.assert(retryable("timeout") && !retryable("permission"));
 * ```
 */
export type DiscoveryErrorKind =
  | "unsupported"
  | "config"
  | "resolve"
  | "permission"
  | "import"
  | "timeout"
  | "memory"
  | "output";

/**
 * Details attached to a {@linkcode DiscoveryError}.
 *
 * @example
 * ```ts
 * import type { DiscoveryErrorDetails } from "./discovery.ts";
 *
 * const details: DiscoveryErrorDetails = { kind: "permission", module: "@acme/tasks", permission: "net" };
 * console.assert(details.permission === "net");
 * ```
 */
export interface DiscoveryErrorDetails {
  /** What went wrong. */
  kind: DiscoveryErrorKind;
  /** The module (requirement name or specifier) the failure is attributed to, if known. */
  module?: string | undefined;
  /** For `permission`: the denied permission (`read`, `write`, `net`, `env`, `run`, `ffi`, `sys`, `import`). */
  permission?: string | undefined;
  /** For `permission`: what the library tried to access (a path, host, variable…), if reported. */
  target?: string | undefined;
  /** The tail of the child process's stderr, if any. */
  stderr?: string | undefined;
  /** The underlying error, if any. */
  cause?: unknown;
}

/**
 * Discovery of the tasks of a spec's requirements failed. The message says which module,
 * what failed (for a sandbox denial: the denied permission) and how to fix it; the fields
 * carry the same facts for programs.
 *
 * @example
 * ```ts
 * import { DiscoveryError } from "./discovery.ts";
 *
 * const err = new DiscoveryError("denied", {
 *   kind: "permission",
 *   module: "@acme/tasks",
 *   permission: "env",
 * });
 * console.assert(err.name === "DiscoveryError" && err.permission === "env");
 * ```
 */
export class DiscoveryError extends Error {
  /** What went wrong. */
  readonly kind: DiscoveryErrorKind;
  /** The module the failure is attributed to, if known. */
  readonly module: string | undefined;
  /** For sandbox denials: the denied permission. */
  readonly permission: string | undefined;
  /** For sandbox denials: the resource the library tried to access, if known. */
  readonly target: string | undefined;
  /** The tail of the child process's stderr, if any. */
  readonly stderr: string | undefined;

  /**
   * Create a discovery error.
   *
   * @param message Full message: what failed, where, and the fix.
   * @param details Kind, module, permission and stderr.
   */
  constructor(message: string, details: DiscoveryErrorDetails) {
    super(
      message,
      details.cause === undefined ? undefined : { cause: details.cause },
    );
    this.name = "DiscoveryError";
    this.kind = details.kind;
    this.module = details.module;
    this.permission = details.permission;
    this.target = details.target;
    this.stderr = details.stderr;
  }
}
