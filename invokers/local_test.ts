import assert from "node:assert/strict";
import { fileURLToPath as fromFileUrl } from "node:url";
import type { WorkflowCLIArgs, WorkflowCLIEnv } from "@wt/contracts";
import { InvokerError, LocalInvoker } from "./mod.ts";
import { isAlive } from "./_process_tree.ts";

/**
 * The workflow workspace under test: a copy of `testdata/workflow` (a stand-in for a
 * compiled workflow whose config selects a behaviour, see its cli.ts) in a temporary
 * folder. Set WT_INVOKERS_WORKFLOW_DIR to run the generic cases against another workspace
 * that follows the same config conventions.
 */
async function workspace(): Promise<{ dir: string; root: string }> {
  const root = await Deno.makeTempDir({ prefix: "wt-invokers-test-" });
  const dir = `${root}/wt-fixture-workflow`;
  await Deno.mkdir(dir);
  const src = Deno.env.get("WT_INVOKERS_WORKFLOW_DIR") ??
    fromFileUrl(new URL("./testdata/workflow", import.meta.url));
  for await (const e of Deno.readDir(src)) {
    if (e.isFile) await Deno.copyFile(`${src}/${e.name}`, `${dir}/${e.name}`);
  }
  return { dir, root };
}

function cliArgs(
  config: unknown,
  extra: Partial<WorkflowCLIArgs> = {},
): WorkflowCLIArgs {
  return {
    config_json: JSON.stringify(config),
    execution_mode: "sequential",
    mock_io: false,
    ...extra,
  };
}

function cliEnv(
  root: string,
  name: string,
  extra: Partial<WorkflowCLIEnv> = {},
): WorkflowCLIEnv {
  return {
    results_url: `file://${root}/results/${name}`,
    results_env_var: "WT_RESULTS",
    extra: {},
    ...extra,
  };
}

async function waitForFile(path: string, timeoutMs = 20_000): Promise<string> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    try {
      const text = await Deno.readTextFile(path);
      if (text) return text;
    } catch {
      // not yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${path} did not appear within ${timeoutMs} ms`);
}

