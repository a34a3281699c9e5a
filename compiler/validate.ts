/**
 * Semantic validation of a parsed spec: ids, task names, references and their order, cycles,
 * skip conditions and task arguments against the catalogue. Every problem is reported at once,
 * located at the offending YAML node.
 *
 * @module
 */
import {
  entryParameters,
  entryRequiredParameters,
  type RegistryEntry,
  validate,
} from "@wt/contracts";
import { type Catalogue, describeResolution } from "./catalogue.ts";
import {
  type Diagnostic,
  diagnosticAt,
  type Severity,
  sortDiagnostics,
} from "./diagnostics.ts";
import { collectExpressions, containsExpression } from "./expressions.ts";
import {
  checkId,
  MAX_ID_LENGTH,
  suggestId,
  suggestWorkflowId,
  WORKFLOW_ID_PATTERN,
} from "./ids.ts";
import { locate, type ParseResult, parseSpec, pointer } from "./parse.ts";
import {
  flattenInstances,
  type SkipifSpec,
  type SourcePos,
  type Spec,
  type TaskInstance,
} from "./spec_model.ts";
import { didYouMean } from "./_suggest.ts";
import { generateSchemas, type OverrideProblem } from "./schemas.ts";

/**
 * The skip conditions that apply to an instance: its own `skipif` when written (even with an
 * empty `conditions` list, which disables the defaults), otherwise the spec's
 * `task-instance-defaults.skipif`.
 *
 * @param instance A task instance of `spec`.
 * @param spec The spec.
 * @returns The effective `skipif`, or `undefined` when none applies.
 *
 * @example
 * ```ts
 * import { effectiveSkipif, parseSpec, type TaskInstance } from "@wt/compiler";
 *
 * const { spec } = parseSpec(
 *   "id: w\ntask-instance-defaults:\n  skipif:\n    conditions: [any_dependency_skipped]\n" +
 *     "workflow:\n  - id: a\n    task: f\n  - id: b\n    task: f\n    skipif:\n      conditions: []\n",
 *   "s.yaml",
 * );
 * const [a, b] = spec!.workflow as TaskInstance[];
 * console.assert(effectiveSkipif(a!, spec!)?.conditions[0] === "any_dependency_skipped");
 * console.assert(effectiveSkipif(b!, spec!)?.conditions.length === 0);
 * ```
 */
export function effectiveSkipif(
  instance: TaskInstance,
  spec: Spec,
): SkipifSpec | undefined {
  return instance.skipif ?? spec.task_instance_defaults.skipif;
}

/** Options of {@linkcode validateSpec}. */
export interface ValidateOptions {
  /**
   * Check literal argument values against the task's JSON Schema (default `true`).
   */
  checkValues?: boolean | undefined;
}

interface Edge {
  from: number;
  to: number;
  at: SourcePos;
}

const isObject = (x: unknown): x is Record<string, unknown> =>
  typeof x === "object" && x !== null && !Array.isArray(x);

const schemaCache = new WeakMap<
  RegistryEntry,
  Map<string, Record<string, unknown> | null>
>();

/** The schema of one form parameter, with the entry's `$defs` so that `$ref`s resolve. */
function propertySchema(
  entry: RegistryEntry,
  key: string,
): Record<string, unknown> | null {
  let perEntry = schemaCache.get(entry);
  if (!perEntry) {
    perEntry = new Map();
    schemaCache.set(entry, perEntry);
  }
  const cached = perEntry.get(key);
  if (cached !== undefined) return cached;
  const props = entry.json_schema["properties"];
  const p = isObject(props) && Object.hasOwn(props, key)
    ? props[key]
    : undefined;
  let schema: Record<string, unknown> | null = null;
  if (isObject(p)) {
    schema = { ...p };
    for (const defsKey of ["$defs", "definitions"]) {
      const defs = entry.json_schema[defsKey];
      if (isObject(defs) && !(defsKey in schema)) schema[defsKey] = defs;
    }
    delete schema["$id"];
  }
  perEntry.set(key, schema);
  return schema;
}

