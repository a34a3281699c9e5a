/**
 * Fuzz checks (`fast-check`):
 *
 * - the spec parser and validator (`checkSpec`, then `generateSchemas` for specs without
 *   errors) on raw text, arbitrary YAML documents, spec-shaped documents with random ids,
 *   tasks, references and expressions, and byte-level mutations of real specs: never a
 *   thrown exception, never an `internal` diagnostic, every diagnostic located in the text;
 * - the compiled workflow's config input: `validateConfig` and `execute` of a compiled
 *   example in-process on thousands of arbitrary configs (a driver inside the compiled
 *   workspace), and the CLI (`src/cli.ts run --config-json/--config-file`) as a subprocess
 *   on a few hundred: exit code 0, 1 or 2 with a message, never an uncaught exception.
 *
 * @module
 */
import fc from "fast-check";
import { stringify } from "yaml";
import { join } from "node:path";
import { Catalogue } from "../../compiler/catalogue.ts";
import { discover } from "../../compiler/discovery.ts";
import { parseSpec } from "../../compiler/parse.ts";
import { generateSchemas } from "../../compiler/schemas.ts";
import { checkSpec } from "../../compiler/validate.ts";
import { compile } from "../../compiler/compile.ts";
import type { Spec } from "../../compiler/spec_model.ts";
import { sizedSpec } from "../bench/specs.ts";
import { ROOT } from "../bench/_process.ts";
import { type Check, expect } from "./_harness.ts";

const EXAMPLES = [
  "chaining-tasks",
  "map",
  "features",
  "partial",
  "single-task",
];

async function catalogueFor(work: string): Promise<Catalogue> {
  const specDir = join(ROOT, "examples", "features");
  const { spec } = parseSpec(
    await Deno.readTextFile(join(specDir, "spec.yaml")),
    "spec.yaml",
  );
  return new Catalogue(
    await discover(spec!.requirements, {
      specDir,
      link: ROOT,
      cacheDir: join(work, "discovery-cache"),
    }),
  );
}

/** How many checked specs had no errors (and went on to `generateSchemas`). */
let validSpecs = 0;

/** Check one spec text; a description of the problem, or undefined. */
function checkOne(text: string, catalogue: Catalogue): string | undefined {
  let result;
  try {
    result = checkSpec(text, "spec.yaml", catalogue);
  } catch (e) {
    return `checkSpec threw ${(e as Error).stack ?? e}`;
  }
  const lines = text.split(/\r\n|\r|\n/).length + 1;
  for (const d of result.diagnostics) {
    if (d.code === "internal") return `internal diagnostic: ${d.message}`;
    if (
      !Number.isInteger(d.line) || d.line < 1 || d.line > lines ||
      !Number.isInteger(d.col) || d.col < 1 || !d.message
    ) {
      return `diagnostic not located in the text: ${JSON.stringify(d)}`;
    }
  }
  const spec: Spec | undefined = result.spec;
  if (spec && !result.diagnostics.some((d) => d.severity === "error")) {
    validSpecs++;
    try {
      generateSchemas(spec, (i) => catalogue.entryFor(i.task));
    } catch (e) {
      return `generateSchemas threw on a valid spec: ${
        (e as Error).stack ?? e
      }`;
    }
  }
  return undefined;
}

const ids = [
  "total",
  "doubled",
  "digits",
  "parsed",
  "labels",
  "x",
  "w",
  "class",
  "a-b",
  "",
];
const tasks = [
  "add",
  "double",
  "multiply",
  "split_digits",
  "parse_int",
  "to_label",
  "sum_list",
  "greet",
  "fetch_numbers",
  "any_dependency_skipped",
  "nope",
  "@wt-examples/custom-tasks.add",
  "@wt-examples/custom-tasks.nope",
];
const args = [
  "a",
  "b",
  "n",
  "s",
  "values",
  "prefix",
  "name",
  "url",
  "count",
  "zzz",
];