Deno.test("LocalInvoker", async (t) => {
  const { dir, root } = await workspace();
  try {
    await t.step("success: result from result.json, full record", async () => {
      const invoker = new LocalInvoker({
        workflowDir: dir,
        logDir: `${root}/logs`,
      });
      assert.equal(invoker.kind, "local");
      const run = await invoker.run(
        cliArgs({ add: { a: 1, b: 2 } }),
        cliEnv(root, "ok", { run_id: "run-ok" }),
      );
      assert.equal(run.id, "run-ok");
      assert.equal(await run.status(), "running");
      const rec = await run.wait();
      assert.equal(rec.status, "succeeded");
      assert.equal(rec.result, 3);
      assert.equal(rec.error, null);
      assert.equal(rec.trace, null);
      assert.equal(rec.exit_code, 0);
      assert.equal(rec.reason, null);
      assert.equal(rec.invoker, "local");
      assert.equal(rec.workflow, "wt-fixture-workflow");
      assert.deepEqual(rec.params, { add: { a: 1, b: 2 } });
      assert.equal(rec.results_url, `file://${root}/results/ok`);
      assert.ok(rec.started_at && rec.finished_at);
      assert.ok(rec.created_at <= rec.started_at!);
      assert.ok(rec.started_at! <= rec.finished_at!);
      assert.equal(await run.status(), "succeeded");
      assert.equal(await run.wait(), rec, "wait() returns the same record");
      assert.equal(run.logFile, `${root}/logs/run-ok.log`);
    });

    await t.step("task failure captured in result.json", async () => {
      const run = await new LocalInvoker({ workflowDir: dir }).run(
        cliArgs({ fail: "task boom failed: division by zero" }),
        cliEnv(root, "fail"),
      );
      const rec = await run.wait();
      assert.equal(rec.status, "failed");
      assert.equal(rec.error, "task boom failed: division by zero");
      assert.match(rec.trace ?? "", /task instance "boom"/);
      assert.equal(rec.exit_code, 1);
      assert.equal(rec.reason, null);
      await Deno.remove(run.logFile);
    });

    await t.step(
      "crash without result.json: exit code and log tail",
      async () => {
        const run = await new LocalInvoker({ workflowDir: dir }).run(
          cliArgs({ crash: 3 }),
          cliEnv(root, "crash"),
        );
        const rec = await run.wait();
        assert.equal(rec.status, "failed");
        assert.equal(rec.exit_code, 3);
        assert.match(rec.error ?? "", /exited with code 3/);
        assert.match(rec.error ?? "", /no result\.json at/);
        assert.match(rec.error ?? "", /crashing with code 3/);
        await Deno.remove(run.logFile);
      },
    );

    await t.step(
      "a stale result.json is not reported as this run's",
      async () => {
        await Deno.mkdir(`${root}/results/stale`, { recursive: true });
        await Deno.writeTextFile(
          `${root}/results/stale/result.json`,
          '{"result":"old","error":null,"trace":null}',
        );
        const run = await new LocalInvoker({ workflowDir: dir }).run(
          cliArgs({ crash: 4 }),
          cliEnv(root, "stale"),
        );
        const rec = await run.wait();
        assert.equal(rec.status, "failed");
        assert.notEqual(rec.result, "old");
        await Deno.remove(run.logFile);
      },
    );

    await t.step("timeout kills the whole process tree", async () => {
      const env = cliEnv(root, "timeout");
      const run = await new LocalInvoker({
        workflowDir: dir,
        timeoutMs: 3000,
        killGraceMs: 500,
      }).run(cliArgs({ grandchild: true }), env);
      const pidText = await waitForFile(
        `${fromFileUrl(env.results_url)}/grandchild.pid`,
      );
      const grandchild = Number(pidText);
      assert.ok(
        await isAlive(grandchild),
        "grandchild sleep runs before timeout",
      );
      const rec = await run.wait();
      assert.equal(rec.status, "failed");
      assert.equal(rec.reason, "timeout");
      assert.match(rec.error ?? "", /timed out after 3000 ms/);
      assert.equal(await isAlive(grandchild), false, "grandchild killed");
      assert.equal(await isAlive(run.pid), false, "deno task killed");
      const log = await Deno.readTextFile(run.logFile);
      assert.match(log, /timed out: stopping pid \d+ and descendants/);
      await Deno.remove(run.logFile);
    });

    await t.step("cancel stops the tree; idempotent", async () => {
      const env = cliEnv(root, "cancel");
      const run = await new LocalInvoker({ workflowDir: dir, killGraceMs: 500 })
        .run(cliArgs({ grandchild: true }), env);
      const grandchild = Number(
        await waitForFile(`${fromFileUrl(env.results_url)}/grandchild.pid`),
      );
      await run.cancel();
      assert.equal(await run.status(), "cancelled");
      const rec = await run.wait();
      assert.equal(rec.status, "cancelled");
      assert.equal(rec.reason, "cancelled");
      assert.equal(await isAlive(grandchild), false, "grandchild killed");
      await run.cancel();
      assert.equal((await run.wait()).status, "cancelled");
      await Deno.remove(run.logFile);
    });

    await t.step(
      "cancel also kills a descendant that left the process group",
      async () => {
        const env = cliEnv(root, "escapee");
        const run = await new LocalInvoker({
          workflowDir: dir,
          killGraceMs: 500,
        })
          .run(cliArgs({ grandchild: "detached" }), env);
        const grandchild = Number(
          await waitForFile(`${fromFileUrl(env.results_url)}/grandchild.pid`),
        );
        const pgid = (await Deno.readTextFile(`/proc/${grandchild}/stat`))
          .split(") ")[1]!.split(" ")[2];
        assert.notEqual(
          Number(pgid),
          run.pid,
          "grandchild is in another group",
        );
        await run.cancel();
        assert.equal((await run.wait()).status, "cancelled");
        assert.equal(await isAlive(grandchild), false, "grandchild killed");
        await Deno.remove(run.logFile);
      },
    );

    await t.step(
      "a background process holding the pipes does not block wait()",
      async () => {
        const env = cliEnv(root, "leftover");
        const run = await new LocalInvoker({ workflowDir: dir }).run(
          cliArgs({ leave_behind: true }),
          env,
        );
        const leftover = Number(
          await waitForFile(`${fromFileUrl(env.results_url)}/leftover.pid`),
        );
        try {
          const rec = await run.wait();
          assert.equal(rec.status, "succeeded");
          assert.equal(rec.result, "left");
          assert.match(
            await Deno.readTextFile(run.logFile),
            /output pipes still open 1000 ms after exit/,
          );
        } finally {
          Deno.kill(leftover, "SIGKILL");
        }
        await Deno.remove(run.logFile);
      },
    );

    await t.step("cancel after the end is a no-op", async () => {
      const run = await new LocalInvoker({ workflowDir: dir }).run(
        cliArgs({ add: { a: 2, b: 2 } }),
        cliEnv(root, "late-cancel"),
      );
      await run.wait();
      await run.cancel();
      assert.equal(await run.status(), "succeeded");
      await Deno.remove(run.logFile);
    });

    await t.step(
      "5 concurrent runs without blocking the event loop",
      async () => {
        let ticks = 0;
        const ticker = setInterval(() => ticks++, 20);
        const started = Date.now();
        try {
          const runs = await Promise.all(
            [0, 1, 2, 3, 4].map((i) =>
              new LocalInvoker({ workflowDir: dir, logDir: `${root}/logs` })
                .run(
                  cliArgs({ add: { a: i, b: 100 }, sleep_ms: 600 }),
                  cliEnv(root, `many-${i}`, { run_id: `many-${i}` }),
                )
            ),
          );
          const recs = await Promise.all(runs.map((r) => r.wait()));
          assert.deepEqual(
            recs.map((r) => r.status),
            Array(5).fill("succeeded"),
          );
          assert.deepEqual(recs.map((r) => r.result), [
            100,
            101,
            102,
            103,
            104,
          ]);
          assert.deepEqual(
            recs.map((r) => r.id),
            [0, 1, 2, 3, 4].map((i) => `many-${i}`),
          );
          const elapsed = Date.now() - started;
          assert.ok(elapsed < 5 * 600, `runs overlapped (${elapsed} ms for 5)`);
          assert.ok(ticks >= 10, `event loop kept ticking (${ticks} ticks)`);
        } finally {
          clearInterval(ticker);
        }
      },
    );

    await t.step(
      "a second run on a busy invoker is InvokerError busy",
      async () => {
        const invoker = new LocalInvoker({ workflowDir: dir });
        const first = await invoker.run(
          cliArgs({ sleep_ms: 300 }),
          cliEnv(root, "busy-1", { run_id: "busy-1" }),
        );
        await assert.rejects(
          invoker.run(cliArgs({ add: { a: 1, b: 1 } }), cliEnv(root, "busy-2")),
          (e: unknown) =>
            e instanceof InvokerError && e.code === "busy" &&
            e.message.includes("busy-1"),
        );
        assert.equal((await first.wait()).result, "slept");
        assert.equal(invoker.current, first);
        const again = await invoker.run(
          cliArgs({ add: { a: 1, b: 1 } }),
          cliEnv(root, "busy-3"),
        );
        assert.equal((await again.wait()).result, 2);
        await Deno.remove(first.logFile);
        await Deno.remove(again.logFile);
      },
    );

    await t.step(
      "environment: only the run's variables and deno's own",
      async () => {
        Deno.env.set("LEAK_ME", "parent-secret");
        try {
          const config = {
            echo: true,
            results_var: "MY_RESULTS",
            note: 'it\'s "quoted" $HOME `x` ; rm -rf /',
          };
          const run = await new LocalInvoker({ workflowDir: dir }).run(
            cliArgs(config, { execution_mode: "parallel", mock_io: true }),
            cliEnv(root, "env", {
              results_env_var: "MY_RESULTS",
              run_id: "env-run",
              traceparent:
                "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
              tracestate: "congo=t61rcWkgMzE",
              log_level: "debug",
              extra: {
                SECRET_TOKEN: "s3cr3t",
                MY_RESULTS: "must-not-override",
              },
            }),
          );
          const rec = await run.wait();
          assert.equal(rec.status, "succeeded", String(rec.error));
          const out = rec.result as {
            argv: string[];
            env: Record<string, string>;
            mode: string;
            mockIo: boolean;
            cwd: string;
          };
          assert.deepEqual(out.argv, [
            "run",
            "--config-json",
            JSON.stringify(config),
            "--execution-mode",
            "parallel",
            "--mock-io",
          ]);
          assert.equal(out.env.MY_RESULTS, `file://${root}/results/env`);
          assert.equal(out.env.WT_RESULTS, undefined);
          assert.equal(out.env.WT_RUN_ID, "env-run");
          assert.equal(
            out.env.TRACEPARENT,
            "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
          );
          assert.equal(out.env.TRACESTATE, "congo=t61rcWkgMzE");
          assert.equal(out.env.WT_LOG_LEVEL, "debug");
          assert.equal(out.env.SECRET_TOKEN, "s3cr3t");
          assert.equal(
            out.env.LEAK_ME,
            undefined,
            "parent variables are cleared",
          );
          assert.equal(out.env.PATH, Deno.env.get("PATH"));
          assert.equal(out.cwd, dir);
          await Deno.remove(run.logFile);
        } finally {
          Deno.env.delete("LEAK_ME");
        }
      },
    );

    await t.step("generated run id is passed as WT_RUN_ID", async () => {
      const run = await new LocalInvoker({ workflowDir: dir }).run(
        cliArgs({ echo: true }),
        cliEnv(root, "gen-id"),
      );
      const rec = await run.wait();
      assert.match(run.id, /^[0-9a-f-]{36}$/);
      assert.equal(
        (rec.result as { env: Record<string, string> }).env.WT_RUN_ID,
        run.id,
      );
      await Deno.remove(run.logFile);
    });

    await t.step("config file (relative path resolved)", async () => {
      await Deno.writeTextFile(
        `${root}/config.json`,
        '{"add":{"a":20,"b":22}}',
      );
      const cwd = Deno.cwd();
      Deno.chdir(root);
      try {
        const run = await new LocalInvoker({ workflowDir: dir }).run(
          {
            config_file: "config.json",
            execution_mode: "sequential",
            mock_io: false,
          },
          cliEnv(root, "file"),
        );
        assert.equal((await run.wait()).result, 42);
        await Deno.remove(run.logFile);
      } finally {
        Deno.chdir(cwd);
      }
    });

    await t.step(
      "log file holds stdout, stderr and the invoker's notes",
      async () => {
        const logFile = `${root}/one.log`;
        const run = await new LocalInvoker({ workflowDir: dir, logFile }).run(
          cliArgs({ print: "hello log" }),
          cliEnv(root, "log", { run_id: "log-run" }),
        );
        await run.wait();
        assert.equal(run.logFile, logFile);
        const log = await Deno.readTextFile(logFile);
        assert.match(log, /^\[wt\] \S+ run log-run: deno task workflow "run"/);
        assert.match(log, /^out: hello log$/m);
        assert.match(log, /^err: hello log$/m);
        assert.match(log, /\[wt\] \S+ process exited with code 0\n$/);
      },
    );

    await t.step("invalid requests are InvokerError invalid", async () => {
      const invoker = new LocalInvoker({ workflowDir: dir });
      await assert.rejects(
        invoker.run(
          {
            config_json: "{}",
            config_file: "x.json",
            execution_mode: "sequential",
            mock_io: false,
          },
          cliEnv(root, "bad"),
        ),
        (e: unknown) => e instanceof InvokerError && e.code === "invalid",
      );
      await assert.rejects(
        invoker.run(
          cliArgs({}),
          cliEnv(root, "bad", { results_url: "http://x/y" }),
        ),
        (e: unknown) => e instanceof InvokerError && e.code === "invalid",
      );
      assert.throws(
        () => new LocalInvoker({ workflowDir: dir, timeoutMs: -1 }),
        (e: unknown) => e instanceof InvokerError && e.code === "invalid",
      );
    });

    await t.step(
      "a folder without deno.json is refused at launch",
      async () => {
        await Deno.mkdir(`${root}/empty`, { recursive: true });
        await assert.rejects(
          new LocalInvoker({ workflowDir: `${root}/empty` }).run(
            cliArgs({}),
            cliEnv(root, "empty"),
          ),
          (e: unknown) =>
            e instanceof InvokerError && e.code === "launch" &&
            /not a compiled workflow workspace/.test(e.message),
        );
      },
    );

    await t.step("launch failure is InvokerError launch", async () => {
      const invoker = new LocalInvoker({
        workflowDir: dir,
        denoPath: `${root}/no-such-deno`,
      });
      await assert.rejects(
        invoker.run(cliArgs({}), cliEnv(root, "nolaunch")),
        (e: unknown) => e instanceof InvokerError && e.code === "launch",
      );
      await Deno.writeTextFile(`${root}/a-file`, "");
      await assert.rejects(
        new LocalInvoker({ workflowDir: dir, logDir: `${root}/a-file/logs` })
          .run(
            cliArgs({}),
            cliEnv(root, "nolog"),
          ),
        (e: unknown) =>
          e instanceof InvokerError && e.code === "launch" &&
          /cannot open log file .*a-file\/logs\/[0-9a-f-]{36}\.log: Not a directory/
            .test(e.message),
      );
      // The failed launch does not leave the invoker busy.
      await assert.rejects(
        invoker.run(cliArgs({}), cliEnv(root, "nolaunch")),
        (e: unknown) => e instanceof InvokerError && e.code === "launch",
      );
    });
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