function formPropertyNames(entry: RegistryEntry): Set<string> {
  const props = entry.json_schema["properties"];
  return new Set(isObject(props) ? Object.keys(props) : []);
}

/**
 * Validate a parsed spec. Without a catalogue, only the rules that need no task knowledge run
 * (ids, references, order, cycles, expressions); with one, task names, skip conditions and
 * arguments are checked too.
 *
 * @param spec A spec from `parseSpec` (positions come from `spec.locations`).
 * @param catalogue The tasks available to the spec.
 * @param options What to check.
 * @returns Every problem found, sorted by position.
 *
 * @example
 * ```ts
 * import { Catalogue, parseSpec, validateSpec } from "@wt/compiler";
 *
 * const { spec } = parseSpec(
 *   "id: w\nworkflow:\n  - id: a\n    task: add\n    partial:\n      x: ${{ workflow.b.return }}\n",
 *   "s.yaml",
 * );
 * const diags = validateSpec(spec!, new Catalogue({ version: "1.0.0", entries: {} }));
 * console.assert(diags.some((d) => d.code === "unknown-reference" && d.line === 6));
 * console.assert(diags.some((d) => d.code === "unknown-task" && d.line === 4));
 * ```
 */
export function validateSpec(
  spec: Spec,
  catalogue?: Catalogue,
  options: ValidateOptions = {},
): Diagnostic[] {
  return new Validator(spec, catalogue, options).run();
}

class Validator {
  readonly diagnostics: Diagnostic[] = [];
  readonly instances: TaskInstance[];
  readonly firstIndex = new Map<string, number>();
  readonly entries: Array<RegistryEntry | undefined>;

  constructor(
    readonly spec: Spec,
    readonly catalogue: Catalogue | undefined,
    readonly options: ValidateOptions,
  ) {
    this.instances = flattenInstances(spec);
    this.entries = new Array(this.instances.length).fill(undefined);
  }

  at(
    inst: TaskInstance | undefined,
    segments: Array<string | number>,
    kind: "key" | "value" = "value",
  ): SourcePos {
    if (inst) {
      if (this.spec.locations && inst.path !== undefined) {
        return locate(
          this.spec.locations,
          pointer(inst.path, ...segments),
          kind,
        );
      }
      return inst.pos;
    }
    return locate(this.spec.locations, pointer("", ...segments), kind);
  }

  report(
    severity: Severity,
    at: SourcePos,
    code: string,
    message: string,
  ): void {
    this.diagnostics.push(
      diagnosticAt(this.spec.file, severity, at, code, message),
    );
  }

  run(): Diagnostic[] {
    this.workflowId();
    this.resolveTasks();
    this.ids();
    this.defaults();
    const edges = this.references();
    this.order(edges);
    if (this.catalogue) this.arguments();
    return sortDiagnostics(this.diagnostics);
  }

  workflowId(): void {
    const id = this.spec.id;
    if (id === "") return; // reported by the parser
    const at = this.at(undefined, ["id"]);
    if (!WORKFLOW_ID_PATTERN.test(id)) {
      this.report(
        "error",
        at,
        "bad-id",
        `workflow id \`${id}\` is not valid: use letters, digits, \`_\` and \`-\`, starting with a letter or \`_\` (e.g. \`${
          suggestWorkflowId(id)
        }\`)`,
      );
    } else if (id.length > MAX_ID_LENGTH) {
      this.report(
        "error",
        at,
        "id-too-long",
        `workflow id \`${id}\` is ${id.length} characters long; the limit is ${MAX_ID_LENGTH}`,
      );
    }
  }

