import assert from "node:assert/strict";
import * as v from "valibot";
import {
  DEFAULT_RESULTS_ENV_VAR,
  LogLevel,
  WorkflowCLIArgs,
  workflowCliArgv,
  WorkflowCLIEnv,
  workflowCliEnv,
} from "./mod.ts";

Deno.test("WorkflowCLIArgs fills defaults and wants exactly one config source", async (t) => {
  await t.step("defaults", () => {
    assert.deepEqual(v.parse(WorkflowCLIArgs, { config_file: "c.json" }), {
      config_file: "c.json",
      execution_mode: "sequential",
      mock_io: false,
    });
  });
  await t.step("neither config_json nor config_file", () => {
    const r = v.safeParse(WorkflowCLIArgs, {});
    assert.equal(r.success, false);
    assert.match(
      r.issues?.[0]?.message ?? "",
      /exactly one of config_json and config_file/,
    );
  });
  await t.step("both", () => {
    assert.equal(
      v.is(WorkflowCLIArgs, { config_json: "{}", config_file: "c.json" }),
      false,
    );
  });
  await t.step("bad execution mode and empty file name", () => {
    assert.equal(
      v.is(WorkflowCLIArgs, { config_json: "{}", execution_mode: "fast" }),
      false,
    );
    assert.equal(v.is(WorkflowCLIArgs, { config_file: "" }), false);
  });
});

Deno.test("workflowCliArgv", async (t) => {
  await t.step("inline JSON, parallel, mock io", () => {
    assert.deepEqual(
      workflowCliArgv({
        config_json: '{"a": 1}',
        execution_mode: "parallel",
        mock_io: true,
      }),
      [
        "run",
        "--config-json",
        '{"a": 1}',
        "--execution-mode",
        "parallel",
        "--mock-io",
      ],
    );
  });
  await t.step("config file, defaults from the schema", () => {
    const args = v.parse(WorkflowCLIArgs, { config_file: "/tmp/params.json" });
    assert.deepEqual(workflowCliArgv(args), [
      "run",
      "--config-file",
      "/tmp/params.json",
      "--execution-mode",
      "sequential",
    ]);
  });
  await t.step("values are single arguments (no shell splitting)", () => {
    const argv = workflowCliArgv({
      config_json: '{"s": "a b; rm -rf /"}',
      execution_mode: "sequential",
      mock_io: false,
    });
    assert.equal(argv[2], '{"s": "a b; rm -rf /"}');
  });
});

Deno.test("WorkflowCLIEnv and workflowCliEnv", async (t) => {
  await t.step("defaults", () => {
    const env = v.parse(WorkflowCLIEnv, { results_url: "file:///tmp/r" });
    assert.equal(env.results_env_var, DEFAULT_RESULTS_ENV_VAR);
    assert.deepEqual(env.extra, {});
    assert.deepEqual(workflowCliEnv(env), { WT_RESULTS: "file:///tmp/r" });
  });
  await t.step("every variable", () => {
    const env = v.parse(WorkflowCLIEnv, {
      results_url: "gs://bucket/run",
      results_env_var: "MY_RESULTS",
      run_id: "r1",
      traceparent: "00-abc-def-01",
      tracestate: "k=v",
      log_level: "debug",
      extra: { DATA_TOKEN: "secret" },
    });
    assert.deepEqual(workflowCliEnv(env), {
      DATA_TOKEN: "secret",
      MY_RESULTS: "gs://bucket/run",
      WT_RUN_ID: "r1",
      TRACEPARENT: "00-abc-def-01",
      TRACESTATE: "k=v",
      WT_LOG_LEVEL: "debug",
    });
  });
  await t.step(
    "extra never overrides the results URL, run id or trace context",
    () => {
      const vars = workflowCliEnv(v.parse(WorkflowCLIEnv, {
        results_url: "file:///real",
        run_id: "real",
        traceparent: "real",
        extra: {
          WT_RESULTS: "file:///fake",
          WT_RUN_ID: "fake",
          TRACEPARENT: "fake",
          OTHER: "x",
        },
      }));
      assert.equal(vars["WT_RESULTS"], "file:///real");
      assert.equal(vars["WT_RUN_ID"], "real");
      assert.equal(vars["TRACEPARENT"], "real");
      assert.equal(vars["OTHER"], "x");
    },
  );
  await t.step("invalid values", () => {
    assert.equal(v.is(WorkflowCLIEnv, { results_url: "" }), false);
    assert.equal(
      v.is(WorkflowCLIEnv, { results_url: "x", results_env_var: "1BAD" }),
      false,
    );
    assert.equal(
      v.is(WorkflowCLIEnv, { results_url: "x", results_env_var: "A-B" }),
      false,
    );
    assert.equal(
      v.is(WorkflowCLIEnv, { results_url: "x", log_level: "loud" }),
      false,
    );
    assert.equal(
      v.is(WorkflowCLIEnv, { results_url: "x", extra: { A: 1 } }),
      false,
    );
  });
  await t.step("log levels", () => {
    for (const level of ["debug", "info", "warn", "error"]) {
      assert.equal(v.is(LogLevel, level), true);
    }
    assert.equal(v.is(LogLevel, "trace"), false);
  });
});
