/**
 * Generated `spec.yaml` files for the benchmarks.
 *
 * - {@linkcode sizedSpec}: a workflow of `n` task instances (n a multiple of 10) against
 *   `examples/custom-tasks`, in blocks of ten: each block is a task group holding a chain
 *   (add → double → double → multiply → …), a `map` fan-out (split digits → parse each digit
 *   → sum), a `mapvalues` over references, an instance with a literal and a join; the blocks
 *   are chained one after the other.
 * - {@linkcode dagSpec}: DAGs of `sleep` tasks (`scripts/bench/tasks`) whose critical-path
 *   time is known: `wide` (one root, many independent instances, one join), `deep` (a
 *   chain) and `lattice` (layers where every instance waits for the whole previous layer).
 *
 * @module
 */

/** A generated spec and what the benchmark needs to know about it. */
export interface GeneratedSpec {
  /** Workflow id. */
  id: string;
  /** The YAML text. */
  yaml: string;
  /** Number of task instances. */
  instances: number;
}

/** A generated DAG spec with its critical-path time. */
export interface DagSpec extends GeneratedSpec {
  /** Sum of the sleeps along the longest path, in milliseconds. */
  criticalPathMs: number;
  /** Sum of every sleep (what a one-at-a-time executor needs), in milliseconds. */
  totalSleepMs: number;
}

const ref = (id: string) => `"\${{ workflow.${id}.return }}"`;

/**
 * A spec of `n` task instances against `@wt-examples/custom-tasks`.
 *
 * @param n Number of task instances, a positive multiple of 10.
 * @param customTasksPath Path of `examples/custom-tasks` relative to the spec's folder.
 * @returns The spec.
 */
export function sizedSpec(n: number, customTasksPath: string): GeneratedSpec {
  if (!Number.isInteger(n) || n <= 0 || n % 10 !== 0) {
    throw new RangeError(
      `sizedSpec: n must be a positive multiple of 10, got ${n}`,
    );
  }
  const id = `bench_${n}`;
  const lines = [
    `id: ${id}`,
    "requirements:",
    `  - name: "@wt-examples/custom-tasks"`,
    `    path: ${customTasksPath}`,
    "workflow:",
  ];
  let previous: string | undefined;
  for (let k = 0; k < n / 10; k++) {
    const p = `b${k}_`;
    lines.push(
      "  - type: task-group",
      `    title: Block ${k}`,
      `    description: Chain, fan-out and join number ${k}.`,
      "    tasks:",
      `      - id: ${p}start`,
      `        name: Start block ${k}`,
      "        task: add",
      ...(previous === undefined ? [] : [
        "        partial:",
        `          a: ${ref(previous)}`,
        `          b: ${k}`,
      ]),
      `      - id: ${p}double1`,
      "        task: double",
      "        partial:",
      `          n: ${ref(`${p}start`)}`,
      `      - id: ${p}double2`,
      "        task: double",
      "        partial:",
      `          n: ${ref(`${p}double1`)}`,
      `      - id: ${p}product`,
      "        task: multiply",
      "        partial:",
      `          a: ${ref(`${p}double2`)}`,
      `          b: ${ref(`${p}start`)}`,
      `      - id: ${p}digits`,
      "        task: split_digits",
      "        partial:",
      `          n: ${ref(`${p}product`)}`,
      `      - id: ${p}parsed`,
      "        task: parse_int",
      "        map:",
      "          argnames: s",
      `          argvalues: ${ref(`${p}digits`)}`,
      `      - id: ${p}digit_sum`,
      "        task: sum_list",
      "        partial:",
      `          values: ${ref(`${p}parsed`)}`,
      `      - id: ${p}labels`,
      "        task: to_label",
      "        mapvalues:",
      "          argnames: n",
      "          argvalues:",
      `            - ["sum", ${ref(`${p}digit_sum`)}]`,
      `            - ["product", ${ref(`${p}product`)}]`,
      `      - id: ${p}greeting`,
      "        task: greet",
      "        partial:",
      `          name: Block ${k}`,
      `      - id: ${p}end`,
      "        task: add",
      "        partial:",
      `          a: ${ref(`${p}digit_sum`)}`,
      `          b: ${ref(`${p}double1`)}`,
    );
    previous = `${p}end`;
  }
  return { id, yaml: lines.join("\n") + "\n", instances: n };
}

/** The DAG shapes of {@linkcode dagSpec}. */
export type DagShape = "wide" | "deep" | "lattice";

/**
 * A DAG of `sleep` tasks.
 *
 * @param shape `wide`: root → `width` independent instances → join; `deep`: a chain of
 *   `depth` instances; `lattice`: `depth` layers of `width` instances, each waiting for the
 *   whole previous layer.
 * @param size `{width, depth, ms}`: sizes and the sleep of every instance.
 * @param sleepTasksPath Path of `scripts/bench/tasks` relative to the spec's folder.
 * @returns The spec with its critical-path time.
 */
export function dagSpec(
  shape: DagShape,
  size: { width: number; depth: number; ms: number },
  sleepTasksPath: string,
): DagSpec {
  const id = `dag_${shape}`;
  const lines = [
    `id: ${id}`,
    "requirements:",
    `  - name: "@wt-bench/sleep-tasks"`,
    `    path: ${sleepTasksPath}`,
    "workflow:",
  ];
  const node = (nid: string, after: string[]) => {
    lines.push(
      `  - id: ${nid}`,
      "    task: sleep",
      "    partial:",
      `      ms: ${size.ms}`,
    );
    if (after.length > 0) {
      lines.push("      after:");
      for (const a of after) lines.push(`        - ${ref(a)}`);
    }
  };
  let instances = 0;
  let criticalPathMs = 0;
  if (shape === "wide") {
    node("root", []);
    const mids: string[] = [];
    for (let i = 0; i < size.width; i++) {
      node(`w${i}`, ["root"]);
      mids.push(`w${i}`);
    }
    node("join", mids);
    instances = size.width + 2;
    criticalPathMs = 3 * size.ms;
  } else if (shape === "deep") {
    for (let i = 0; i < size.depth; i++) {
      node(`d${i}`, i === 0 ? [] : [`d${i - 1}`]);
    }
    instances = size.depth;
    criticalPathMs = size.depth * size.ms;
  } else {
    let layer: string[] = [];
    for (let l = 0; l < size.depth; l++) {
      const next: string[] = [];
      for (let i = 0; i < size.width; i++) {
        node(`l${l}_${i}`, layer);
        next.push(`l${l}_${i}`);
      }
      layer = next;
    }
    node("join", layer);
    instances = size.depth * size.width + 1;
    criticalPathMs = (size.depth + 1) * size.ms;
  }
  return {
    id,
    yaml: lines.join("\n") + "\n",
    instances,
    criticalPathMs,
    totalSleepMs: instances * size.ms,
  };
}