  resolveTasks(): void {
    if (!this.catalogue) return;
    this.instances.forEach((inst, i) => {
      if (inst.task === "") return; // reported by the parser
      const r = this.catalogue!.resolve(inst.task);
      const at = this.at(inst, ["task"]);
      if (r.kind !== "found") {
        this.report(
          "error",
          at,
          r.kind === "ambiguous" ? "ambiguous-task" : "unknown-task",
          describeResolution(inst.task, r),
        );
        return;
      }
      this.entries[i] = r.entry;
      this.deprecated(r.entry, inst.task, at, "task");
      if (inst.skipif) this.conditions(inst.skipif, inst, ["skipif"]);
    });
  }

  deprecated(
    entry: RegistryEntry,
    name: string,
    at: SourcePos,
    what: string,
  ): void {
    if (!entry.metadata.deprecated) return;
    this.report(
      "warning",
      at,
      "deprecated-task",
      `${what} \`${name}\` is deprecated${
        entry.metadata.deprecation_message
          ? `: ${entry.metadata.deprecation_message}`
          : ""
      }`,
    );
  }

  conditions(
    skipif: SkipifSpec,
    inst: TaskInstance | undefined,
    base: Array<string | number>,
  ): void {
    if (!this.catalogue) return;
    skipif.conditions.forEach((name, j) => {
      const r = this.catalogue!.resolve(name);
      const at = this.at(inst, [...base, "conditions", j]);
      if (r.kind === "found") {
        this.deprecated(r.entry, name, at, "skip condition");
        return;
      }
      this.report(
        "error",
        at,
        r.kind === "ambiguous" ? "ambiguous-task" : "unknown-task",
        `skip condition: ${describeResolution(name, r)}`,
      );
    });
  }

  defaults(): void {
    const sk = this.spec.task_instance_defaults.skipif;
    if (sk) {
      this.conditions(sk, undefined, ["task-instance-defaults", "skipif"]);
    }
  }

  ids(): void {
    const taskNames = new Map<string, string>();
    const addName = (written: string, entry: RegistryEntry | undefined) => {
      const fn = entry?.function_name ??
        written.slice(written.lastIndexOf(".") + 1);
      if (fn) taskNames.set(fn, written);
    };
    this.instances.forEach((inst, i) => addName(inst.task, this.entries[i]));
    const conds = [
      ...(this.spec.task_instance_defaults.skipif?.conditions ?? []),
      ...this.instances.flatMap((i) => i.skipif?.conditions ?? []),
    ];
    for (const c of conds) {
      const r = this.catalogue?.resolve(c);
      addName(c, r?.kind === "found" ? r.entry : undefined);
    }

    const groupTitles = new Map<string, SourcePos>();
    for (const item of this.spec.workflow) {
      if (item.type !== "task-group" || groupTitles.has(item.title)) continue;
      groupTitles.set(
        item.title,
        this.spec.locations && item.path !== undefined
          ? locate(this.spec.locations, pointer(item.path, "title"))
          : item.pos,
      );
    }
    this.instances.forEach((inst, i) => {
      const id = inst.id;
      if (id === "") return; // reported by the parser
      const at = this.at(inst, ["id"]);
      const problem = checkId(id);
      if (problem === "invalid") {
        this.report(
          "error",
          at,
          "bad-id",
          `id \`${id}\` is not a valid identifier: use ASCII letters, digits and \`_\`, not starting with a digit (e.g. \`${
            suggestId(id)
          }\`)`,
        );
      } else if (problem === "too-long") {
        this.report(
          "error",
          at,
          "id-too-long",
          `id \`${id}\` is ${id.length} characters long; the limit is ${MAX_ID_LENGTH}`,
        );
      } else if (problem === "reserved") {
        this.report(
          "error",
          at,
          "reserved-id",
          `id \`${id}\` is reserved (a JavaScript keyword or a name the generated code uses); rename it, e.g. \`${
            suggestId(id)
          }\``,
        );
      }
      const first = this.firstIndex.get(id);
      if (first !== undefined) {
        const firstAt = this.at(this.instances[first], ["id"]);
        this.report(
          "error",
          at,
          "duplicate-id",
          `duplicate id \`${id}\`: already used by the instance at line ${firstAt.line}; ids must be unique`,
        );
      } else {
        this.firstIndex.set(id, i);
      }
      if (id === this.spec.id) {
        this.report(
          "error",
          at,
          "id-equals-workflow",
          `id \`${id}\` is the workflow id; rename the instance (e.g. \`${id}_step\`)`,
        );
      }
      const title = inst.group === undefined ? groupTitles.get(id) : undefined;
      if (title !== undefined) {
        this.report(
          "error",
          at,
          "id-equals-group-title",
          `id \`${id}\` is also the title of the task group at line ${title.line}; both would be the same property of rjsf.json: rename the instance or the group`,
        );
      }
      const task = taskNames.get(id);
      if (task !== undefined) {
        this.report(
          "error",
          at,
          "id-shadows-task",
          `id \`${id}\` is the name of a task this workflow imports (\`${task}\`); rename the instance (e.g. \`${id}_result\`)`,
        );
      }
    });
  }