const expression = fc.oneof(
  fc.constantFrom(...ids).map((id) => `\${{ workflow.${id}.return }}`),
  fc.constantFrom(...ids).map((id) => `\${{workflow.${id}.return}}`),
  fc.constantFrom("HOME", "WT_X", "", "1A").map((v) => `\${{ env.${v} }}`),
  fc.constantFrom(
    "${{ }}",
    "${{ workflow. }}",
    "${{ workflow.x.y.z }}",
    "${{ secrets.X }}",
    "${{",
    "prefix ${{ workflow.total.return }}",
  ),
);
const leaf = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.string({ maxLength: 8 }),
  expression,
);
const value = fc.letrec((tie) => ({
  v: fc.oneof(
    { depthSize: "small" },
    leaf,
    fc.array(tie("v"), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom(...args), tie("v"), { maxKeys: 3 }),
  ),
})).v;
const mapSpec = fc.record({
  argnames: fc.oneof(
    fc.constantFrom(...args),
    fc.array(fc.constantFrom(...args), { maxLength: 3 }),
  ),
  argvalues: fc.oneof(
    expression,
    fc.array(fc.oneof(expression, value), { maxLength: 3 }),
  ),
}, { requiredKeys: [] });
const instance = fc.record({
  id: fc.constantFrom(...ids),
  name: fc.oneof(fc.string({ maxLength: 10 }), fc.constant(null)),
  task: fc.constantFrom(...tasks),
  partial: fc.dictionary(fc.constantFrom(...args), value, { maxKeys: 3 }),
  map: mapSpec,
  mapvalues: mapSpec,
  skipif: fc.record({
    conditions: fc.array(fc.constantFrom(...tasks), { maxLength: 2 }),
    unpack_depth: fc.integer({ min: -1, max: 3 }),
  }, { requiredKeys: [] }),
  junk: value,
}, { requiredKeys: ["id", "task"] });
const group = fc.record({
  type: fc.constant("task-group"),
  title: fc.string({ maxLength: 10 }),
  description: fc.string({ maxLength: 10 }),
  tasks: fc.array(instance, { maxLength: 3 }),
}, { requiredKeys: ["type", "tasks"] });
const specDoc = fc.record({
  id: fc.oneof(
    fc.constantFrom("wf", "total", "class", ""),
    fc.string({ maxLength: 6 }),
  ),
  requirements: fc.constant([{
    name: "@wt-examples/custom-tasks",
    path: "../custom-tasks",
  }]),
  "task-instance-defaults": fc.record({
    skipif: fc.record({
      conditions: fc.array(fc.constantFrom(...tasks), { maxLength: 2 }),
    }),
  }),
  "rjsf-overrides": fc.dictionary(fc.string({ maxLength: 12 }), value, {
    maxKeys: 2,
  }),
  workflow: fc.array(
    fc.oneof({ weight: 4, arbitrary: instance }, {
      weight: 1,
      arbitrary: group,
    }),
    {
      maxLength: 8,
    },
  ),
}, { requiredKeys: ["id", "requirements", "workflow"] });

/** Arguments of the example tasks, and which of them return integers. */
const SIGNATURES: Record<string, string[]> = {
  add: ["a", "b"],
  multiply: ["a", "b"],
  double: ["n"],
  to_label: ["n", "prefix"],
  split_digits: ["n"],
  parse_int: ["s"],
  sum_list: ["values"],
  greet: ["name"],
};
const INT_TASKS = ["add", "multiply", "double", "parse_int", "sum_list"];

/**
 * Plausible specs: instances in dependency order whose arguments are left to the form,
 * bound to literals (right or wrong type) or to earlier instances, with occasional `map`
 * fan-out, task groups and mistakes (duplicate id, forward reference, unknown argument).
 */
const plausibleSpec = fc.array(
  fc.record({
    task: fc.constantFrom(...Object.keys(SIGNATURES)),
    binds: fc.array(
      fc.tuple(
        fc.nat(3),
        fc.nat(),
        fc.oneof(
          fc.integer({ min: -999, max: 999 }),
          fc.string({ maxLength: 4 }),
        ),
      ),
      { maxLength: 3 },
    ),
    fanOut: fc.boolean(),
    grouped: fc.nat(5),
    mistake: fc.nat(40),
  }),
  { minLength: 1, maxLength: 12 },
).map((items) => {
  const workflow: Record<string, unknown>[] = [];
  const intIds: string[] = [];
  const listIds: string[] = [];
  items.forEach((it, i) => {
    const id = it.mistake === 0 && i > 0 ? `t${i - 1}` : `t${i}`;
    const params = SIGNATURES[it.task]!;
    const partial: Record<string, unknown> = {};
    const inst: Record<string, unknown> = { id, task: it.task };
    for (const [how, pick, literal] of it.binds) {
      const arg = params[pick % params.length]!;
      if (how === 0) partial[arg] = literal;
      else if (how === 1 && intIds.length) {
        partial[arg] = `\${{ workflow.${
          intIds[pick % intIds.length]
        }.return }}`;
      } else if (how === 2 && arg === "values") {
        partial[arg] = intIds.slice(0, 3).map((r) =>
          `\${{ workflow.${r}.return }}`
        );
      } else if (how === 3 && it.mistake === 1) partial["zzz"] = literal;
    }
    if (it.mistake === 2) {
      partial[params[0]!] = `\${{ workflow.t${i + 1}.return }}`;
    }
    if (it.fanOut && listIds.length && params.length === 1) {
      inst["map"] = {
        argnames: params[0],
        argvalues: `\${{ workflow.${listIds[0]}.return }}`,
      };
      delete partial[params[0]!];
    }
    if (Object.keys(partial).length) inst["partial"] = partial;
    if (it.grouped === 0) {
      workflow.push({ type: "task-group", title: `Group ${i}`, tasks: [inst] });
    } else workflow.push(inst);
    if (INT_TASKS.includes(it.task) && !inst["map"]) intIds.push(id);
    if (it.task === "split_digits" && !inst["map"]) listIds.push(id);
  });
  return stringify({
    id: "plausible",
    requirements: [{
      name: "@wt-examples/custom-tasks",
      path: "../custom-tasks",
    }],
    workflow,
  });
});

