// A stand-in for a compiled workflow CLI, for the benchmarks and the stress test: no
// imports, so a run costs little more than a `deno` start. `run` sleeps `work.ms`, then
// writes result.json ({result: work.value}) to the file:// folder named by WT_RESULTS, or
// a failure when `work.fail` is true. Its process id goes to process.json in that folder.
const [command, ...rest] = Deno.args;

function flag(name: string): string | undefined {
  const i = rest.indexOf(name);
  return i >= 0 ? rest[i + 1] : undefined;
}

interface Config {
  work?: { ms?: number; value?: number; fail?: boolean };
}

if (command === "run") {
  const text = flag("--config-json") ??
    await Deno.readTextFile(flag("--config-file") ?? "");
  const config = JSON.parse(text) as Config;
  const results = Deno.env.get("WT_RESULTS");
  if (!results?.startsWith("file://")) {
    console.error("WT_RESULTS must be a file:// URL");
    Deno.exit(2);
  }
  const dir = decodeURIComponent(new URL(results).pathname);
  await Deno.mkdir(dir, { recursive: true });
  // The stress test reads this to stop runs orphaned by a killed runner.
  await Deno.writeTextFile(
    `${dir}/process.json`,
    JSON.stringify({ pid: Deno.pid }),
  );
  const ms = config.work?.ms ?? 0;
  if (ms > 0) await new Promise((r) => setTimeout(r, ms));
  const failed = config.work?.fail === true;
  const body = failed
    ? { result: null, error: "failed on purpose", trace: "work failed" }
    : { result: config.work?.value ?? 0, error: null, trace: null };
  await Deno.writeTextFile(`${dir}/result.json`, JSON.stringify(body));
  Deno.exit(failed ? 1 : 0);
} else if (command === "get") {
  const what = rest[0];
  if (what === "params" || what === "rjsf") {
    console.log(await Deno.readTextFile(`${what}.json`));
  } else if (what === "data-connection-property-names") {
    console.log(JSON.stringify({ result: [] }));
  } else {
    console.error(`unknown: get ${what}`);
    Deno.exit(2);
  }
} else {
  console.error(`unknown command ${command}`);
  Deno.exit(2);
}