  references(): Edge[] {
    const edges: Edge[] = [];
    const ids = [...this.firstIndex.keys()];
    this.instances.forEach((inst, i) => {
      const sources: Array<[Array<string | number>, unknown]> = [
        [["partial"], inst.partial],
      ];
      for (const kind of ["map", "mapvalues"] as const) {
        const m = inst[kind];
        if (!m) continue;
        sources.push([[kind, "argvalues"], m.argvalues]);
        const av = m.argvalues;
        if (
          av !== undefined && !Array.isArray(av) &&
          !(typeof av === "string" && av.includes("${{"))
        ) {
          this.report(
            "error",
            this.at(inst, [kind, "argvalues"]),
            "bad-argvalues",
            `\`${kind}.argvalues\` must be a reference \`\${{ workflow.<id>.return }}\` or a list, not ${
              JSON.stringify(av)
            }`,
          );
        }
      }
      for (const [base, value] of sources) {
        for (const { path, expr } of collectExpressions(value)) {
          const at = this.at(inst, [...base, ...path]);
          if (expr.kind === "malformed") {
            this.report(
              "error",
              at,
              "malformed-expression",
              `malformed expression ${
                JSON.stringify(expr.text)
              }: ${expr.reason}`,
            );
          } else if (expr.kind === "reference") {
            const target = this.firstIndex.get(expr.id);
            if (expr.id === inst.id) {
              this.report(
                "error",
                at,
                "self-reference",
                `instance \`${inst.id}\` references its own result; a task cannot consume its own output`,
              );
            } else if (target === undefined) {
              this.report(
                "error",
                at,
                "unknown-reference",
                `reference to unknown instance \`${expr.id}\`${
                  didYouMean(expr.id, ids) ||
                  "; no task instance has this id"
                }`,
              );
            } else {
              edges.push({ from: i, to: target, at });
            }
          }
        }
      }
    });
    return edges;
  }

  order(edges: Edge[]): void {
    const n = this.instances.length;
    const adj: Edge[][] = Array.from({ length: n }, () => []);
    for (const e of edges) adj[e.from]!.push(e);
    const comp = tarjan(n, adj);
    const size = new Map<number, number>();
    for (const c of comp) size.set(c, (size.get(c) ?? 0) + 1);
    const reportedCycle = new Set<number>();
    // Edges are in document order (by source instance, then position in the instance).
    for (const e of edges) {
      const c = comp[e.from]!;
      if (c === comp[e.to] && (size.get(c) ?? 0) > 1) {
        if (reportedCycle.has(c)) continue;
        if (e.to < e.from) continue; // report at a forward edge of the cycle
        reportedCycle.add(c);
        const path = cyclePath(e, adj, comp);
        const names = path.map((k) => this.instances[k]!.id);
        this.report(
          "error",
          e.at,
          "cycle",
          `dependency cycle: ${
            names.join(" -> ")
          } (each instance uses the result of the next); break the cycle by removing one of these references`,
        );
        continue;
      }
      if (e.to > e.from) {
        const from = this.instances[e.from]!;
        const to = this.instances[e.to]!;
        const toAt = this.at(to, ["id"]);
        this.report(
          "error",
          e.at,
          "forward-reference",
          `\`${from.id}\` uses the result of \`${to.id}\`, which is defined later (line ${toAt.line}); the workflow list must be in dependency order: move \`${to.id}\` above \`${from.id}\``,
        );
      }
    }
  }