/** A random edit of a text: delete, insert, duplicate or swap. */
const edit = fc.record({
  kind: fc.constantFrom(
    "delete",
    "insert",
    "duplicate",
    "swap-lines",
    "tab",
    "truncate",
  ),
  at: fc.nat(),
  len: fc.integer({ min: 1, max: 12 }),
  junk: fc.constantFrom(
    "\t",
    ":",
    "- ",
    "${{",
    "}}",
    '"',
    "'",
    "[",
    "{",
    "#",
    "\n",
    "&a",
    "*a",
    "!!str ",
    "<<: ",
  ),
});
type Edit = typeof edit extends fc.Arbitrary<infer T> ? T : never;

function applyEdits(text: string, edits: Edit[]): string {
  let t = text;
  for (const e of edits) {
    const at = t.length ? e.at % t.length : 0;
    switch (e.kind) {
      case "delete":
        t = t.slice(0, at) + t.slice(at + e.len);
        break;
      case "insert":
        t = t.slice(0, at) + e.junk + t.slice(at);
        break;
      case "duplicate":
        t = t.slice(0, at + e.len) + t.slice(at, at + e.len) +
          t.slice(at + e.len);
        break;
      case "swap-lines": {
        const lines = t.split("\n");
        const i = at % lines.length;
        const j = (i + e.len) % lines.length;
        [lines[i], lines[j]] = [lines[j]!, lines[i]!];
        t = lines.join("\n");
        break;
      }
      case "tab":
        t = t.slice(0, at) + "\t" + t.slice(at);
        break;
      case "truncate":
        t = t.slice(0, at);
        break;
    }
  }
  return t;
}

/**
 * The spec fuzz checks.
 *
 * @param work A temporary folder.
 * @param runs Cases per property.
 * @returns The checks.
 */
export function specFuzzChecks(work: string, runs: number): Check[] {
  let catalogue: Catalogue | undefined;
  const cat = async () => catalogue ??= await catalogueFor(work);
  const property = (
    name: string,
    arb: fc.Arbitrary<string>,
    numRuns = runs,
  ): Check => ({
    name: `spec fuzz: ${name} (${numRuns} cases)`,
    timeoutMs: 180_000,
    fn: async () => {
      const c = await cat();
      const before = validSpecs;
      const out = fc.check(
        fc.property(arb, (text) => {
          const problem = checkOne(text, c);
          if (problem) throw new Error(problem);
        }),
        { numRuns, seed: 20261128 },
      );
      expect(!out.failed, () => fc.defaultReportMessage(out) ?? "failed");
      return `${out.numRuns} cases, ${
        validSpecs - before
      } valid specs went on to schema generation`;
    },
  });
  const seeds = async () => {
    const texts: string[] = [];
    for (const e of EXAMPLES) {
      texts.push(
        await Deno.readTextFile(join(ROOT, "examples", e, "spec.yaml")),
      );
    }
    texts.push(sizedSpec(10, "../custom-tasks").yaml);
    return texts;
  };
  let seedTexts: string[] = [];
  return [
    property("raw text", fc.string({ unit: "binary", maxLength: 200 })),
    property(
      "arbitrary YAML documents",
      fc.jsonValue({ maxDepth: 4 }).map((v) => stringify(v)),
    ),
    property(
      "spec-shaped documents",
      specDoc.map((d) => stringify(d)),
      runs * 2,
    ),
    property("plausible specs in dependency order", plausibleSpec, runs * 2),
    {
      name: `spec fuzz: mutations of the example specs (${runs * 2} cases)`,
      timeoutMs: 180_000,
      fn: async () => {
        const c = await cat();
        seedTexts = await seeds();
        const before = validSpecs;
        for (const t of seedTexts) {
          expect(
            checkOne(t, c) === undefined,
            `a seed spec fails: ${checkOne(t, c)}`,
          );
        }
        const out = fc.check(
          fc.property(
            fc.nat({ max: seedTexts.length - 1 }),
            fc.array(edit, { minLength: 1, maxLength: 4 }),
            (i, edits) => {
              const problem = checkOne(applyEdits(seedTexts[i]!, edits), c);
              if (problem) throw new Error(problem);
            },
          ),
          { numRuns: runs * 2, seed: 20261128 },
        );
        expect(!out.failed, () => fc.defaultReportMessage(out) ?? "failed");
        return `${out.numRuns} cases, ${
          validSpecs - before - seedTexts.length
        } mutated specs still valid went on to schema generation`;
      },
    },
  ];
}

