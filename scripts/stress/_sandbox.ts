/**
 * The discovery sandbox against hostile task libraries: every denied permission (read
 * outside the allowed folders, write, net, env, run, ffi, sys, import), a library that never
 * finishes importing, one that exhausts memory, one that throws; and the permissions the
 * sandboxed registry CLI actually holds. Reuses `compiler/testdata/discovery` through
 * `discover()`.
 *
 * @module
 */
import { join } from "node:path";
import { discover, DiscoveryError } from "../../compiler/discovery.ts";
import type { Requirement } from "../../compiler/spec_model.ts";
import { ROOT } from "../bench/_process.ts";
import { type Check, expect } from "./_harness.ts";

const FIXTURES = join(ROOT, "compiler", "testdata", "discovery");
const pos = { line: 1, col: 1 };
const lib = (name: string): Requirement => ({
  name: `@wt-test/${name}`,
  path: `libs/${name}`,
  pos,
});
const base = { specDir: FIXTURES, link: ROOT, noCache: true } as const;

async function failure(
  promise: Promise<unknown>,
): Promise<DiscoveryError> {
  try {
    await promise;
  } catch (e) {
    if (e instanceof DiscoveryError) return e;
    throw new Error(
      `expected a DiscoveryError, got ${(e as Error).stack ?? e}`,
    );
  }
  throw new Error("discovery succeeded on a hostile library");
}

/**
 * The sandbox checks.
 *
 * @returns The checks.
 */
export function sandboxChecks(): Check[] {
  const denied: [string, string][] = [
    ["hostile_read", "read"],
    ["hostile_node_fs", "read"],
    ["hostile_sibling", "read"],
    ["hostile_write", "write"],
    ["hostile_net", "net"],
    ["hostile_fetch", "net"],
    ["hostile_env", "env"],
    ["hostile_run", "run"],
    ["hostile_ffi", "ffi"],
    ["hostile_sys", "sys"],
    ["hostile_import", "import"],
  ];
  const checks: Check[] = denied.map(([name, permission]) => ({
    name: `sandbox: ${name} is denied ${permission} access`,
    timeoutMs: 60_000,
    fn: async () => {
      const err = await failure(discover([lib(name)], base));
      expect(
        err.kind === "permission" && err.permission === permission,
        `expected a ${permission} permission failure, got ${err.kind}/${err.permission}: ${err.message}`,
      );
      expect(
        err.module === `@wt-test/${name}`,
        `the error names ${err.module}, not @wt-test/${name}`,
      );
    },
  }));
  checks.push(
    {
      name: "sandbox: the hostile write left no file behind",
      timeoutMs: 10_000,
      fn: async () => {
        let exists = true;
        try {
          await Deno.stat(join(FIXTURES, "libs", "hostile_write", "pwned.txt"));
        } catch {
          exists = false;
        }
        expect(!exists, "pwned.txt exists");
      },
    },
    {
      name:
        "sandbox: a secret in the compiler's environment does not reach the library",
      timeoutMs: 60_000,
      fn: async () => {
        Deno.env.set("WT_STRESS_SECRET", "s3cret");
        try {
          const err = await failure(discover([lib("hostile_env")], base));
          expect(err.permission === "env", `got ${err.kind}/${err.permission}`);
          expect(
            !err.message.includes("s3cret"),
            "the secret leaked into the error",
          );
        } finally {
          Deno.env.delete("WT_STRESS_SECRET");
        }
      },
    },
    {
      name: "sandbox: a library that never finishes importing times out",
      timeoutMs: 60_000,
      fn: async () => {
        const err = await failure(
          discover([lib("loops")], { ...base, timeoutMs: 3000 }),
        );
        expect(err.kind === "timeout", `got ${err.kind}: ${err.message}`);
      },
    },
    {
      name: "sandbox: a library that exhausts memory hits the cap",
      timeoutMs: 90_000,
      fn: async () => {
        const err = await failure(
          discover([lib("hog")], { ...base, memoryMb: 64, timeoutMs: 60_000 }),
        );
        expect(
          err.kind === "memory" || err.kind === "timeout",
          `got ${err.kind}: ${err.message}`,
        );
      },
    },
    {
      name: "sandbox: a library that throws at import is reported",
      timeoutMs: 60_000,
      fn: async () => {
        const err = await failure(discover([lib("throws")], base));
        expect(err.kind === "import", `got ${err.kind}: ${err.message}`);
      },
    },
    {
      name:
        "sandbox: the registry CLI holds no write, net, env, run, ffi, sys or import permission",
      timeoutMs: 60_000,
      fn: async () => {
        const out = await discover([lib("tiny")], {
          ...base,
          registryCli: join(FIXTURES, "probe_cli.ts"),
        });
        const probe = JSON.parse(
          out.entries["probe.probe"]?.metadata.description ?? "{}",
        ) as Record<string, unknown>;
        for (
          const p of [
            "write",
            "net",
            "env",
            "run",
            "ffi",
            "sys",
            "import",
          ]
        ) {
          expect(
            probe[p] === "denied",
            `permission ${p} is ${JSON.stringify(probe[p])} in the sandbox`,
          );
        }
        // Reads outside the allowed folders are not granted (`prompt` under --no-prompt
        // fails like `denied`; the hostile_read check above proves it).
        for (const p of ["readEtc", "readRoot"]) {
          expect(probe[p] !== "granted", `${p} is granted in the sandbox`);
        }
        expect(
          Array.isArray(probe["cwdEntries"]) &&
            (probe["cwdEntries"] as unknown[]).length === 0,
          `the working folder is not empty: ${
            JSON.stringify(probe["cwdEntries"])
          }`,
        );
        expect(
          probe["stdinRead"] === null,
          `stdin is not closed: read ${JSON.stringify(probe["stdinRead"])}`,
        );
      },
    },
  );
  return checks;
}