  arguments(): void {
    const checkValues = this.options.checkValues ?? true;
    this.instances.forEach((inst, i) => {
      const entry = this.entries[i];
      if (!entry) return;
      const params = entryParameters(entry);
      const paramSet = new Set(params);
      const formProps = formPropertyNames(entry);
      const bound = new Set<string>();
      const partialKeys = new Set(Object.keys(inst.partial));
      for (const [key, value] of Object.entries(inst.partial)) {
        bound.add(key);
        if (!paramSet.has(key)) {
          this.report(
            "error",
            this.at(inst, ["partial", key], "key"),
            "unknown-argument",
            unknownArgMessage(key, inst.task, params),
          );
          continue;
        }
        if (!checkValues || containsExpression(value)) continue;
        const schema = propertySchema(entry, key);
        if (!schema) continue;
        this.checkValue(inst, key, value, schema);
      }
      for (const kind of ["map", "mapvalues"] as const) {
        const m = inst[kind];
        if (!m) continue;
        m.argnames.forEach((name, j) => {
          const at = this.at(inst, [kind, "argnames", j]);
          if (!paramSet.has(name)) {
            this.report(
              "error",
              at,
              "unknown-argument",
              unknownArgMessage(name, inst.task, params),
            );
          } else if (partialKeys.has(name)) {
            this.report(
              "warning",
              at,
              "argument-bound-twice",
              `argument \`${name}\` is bound twice, in \`partial\` and in \`${kind}.argnames\`; the ${kind} value wins, so remove it from \`partial\``,
            );
          }
          bound.add(name);
        });
      }
      if (checkValues && inst.map) this.checkMapLiterals(inst, entry);
      if (checkValues && inst.mapvalues) {
        this.checkMapvaluesLiterals(inst, entry);
      }
      const leftToForm: string[] = [];
      for (const req of entryRequiredParameters(entry)) {
        if (bound.has(req)) continue;
        if (formProps.has(req)) {
          leftToForm.push(req);
          continue;
        }
        this.report(
          "error",
          this.at(inst, ["task"]),
          "unbound-argument",
          `required argument \`${req}\` of task \`${inst.task}\` is not bound and the form cannot supply it (it has no form schema); bind it in \`partial\` (e.g. to \`\${{ workflow.<id>.return }}\`) or in \`map\`/\`mapvalues\``,
        );
      }
      if (leftToForm.length > 0) {
        this.report(
          "warning",
          this.at(inst, ["task"]),
          "argument-left-to-form",
          `required argument${leftToForm.length > 1 ? "s" : ""} ${
            leftToForm.map((a) => `\`${a}\``).join(", ")
          } of task instance \`${inst.id}\` ${
            leftToForm.length > 1 ? "are" : "is"
          } left to the form: every run must supply ${
            leftToForm.length > 1 ? "them" : "it"
          } under \`${inst.id}\` in its configuration (bind ${
            leftToForm.length > 1 ? "them" : "it"
          } in \`partial\` to fix a value instead)`,
        );
      }
    });
  }

  /**
   * Literal `mapvalues.argvalues` lists: each element must be a `[key, value]` pair; the
   * value (or its tuple components) is checked against the schema like a `map` element.
   */
  checkMapvaluesLiterals(inst: TaskInstance, entry: RegistryEntry): void {
    const m = inst.mapvalues!;
    const values = m.argvalues;
    if (!Array.isArray(values) || m.argnames.length === 0) return;
    values.forEach((pair, i) => {
      if (containsExpression(pair) && !Array.isArray(pair)) return;
      const base = ["mapvalues", "argvalues", i];
      if (!Array.isArray(pair) || pair.length !== 2) {
        this.report(
          "error",
          this.at(inst, base),
          "bad-argvalues",
          `\`mapvalues.argvalues\` element ${i} must be a [key, value] pair, not ${
            truncate(JSON.stringify(pair))
          }`,
        );
        return;
      }
      this.checkMapElement(
        inst,
        entry,
        "mapvalues",
        pair[1],
        [...base, 1],
        `mapvalues value ${i}`,
      );
    });
  }

  /** Literal `map.argvalues` lists: each element (or tuple component) against its schema. */
  checkMapLiterals(inst: TaskInstance, entry: RegistryEntry): void {
    const m = inst.map!;
    const values = m.argvalues;
    if (!Array.isArray(values) || m.argnames.length === 0) return;
    values.forEach((element, i) => {
      this.checkMapElement(
        inst,
        entry,
        "map",
        element,
        ["map", "argvalues", i],
        `map element ${i}`,
      );
    });
  }

  /** One element of a literal `map` list, or the value of a literal `mapvalues` pair. */
  checkMapElement(
    inst: TaskInstance,
    entry: RegistryEntry,
    kind: "map" | "mapvalues",
    element: unknown,
    base: Array<string | number>,
    label: string,
  ): void {
    const m = inst[kind]!;
    const n = m.argnames.length;
    if (n > 1) {
      if (containsExpression(element)) return;
      if (!Array.isArray(element) || element.length !== n) {
        this.report(
          "error",
          this.at(inst, base),
          "bad-argvalues",
          `${label} of \`${kind}.argvalues\` must be a list of ${n} values (one per argname: ${
            m.argnames.map((a) => `\`${a}\``).join(", ")
          }), not ${truncate(JSON.stringify(element))}`,
        );
        return;
      }
      element.forEach((component, j) => {
        const name = m.argnames[j]!;
        const schema = propertySchema(entry, name);
        if (!schema || containsExpression(component)) return;
        this.checkValue(inst, name, component, schema, [...base, j], label);
      });
      return;
    }
    const name = m.argnames[0]!;
    const schema = propertySchema(entry, name);
    if (!schema || containsExpression(element)) return;
    this.checkValue(inst, name, element, schema, base, label);
  }

  checkValue(
    inst: TaskInstance,
    key: string,
    value: unknown,
    schema: Record<string, unknown>,
    base: Array<string | number> = ["partial", key],
    label: string = key,
  ): void {
    let items;
    try {
      items = validate(value, schema);
    } catch (err) {
      this.report(
        "warning",
        this.at(inst, base),
        "schema-unusable",
        `cannot check argument \`${key}\` of task \`${inst.task}\`: its JSON Schema does not compile (${
          err instanceof Error ? err.message.split("\n")[0] : String(err)
        })`,
      );
      return;
    }
    if (items.length === 0) return;
    // Report at the deepest path of the first problem; list up to three problems.
    const first = items[0]!;
    const seen = new Set<string>();
    const lines: string[] = [];
    for (const it of items) {
      const where = it.path.length ? `${label}.${it.path.join(".")}` : label;
      const got = it.input === null || it.validator === "required"
        ? ""
        : ` (got ${truncate(JSON.stringify(it.input))})`;
      const line = `${where}: ${it.message}${got}`;
      if (seen.has(line)) continue;
      seen.add(line);
      lines.push(line);
      if (lines.length === 3) break;
    }
    const locPath = first.validator === "required" ||
        first.validator === "additionalProperties"
      ? first.path.slice(0, -1)
      : first.path;
    const at = this.at(inst, [...base, ...locPath]);
    this.report(
      "error",
      at,
      "invalid-argument-value",
      `${
        label === key ? "value" : label
      } of argument \`${key}\` does not match the schema of task \`${inst.task}\`: ${
        lines.join("; ")
      }${items.length > lines.length ? "; …" : ""}`,
    );
  }
}