const CONFIG_DRIVER =
  `// Written by scripts/stress: fuzzes the compiled workflow's config input in-process.
// @ts-nocheck: plain JavaScript run inside the compiled workspace.
import fc from "npm:fast-check@4.11.0";
import { execute, validateConfig } from "./src/cli.ts";
const runs = Number(Deno.args[0] ?? "2000");
const json = fc.jsonValue({ maxDepth: 4 });
// Configs near the schema: the properties of params.json with values of the right type
// (mostly) or arbitrary JSON, any of them left out.
const params = JSON.parse(Deno.readTextFileSync("params.json"));
const typed = (schema) =>
  schema.type === "integer" ? fc.integer()
  : schema.type === "number" ? fc.double({ noNaN: true, noDefaultInfinity: true })
  : schema.type === "string" ? fc.string()
  : schema.type === "boolean" ? fc.boolean()
  : schema.type === "array" ? fc.array(fc.integer(), { maxLength: 4 })
  : json;
const near = fc.record(
  Object.fromEntries(
    Object.entries(params.properties ?? {}).map(([id, p]) => [
      id,
      fc.oneof(
        {
          weight: 5,
          arbitrary: fc.record(
            Object.fromEntries(
              Object.entries(p.properties ?? {}).map(([arg, a]) => [
                arg,
                fc.oneof({ weight: 5, arbitrary: typed(a) }, { weight: 1, arbitrary: json }),
              ]),
            ),
            { requiredKeys: [] },
          ),
        },
        { weight: 1, arbitrary: json },
      ),
    ]),
  ),
  { requiredKeys: [] },
);
let valid = 0;
let executed = 0;
const out = await fc.check(
  fc.asyncProperty(fc.oneof({ weight: 1, arbitrary: json }, { weight: 3, arbitrary: near }), async (config) => {
    const problems = await validateConfig(config);
    if (!Array.isArray(problems)) throw new Error("validateConfig did not return a list");
    for (const p of problems) {
      if (typeof p.message !== "string") throw new Error("a problem without a message: " + JSON.stringify(p));
    }
    if (problems.length === 0) {
      valid++;
      if (executed < 300) {
        executed++;
        const r = await execute(config, executed % 2 ? "parallel" : "sequential", true);
        if (!("result" in r) || !("error" in r)) throw new Error("execute returned " + JSON.stringify(r));
        // A config that passed validation may still fail a task's own checks, but the
        // failure must name a task instance, not crash the generated code.
        if (r.error !== null && !/task instance/.test(r.error)) {
          throw new Error("a valid config crashed the workflow: " + r.error);
        }
      }
    }
  }),
  { numRuns: runs, seed: 20261128 },
);
console.log(JSON.stringify({ failed: out.failed, message: out.failed ? fc.defaultReportMessage(out) : null, valid, executed }));
`;

/**
 * The workflow CLI config fuzz checks.
 *
 * @param work A temporary folder.
 * @param runs In-process cases; a tenth of them (at least 50) run as subprocesses.
 * @returns The checks.
 */
