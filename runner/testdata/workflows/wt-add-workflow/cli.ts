// A hand-written stand-in for a compiled workflow CLI, used by the runner's tests.
// `run` adds total.a and total.b (after sleeping `sleep.seconds`, failing when `fail` is
// given) and writes result.json to the folder named by the file:// URL in WT_RESULTS.
import { fileURLToPath } from "node:url";

const [command, ...rest] = Deno.args;

function flag(name: string): string | undefined {
  const i = rest.indexOf(name);
  return i >= 0 ? rest[i + 1] : undefined;
}

async function readStdin(): Promise<unknown> {
  return JSON.parse(await new Response(Deno.stdin.readable).text());
}

interface Config {
  total: { a: number; b: number };
  sleep?: { seconds?: number };
  fail?: { message?: string };
}

if (command === "run") {
  const text = flag("--config-json") ??
    await Deno.readTextFile(flag("--config-file")!);
  const config = JSON.parse(text) as Config;
  const results = Deno.env.get("WT_RESULTS");
  if (!results) {
    console.error("WT_RESULTS is not set");
    Deno.exit(2);
  }
  console.log(
    `run ${Deno.env.get("WT_RUN_ID")} mode=${
      flag("--execution-mode")
    } mock_io=${rest.includes("--mock-io")} traceparent=${
      Deno.env.get("TRACEPARENT") ?? "-"
    } echo=${Deno.env.get("WT_ECHO_ENV") ?? "-"}`,
  );
  const dir = new URL(results).protocol === "file:"
    ? fileURLToPath(results)
    : results;
  await Deno.mkdir(dir, { recursive: true });
  // Tests use this to clean up runs orphaned by a killed runner.
  await Deno.writeTextFile(
    `${dir}/process.json`,
    JSON.stringify({ pid: Deno.pid, ppid: Deno.ppid }),
  );
  const seconds = config.sleep?.seconds ?? 0;
  if (seconds > 0) await new Promise((r) => setTimeout(r, seconds * 1000));
  const body = config.fail
    ? {
      result: null,
      error: config.fail.message ?? "failed on purpose",
      trace: "TaskInstanceError: task instance 'total' failed",
    }
    : { result: config.total.a + config.total.b, error: null, trace: null };
  await Deno.writeTextFile(`${dir}/result.json`, JSON.stringify(body));
  console.log("done");
  Deno.exit(config.fail ? 1 : 0);
} else if (command === "get") {
  const what = rest[0];
  if (what === "data-connection-property-names") {
    console.log(JSON.stringify({ result: ["er_client_name"] }));
  } else if (what === "params" || what === "rjsf") {
    console.log(await Deno.readTextFile(`${what}.json`));
  } else {
    console.error(`unknown: get ${what}`);
    Deno.exit(2);
  }
} else if (command === "convert") {
  console.log(JSON.stringify({ result: await readStdin() }));
} else {
  console.error(`unknown command ${command}`);
  Deno.exit(2);
}