function truncate(s: string | undefined, max = 60): string {
  if (s === undefined) return "undefined";
  return s.length > max ? `${s.slice(0, max)}…` : s;
}

function unknownArgMessage(
  name: string,
  task: string,
  params: string[],
): string {
  const hint = didYouMean(name, params) ||
    (params.length
      ? `; it accepts ${params.map((p) => `\`${p}\``).join(", ")}`
      : "; it takes no arguments");
  return `task \`${task}\` has no argument \`${name}\`${hint}`;
}

/** Strongly connected components (iterative Tarjan); returns a component id per node. */
function tarjan(n: number, adj: Edge[][]): number[] {
  const index = new Array<number>(n).fill(-1);
  const low = new Array<number>(n).fill(0);
  const onStack = new Array<boolean>(n).fill(false);
  const comp = new Array<number>(n).fill(-1);
  const stack: number[] = [];
  let counter = 0;
  let compCount = 0;
  for (let s = 0; s < n; s++) {
    if (index[s] !== -1) continue;
    const work: Array<[number, number]> = [[s, 0]];
    index[s] = low[s] = counter++;
    stack.push(s);
    onStack[s] = true;
    while (work.length) {
      const top = work[work.length - 1]!;
      const [v, k] = top;
      const out = adj[v]!;
      if (k < out.length) {
        top[1] = k + 1;
        const w = out[k]!.to;
        if (index[w] === -1) {
          index[w] = low[w] = counter++;
          stack.push(w);
          onStack[w] = true;
          work.push([w, 0]);
        } else if (onStack[w]) {
          low[v] = Math.min(low[v]!, index[w]!);
        }
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low[parent[0]] = Math.min(low[parent[0]]!, low[v]!);
      if (low[v] === index[v]) {
        for (;;) {
          const w = stack.pop()!;
          onStack[w] = false;
          comp[w] = compCount;
          if (w === v) break;
        }
        compCount++;
      }
    }
  }
  return comp;
}

/** A cycle through edge `e` inside its component: `[from, to, …, from]`. */
function cyclePath(e: Edge, adj: Edge[][], comp: number[]): number[] {
  const c = comp[e.from];
  const prev = new Map<number, number>([[e.to, -1]]);
  const queue = [e.to];
  for (let q = 0; q < queue.length; q++) {
    const v = queue[q]!;
    if (v === e.from) break;
    for (const out of adj[v]!) {
      if (comp[out.to] !== c || prev.has(out.to)) continue;
      prev.set(out.to, v);
      queue.push(out.to);
    }
  }
  const back: number[] = [];
  let v: number | undefined = e.from;
  while (v !== undefined && v !== -1) {
    back.push(v);
    if (v === e.to) break;
    v = prev.get(v);
  }
  back.reverse();
  return [e.from, ...back];
}

/** Result of {@linkcode checkSpec}. */
export interface CheckResult {
  /** The parsed spec (`undefined` when the text is not a YAML mapping). */
  spec: Spec | undefined;
  /** Structural and semantic diagnostics, sorted by position. */
  diagnostics: Diagnostic[];
}

/**
 * Parse and validate a spec in one go: structural problems and semantic problems are all
 * reported together. Never throws on bad input.
 *
 * @param text The YAML text.
 * @param file The file name for diagnostics.
 * @param catalogue The tasks available to the spec (task checks are skipped without it).
 * @param options What to check.
 * @returns The spec and every diagnostic.
 *
 * @example
 * ```ts
 * import { checkSpec } from "@wt/compiler";
 *
 * const { diagnostics } = checkSpec("id: w\nworkflow:\n  - id: class\n    task: f\n", "s.yaml");
 * console.assert(diagnostics[0]?.code === "reserved-id" && diagnostics[0].line === 3);
 * ```
 */
export function checkSpec(
  text: string,
  file: string,
  catalogue?: Catalogue,
  options: ValidateOptions = {},
): CheckResult {
  return checkParsedSpec(parseSpec(text, file), catalogue, options);
}

/**
 * {@linkcode checkSpec} for a spec that is already parsed: validate the result of `parseSpec`
 * and report its structural and semantic problems together. Parse once, then check the same
 * result twice (without and then with the task catalogue) instead of parsing the text again.
 *
 * @param parsed The result of `parseSpec` (it is not modified).
 * @param catalogue The tasks available to the spec (task checks are skipped without it).
 * @param options What to check.
 * @returns The spec and every diagnostic, as {@linkcode checkSpec} returns them.
 *
 * @example
 * ```ts
 * import { checkParsedSpec, checkSpec, parseSpec } from "@wt/compiler";
 *
 * const text = "id: w\nworkflow:\n  - id: class\n    task: f\n";
 * const { diagnostics } = checkParsedSpec(parseSpec(text, "s.yaml"));
 * console.assert(diagnostics[0]?.code === "reserved-id" && diagnostics[0].line === 3);
 * console.assert(diagnostics.length === checkSpec(text, "s.yaml").diagnostics.length);
 * ```
 */
export function checkParsedSpec(
  parsed: ParseResult,
  catalogue?: Catalogue,
  options: ValidateOptions = {},
): CheckResult {
  if (!parsed.spec) return parsed;
  const file = parsed.spec.file;
  let semantic: Diagnostic[];
  try {
    semantic = validateSpec(parsed.spec, catalogue, options);
  } catch (err) {
    semantic = [{
      severity: "error",
      message: `internal error while validating: ${
        err instanceof Error ? err.message : String(err)
      }`,
      file,
      line: 1,
      col: 1,
      code: "internal",
    }];
  }
  const all = [...parsed.diagnostics, ...semantic];
  if (catalogue && !all.some((d) => d.severity === "error")) {
    all.push(...overrideDiagnostics(parsed.spec, catalogue));
  }
  return { spec: parsed.spec, diagnostics: sortDiagnostics(all) };
}

/** Problems of `rjsf-overrides` against the form the spec generates, at their keys. */
function overrideDiagnostics(spec: Spec, catalogue: Catalogue): Diagnostic[] {
  const out: Diagnostic[] = [];
  const report = (p: OverrideProblem): void => {
    const where = `\`rjsf-overrides.${p.section}\` entry \`${p.keyPath}\``;
    let message: string;
    if (p.kind === "not-object") {
      message =
        `${where} cannot be applied: \`${p.at}\` is not an object in the generated rjsf.json; overrides set keys of objects (they do not index lists or replace values on the way)`;
    } else if (p.section === "properties") {
      message =
        `${where} addresses \`${p.at}\`, which the generated rjsf.json does not have (a misspelled instance id or group title, or arguments the spec binds); the override adds it to the form`;
    } else if (p.section === "$defs") {
      message =
        `${where} addresses the definition \`${p.at}\`, which the generated form does not use; the override adds an unused definition`;
    } else return;
    const at = locate(
      spec.locations,
      pointer("", "rjsf-overrides", p.section, p.keyPath),
      "key",
    );
    out.push({
      severity: p.kind === "not-object" ? "error" : "warning",
      message,
      file: spec.file,
      line: at.line,
      col: at.col,
      code: p.kind === "not-object" ? "bad-override" : "override-creates",
    });
  };
  try {
    generateSchemas(spec, (i) => catalogue.entryFor(i.task), {
      onOverrideProblem: report,
    });
  } catch (err) {
    out.push({
      severity: "error",
      message: `internal error while generating the form schemas: ${
        err instanceof Error ? err.message : String(err)
      }`,
      file: spec.file,
      line: 1,
      col: 1,
      code: "internal",
    });
  }
  return out;
}