export function configFuzzChecks(work: string, runs: number): Check[] {
  let release: string | undefined;
  const compiled = async () => {
    if (release) return release;
    const specDir = join(ROOT, "examples", "features");
    const out = join(work, "config-fuzz");
    const r = await compile(join(specDir, "spec.yaml"), {
      outDir: out,
      link: ROOT,
      discover: (spec) =>
        discover(spec.requirements, {
          specDir,
          link: ROOT,
          cacheDir: join(work, "discovery-cache"),
        }),
    });
    release = r.outputDir;
    return release;
  };
  const subprocessRuns = Math.max(50, Math.round(runs / 10));
  return [
    {
      name:
        `config fuzz: validateConfig/execute of the compiled features example in-process (${runs} cases)`,
      timeoutMs: 240_000,
      fn: async () => {
        const dir = await compiled();
        await Deno.writeTextFile(join(dir, "fuzz_driver.js"), CONFIG_DRIVER);
        const res = await new Deno.Command(Deno.execPath(), {
          args: ["run", "-A", "fuzz_driver.js", String(runs)],
          cwd: dir,
          env: { NO_COLOR: "1", WT_EXAMPLE_NAME: "fuzz" },
          stdin: "null",
          stdout: "piped",
          stderr: "piped",
        }).output();
        const stdout = new TextDecoder().decode(res.stdout).trim();
        const stderr = new TextDecoder().decode(res.stderr);
        expect(
          res.success,
          `the driver failed (code ${res.code}):\n${stderr}\n${stdout}`,
        );
        const report = JSON.parse(stdout.split("\n").at(-1)!) as {
          failed: boolean;
          message: string | null;
          valid: number;
          executed: number;
        };
        expect(!report.failed, report.message ?? "failed");
        expect(
          report.valid > 0,
          "no generated config was valid: the generator misses the schema",
        );
        return `${runs} configs, ${report.valid} valid, ${report.executed} executed in mock-io mode`;
      },
    },
    {
      name:
        `config fuzz: the compiled workflow CLI as a subprocess (${subprocessRuns} cases)`,
      timeoutMs: 300_000,
      fn: async () => {
        const dir = await compiled();
        const results = join(work, "config-fuzz-results");
        const configFile = join(work, "config-fuzz.json");
        const samples = fc.sample(
          fc.oneof(
            fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
            fc.string({ unit: "binary", maxLength: 60 }),
            fc.constantFrom(
              "",
              "{",
              "null",
              '{"total":{"a":1,"b":"x"}}',
              '{"total":{"a":1,"b":2}}',
            ),
          ),
          { numRuns: subprocessRuns, seed: 20261128 },
        );
        const bad: string[] = [];
        const codes: Record<number, number> = {};
        const one = async (text: string, i: number) => {
          const viaFile = i % 3 === 2;
          const file = `${configFile}.${i}`;
          if (viaFile) await Deno.writeTextFile(file, text);
          const out = await new Deno.Command(Deno.execPath(), {
            args: [
              "run",
              "--no-prompt",
              "--allow-read",
              "--allow-write",
              "--allow-env",
              "src/cli.ts",
              "run",
              ...(viaFile ? ["--config-file", file] : ["--config-json", text]),
              "--mock-io",
              ...(i % 2 ? ["--execution-mode", "parallel"] : []),
            ],
            cwd: dir,
            env: {
              NO_COLOR: "1",
              WT_RESULTS: `file://${results}/${i}/`,
              WT_EXAMPLE_NAME: "fuzz",
            },
            stdin: "null",
            stdout: "piped",
            stderr: "piped",
          }).output();
          const stderr = new TextDecoder().decode(out.stderr);
          codes[out.code] = (codes[out.code] ?? 0) + 1;
          if (
            ![0, 1, 2].includes(out.code) || /Uncaught|panicked/i.test(stderr)
          ) {
            bad.push(
              `config ${JSON.stringify(text)}: exit ${out.code}: ${
                stderr.slice(0, 300)
              }`,
            );
          } else if (out.code === 2 && stderr.trim() === "") {
            bad.push(
              `config ${JSON.stringify(text)}: exit 2 without a message`,
            );
          } else if (out.code === 1) {
            // A task failed: result.json names the task instance (no crash of the code).
            let error = "";
            try {
              error = String(
                (JSON.parse(
                  await Deno.readTextFile(
                    join(results, String(i), "result.json"),
                  ),
                ) as { error: unknown }).error,
              );
            } catch (e) {
              error = `no readable result.json (${(e as Error).message})`;
            }
            if (!/task instance/.test(error)) {
              bad.push(
                `config ${JSON.stringify(text)}: exit 1: ${
                  error.slice(0, 300)
                }`,
              );
            }
          }
        };
        // Two at a time (2 cores).
        for (let i = 0; i < samples.length; i += 2) {
          await Promise.all(
            samples.slice(i, i + 2).map((t, j) => one(t, i + j)),
          );
        }
        expect(
          bad.length === 0,
          () => `${bad.length} bad exits:\n${bad.slice(0, 5).join("\n")}`,
        );
        return `exit codes: ${JSON.stringify(codes)}`;
      },
    },
  ];
}
