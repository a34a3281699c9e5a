/**
 * Parse `spec.yaml` (YAML 1.2, core schema) into the typed {@linkcode Spec} model, keeping the
 * source position of every node and reporting structural problems as located diagnostics.
 *
 * @module
 */
import {
  type Alias,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  type Node as YamlNode,
  parseDocument,
  type Scalar,
  type YAMLMap,
} from "yaml";
import { type Diagnostic, diagnosticAt, type Severity } from "./diagnostics.ts";
import type {
  MapSpec,
  Requirement,
  RjsfOverrides,
  SkipifSpec,
  SourcePos,
  Spec,
  SpecLocations,
  TaskGroup,
  TaskInstance,
  WorkflowItem,
} from "./spec_model.ts";
import { didYouMean } from "./_suggest.ts";

/** Result of {@linkcode parseSpec}. */
export interface ParseResult {
  /**
   * The parsed spec; `undefined` only when the text is not YAML or its root is not a mapping.
   * A spec is returned even when there are structural errors (with the broken parts left out
   * or empty), so that later phases can report their problems too.
   */
  spec: Spec | undefined;
  /** Structural problems (YAML syntax, unknown keys, wrong types, missing fields). */
  diagnostics: Diagnostic[];
}

/**
 * Keys allowed at the top level of a spec.
 *
 * @example
 * ```ts
 * import { TOP_LEVEL_KEYS } from "@wt/compiler";
 *
 * console.assert(TOP_LEVEL_KEYS.includes("workflow"));
 * ```
 */
export const TOP_LEVEL_KEYS: readonly string[] = [
  "id",
  "requirements",
  "rjsf-overrides",
  "task-instance-defaults",
  "workflow",
];
/**
 * Keys allowed in a task instance.
 *
 * @example
 * ```ts
 * import { INSTANCE_KEYS } from "@wt/compiler";
 *
 * console.assert(INSTANCE_KEYS.includes("partial"));
 * ```
 */
export const INSTANCE_KEYS: readonly string[] = [
  "type",
  "id",
  "name",
  "task",
  "partial",
  "map",
  "mapvalues",
  "skipif",
];
/**
 * Keys allowed in a task group.
 *
 * @example
 * ```ts
 * import { GROUP_KEYS } from "@wt/compiler";
 *
 * console.assert(GROUP_KEYS.includes("tasks"));
 * ```
 */
export const GROUP_KEYS: readonly string[] = [
  "type",
  "title",
  "description",
  "tasks",
];
/**
 * Keys allowed in `map` / `mapvalues`.
 *
 * @example
 * ```ts
 * import { MAP_KEYS } from "@wt/compiler";
 *
 * console.assert(MAP_KEYS.includes("argvalues"));
 * ```
 */
export const MAP_KEYS: readonly string[] = ["argnames", "argvalues"];
/**
 * Keys allowed in `skipif`.
 *
 * @example
 * ```ts
 * import { SKIPIF_KEYS } from "@wt/compiler";
 *
 * console.assert(SKIPIF_KEYS.includes("unpack_depth"));
 * ```
 */
export const SKIPIF_KEYS: readonly string[] = ["conditions", "unpack_depth"];
/**
 * Keys allowed in a requirement.
 *
 * @example
 * ```ts
 * import { REQUIREMENT_KEYS } from "@wt/compiler";
 *
 * console.assert(REQUIREMENT_KEYS.includes("path"));
 * ```
 */
export const REQUIREMENT_KEYS: readonly string[] = [
  "name",
  "path",
  "version",
  "registry",
  "channel",
];
/**
 * Keys allowed in `rjsf-overrides`.
 *
 * @example
 * ```ts
 * import { RJSF_OVERRIDE_KEYS } from "@wt/compiler";
 *
 * console.assert(RJSF_OVERRIDE_KEYS.includes("uiSchema"));
 * ```
 */
export const RJSF_OVERRIDE_KEYS: readonly string[] = [
  "properties",
  "$defs",
  "uiSchema",
];
/**
 * Keys allowed in `task-instance-defaults`.
 *
 * @example
 * ```ts
 * import { INSTANCE_DEFAULT_KEYS } from "@wt/compiler";
 *
 * console.assert(INSTANCE_DEFAULT_KEYS.includes("skipif"));
 * ```
 */
export const INSTANCE_DEFAULT_KEYS: readonly string[] = ["skipif"];

/** Cap on YAML nodes visited while converting values (guards alias bombs). */
const MAX_NODES = 2_000_000;

/**
 * Escape one JSON Pointer segment (RFC 6901).
 *
 * @param segment A key or index.
 * @returns The escaped segment, without the leading `/`.
 *
 * @example
 * ```ts
 * import { escapePointer } from "./parse.ts";
 *
 * console.assert(escapePointer("a/b~c") === "a~1b~0c");
 * ```
 */
export function escapePointer(segment: string | number): string {
  return String(segment).replace(/~/g, "~0").replace(/\//g, "~1");
}

/**
 * Build a JSON Pointer from a base pointer and further segments.
 *
 * @param base The pointer to extend (`""` is the root).
 * @param segments Keys and indexes to append.
 * @returns The extended pointer.
 *
 * @example
 * ```ts
 * import { pointer } from "./parse.ts";
 *
 * console.assert(pointer("/workflow/0", "partial", "x") === "/workflow/0/partial/x");
 * ```
 */
export function pointer(
  base: string,
  ...segments: Array<string | number>
): string {
  let out = base;
  for (const s of segments) out += `/${escapePointer(s)}`;
  return out;
}

/**
 * The source position of the node at a JSON Pointer: its key when `kind` is `"key"` and the
 * node is a mapping entry, otherwise its value. Falls back to the nearest enclosing node that
 * has a position, then to line 1, column 1.
 *
 * @param locations Positions recorded by {@linkcode parseSpec} (may be absent).
 * @param ptr The JSON Pointer of the node.
 * @param kind Whether to point at the key or the value of a mapping entry.
 * @returns The position.
 *
 * @example
 * ```ts
 * import { locate, parseSpec } from "./parse.ts";
 *
 * const { spec } = parseSpec("id: w\nworkflow:\n  - id: a\n    task: add\n", "s.yaml");
 * console.assert(locate(spec?.locations, "/workflow/0/task", "value").line === 4);
 * console.assert(locate(spec?.locations, "/workflow/0/task", "key").col === 5);
 * ```
 */
export function locate(
  locations: SpecLocations | undefined,
  ptr: string,
  kind: "key" | "value" = "value",
): SourcePos {
  if (!locations) return { line: 1, col: 1 };
  if (kind === "key") {
    const k = locations.keys[ptr];
    if (k) return k;
  }
  let p = ptr;
  for (;;) {
    const v = locations.values[p];
    if (v) return v;
    if (p === "") return { line: 1, col: 1 };
    p = p.slice(0, p.lastIndexOf("/"));
  }
}

interface Entry {
  key: string;
  keyNode: YamlNode;
  value: YamlNode | null;
  ptr: string;
}

class Parser {
  readonly diagnostics: Diagnostic[] = [];
  readonly locations: SpecLocations = { values: {}, keys: {} };
  #visited = 0;
  #exhausted = false;

  constructor(
    readonly file: string,
    readonly lc: LineCounter,
    readonly doc: ReturnType<typeof parseDocument>,
  ) {}

  posAt(offset: number): SourcePos {
    const { line, col } = this.lc.linePos(offset);
    return { line: Math.max(line, 1), col: Math.max(col, 1) };
  }

  pos(node: YamlNode | null | undefined, fallback?: SourcePos): SourcePos {
    const r = node?.range;
    if (r) return this.posAt(r[0]);
    return fallback ?? { line: 1, col: 1 };
  }

  report(
    severity: Severity,
    at: SourcePos,
    code: string,
    message: string,
  ): void {
    this.diagnostics.push(diagnosticAt(this.file, severity, at, code, message));
  }

  error(at: SourcePos, code: string, message: string): void {
    this.report("error", at, code, message);
  }

  resolve(node: YamlNode | null | undefined): YamlNode | null {
    let n: YamlNode | null | undefined = node;
    let hops = 0;
    while (n && isAlias(n)) {
      const target: unknown = (n as Alias).resolve(this.doc);
      n = target as YamlNode | undefined;
      if (++hops > 100) return null;
    }
    return n ?? null;
  }

  /** Convert a node to a plain JS value, recording positions of all nested nodes. */
  value(
    node: YamlNode | null | undefined,
    ptr: string,
    stack: Set<YamlNode> = new Set(),
  ): unknown {
    if (node?.range) this.locations.values[ptr] = this.pos(node);
    if (++this.#visited > MAX_NODES) {
      if (!this.#exhausted) {
        this.#exhausted = true;
        this.error(
          this.pos(node),
          "yaml-too-large",
          "the document expands to too many nodes (aliases?); simplify it",
        );
      }
      return null;
    }
    const n = this.resolve(node);
    if (!n) return null;
    if (isScalar(n)) return scalarValue(n);
    if (stack.has(n)) {
      this.error(
        this.pos(node),
        "recursive-alias",
        "an alias refers to a collection that contains it; remove the recursion",
      );
      return null;
    }
    stack.add(n);
    try {
      if (isSeq(n)) {
        return n.items.map((item, i) =>
          this.value(item as YamlNode, pointer(ptr, i), stack)
        );
      }
      if (isMap(n)) {
        const out: Record<string, unknown> = {};
        for (const e of this.entries(n, ptr)) {
          Object.defineProperty(out, e.key, {
            value: this.value(e.value, e.ptr, stack),
            enumerable: true,
            writable: true,
            configurable: true,
          });
        }
        return out;
      }
    } finally {
      stack.delete(n);
    }
    return null;
  }

  /** The entries of a mapping node, with string keys; records key positions. */
  entries(map: YAMLMap, ptr: string): Entry[] {
    const out: Entry[] = [];
    for (const pair of map.items) {
      const keyNode = this.resolve(pair.key as YamlNode | null);
      let key: string;
      if (keyNode === null) key = "";
      else if (isScalar(keyNode)) {
        const v = keyNode.value;
        key = v === null || v === undefined ? "" : String(v);
      } else {
        this.error(
          this.pos(pair.key as YamlNode),
          "bad-key",
          "mapping keys must be plain strings, not lists or mappings",
        );
        continue;
      }
      const kn = (pair.key ?? keyNode) as YamlNode;
      const entry: Entry = {
        key,
        keyNode: kn,
        value: (pair.value ?? null) as YamlNode | null,
        ptr: pointer(ptr, key),
      };
      if (kn?.range) this.locations.keys[entry.ptr] = this.pos(kn);
      const vn = entry.value;
      this.locations.values[entry.ptr] = vn?.range
        ? this.pos(vn)
        : this.pos(kn);
      out.push(entry);
    }
    return out;
  }

  /**
   * Read a mapping that must have only `allowed` keys; reports unknown keys at the key.
   * Returns `undefined` (after reporting) when the node is not a mapping.
   */
  mapping(
    node: YamlNode | null,
    ptr: string,
    what: string,
    allowed: readonly string[],
    at: SourcePos,
    hint?: (key: string) => string | undefined,
  ): Map<string, Entry> | undefined {
    const n = this.resolve(node);
    if (!n || !isMap(n)) {
      this.error(
        node ? this.pos(node) : at,
        "bad-type",
        `${what} must be a mapping, not ${describe(n)}`,
      );
      return undefined;
    }
    this.locations.values[ptr] ??= this.pos(node, at);
    const out = new Map<string, Entry>();
    for (const e of this.entries(n, ptr)) {
      if (!allowed.includes(e.key)) {
        const extra = hint?.(e.key) ??
          (didYouMean(e.key, allowed) ||
            `; allowed keys: ${allowed.map((k) => `\`${k}\``).join(", ")}`);
        this.error(
          this.pos(e.keyNode),
          "unknown-key",
          `unknown key \`${e.key}\` in ${what}${extra}`,
        );
        continue;
      }
      out.set(e.key, e);
    }
    return out;
  }

  /**
   * A string field; numbers (with `numbers`) or any scalar (with `scalars`: numbers and
   * booleans, for display texts) are accepted as their source text.
   */
  string(
    e: Entry | undefined,
    what: string,
    opts: { nullable?: boolean; numbers?: boolean; scalars?: boolean } = {},
  ): string | null | undefined {
    if (!e) return undefined;
    const n = this.resolve(e.value);
    if (n === null || (isScalar(n) && n.value === null)) {
      if (opts.nullable) return null;
      this.error(
        this.pos(e.value, this.pos(e.keyNode)),
        "bad-type",
        `${what} must be a string, not null`,
      );
      return undefined;
    }
    if (isScalar(n)) {
      if (typeof n.value === "string") return n.value;
      const v = n.value;
      if (
        (opts.numbers || opts.scalars) && typeof v === "number" ||
        opts.scalars && typeof v === "boolean"
      ) {
        return (n as Scalar.Parsed).source ?? String(v);
      }
    }
    this.error(
      this.pos(e.value),
      "bad-type",
      `${what} must be a string, not ${describe(n)}${
        isScalar(n) ? "; quote it" : ""
      }`,
    );
    return undefined;
  }

  list(e: Entry, what: string): YamlNode[] | undefined {
    const n = this.resolve(e.value);
    if (n === null || (isScalar(n) && n.value === null)) return [];
    if (isSeq(n)) return n.items as YamlNode[];
    this.error(
      this.pos(e.value),
      "bad-type",
      `${what} must be a list, not ${describe(n)}`,
    );
    return undefined;
  }

  // ---- spec sections --------------------------------------------------------------------

  spec(root: YamlNode | null): Spec | undefined {
    const rootPos = this.pos(root);
    const top = this.mapping(
      root,
      "",
      "the spec",
      TOP_LEVEL_KEYS,
      rootPos,
    );
    if (!top) return undefined;
    this.locations.values[""] = rootPos;

    const idEntry = top.get("id");
    let id = "";
    if (!idEntry) {
      this.error(
        rootPos,
        "missing-key",
        "the spec has no `id`; add `id: <workflow_id>` at the top",
      );
    } else {
      const s = this.string(idEntry, "the workflow `id`");
      if (s === "") {
        this.error(
          this.pos(idEntry.value, this.pos(idEntry.keyNode)),
          "bad-id",
          "the workflow `id` is empty",
        );
      } else if (typeof s === "string") id = s;
    }

    const requirements: Requirement[] = [];
    const reqEntry = top.get("requirements");
    if (reqEntry) {
      const items = this.list(reqEntry, "`requirements`") ?? [];
      items.forEach((item, i) => {
        const r = this.requirement(item, pointer("/requirements", i));
        if (r) requirements.push(r);
      });
    }

    const rjsf_overrides: RjsfOverrides = {
      properties: {},
      $defs: {},
      uiSchema: {},
    };
    const ovEntry = top.get("rjsf-overrides");
    if (ovEntry && !isNull(this.resolve(ovEntry.value))) {
      const ov = this.mapping(
        ovEntry.value,
        "/rjsf-overrides",
        "`rjsf-overrides`",
        RJSF_OVERRIDE_KEYS,
        this.pos(ovEntry.keyNode),
      );
      for (const [k, e] of ov ?? []) {
        const section = this.resolve(e.value);
        if (isNull(section)) continue;
        if (!isMap(section)) {
          this.error(
            this.pos(e.value),
            "bad-type",
            `\`rjsf-overrides.${k}\` must be a mapping of dotted key paths to values, not ${
              describe(section)
            }`,
          );
          continue;
        }
        rjsf_overrides[k as keyof RjsfOverrides] = this.value(
          e.value,
          e.ptr,
        ) as Record<string, unknown>;
      }
    }

    const task_instance_defaults: Spec["task_instance_defaults"] = {};
    const tidEntry = top.get("task-instance-defaults");
    if (tidEntry && !isNull(this.resolve(tidEntry.value))) {
      const tid = this.mapping(
        tidEntry.value,
        "/task-instance-defaults",
        "`task-instance-defaults`",
        INSTANCE_DEFAULT_KEYS,
        this.pos(tidEntry.keyNode),
      );
      const sk = tid?.get("skipif");
      if (sk) {
        const skipif = this.skipif(sk);
        if (skipif) task_instance_defaults.skipif = skipif;
      }
    }

    const workflow: WorkflowItem[] = [];
    const wfEntry = top.get("workflow");
    if (!wfEntry) {
      this.error(
        rootPos,
        "missing-key",
        "the spec has no `workflow`; add `workflow:` with a list of task instances",
      );
    } else {
      const items = this.list(wfEntry, "`workflow`");
      if (items && items.length === 0) {
        this.error(
          this.pos(wfEntry.value, this.pos(wfEntry.keyNode)),
          "empty-workflow",
          "`workflow` lists no task instances; add at least one",
        );
      }
      (items ?? []).forEach((item, i) => {
        const w = this.item(item, pointer("/workflow", i), false);
        if (w) workflow.push(w);
      });
    }

    return {
      id,
      requirements,
      rjsf_overrides,
      task_instance_defaults,
      workflow,
      file: this.file,
      locations: this.locations,
    };
  }

  requirement(node: YamlNode, ptr: string): Requirement | undefined {
    const at = this.pos(node);
    const m = this.mapping(
      node,
      ptr,
      "a requirement",
      REQUIREMENT_KEYS,
      at,
    );
    if (!m) return undefined;
    const name = this.string(m.get("name"), "the requirement `name`");
    if (!m.has("name")) {
      this.error(
        at,
        "missing-key",
        'the requirement has no `name`; add the package name, e.g. `name: "@acme/geo-tasks"`',
      );
    }
    if (typeof name !== "string") return undefined;
    const req: Requirement = { name, pos: at };
    const path = this.string(m.get("path"), "the requirement `path`");
    if (typeof path === "string") req.path = path;
    const version = this.string(m.get("version"), "the requirement `version`", {
      numbers: true,
    });
    if (typeof version === "string") req.version = version;
    const regEntry = m.get("registry");
    const registry = this.string(regEntry, "the requirement `registry`");
    if (typeof registry === "string") {
      if (registry === "jsr" || registry === "npm") req.registry = registry;
      else {
        this.error(
          this.pos(regEntry?.value),
          "bad-value",
          `unknown requirement registry \`${registry}\`; use \`jsr\` (the default) or \`npm\``,
        );
      }
    }
    const chEntry = m.get("channel");
    const channel = this.string(chEntry, "the requirement `channel`", {
      numbers: true,
    });
    if (typeof channel === "string" && chEntry) {
      req.channel = channel;
      this.report(
        "warning",
        this.pos(chEntry.keyNode),
        "conda-requirement",
        `requirement \`${name}\` names a conda channel (${channel}); conda packages cannot be installed from Deno. Replace it with a Deno task library (\`path:\` to a local package folder, or \`version:\` with \`registry: jsr|npm\`)`,
      );
    }
    return req;
  }

  item(
    node: YamlNode,
    ptr: string,
    inGroup: boolean,
  ): WorkflowItem | undefined {
    const n = this.resolve(node);
    const at = this.pos(node);
    if (!n || !isMap(n)) {
      this.error(
        at,
        "bad-type",
        `a workflow item must be a mapping (a task instance or a task group), not ${
          describe(n)
        }`,
      );
      return undefined;
    }
    const typePair = n.items.find((p) => {
      const k = this.resolve(p.key as YamlNode);
      return k && isScalar(k) && k.value === "type";
    });
    let type = "task";
    if (typePair) {
      const tn = this.resolve(typePair.value as YamlNode);
      const t = tn && isScalar(tn) ? tn.value : undefined;
      if (t === "task-group" || t === "task") type = t;
      else {
        this.error(
          this.pos(
            typePair.value as YamlNode,
            this.pos(typePair.key as YamlNode),
          ),
          "bad-value",
          `unknown item type ${JSON.stringify(t ?? null)}${
            typeof t === "string" ? didYouMean(t, ["task", "task-group"]) : ""
          }; use \`type: task-group\` for a group, or leave \`type\` out for a task instance`,
        );
        return undefined;
      }
    }
    if (type === "task-group") {
      if (inGroup) {
        this.error(
          at,
          "nested-group",
          "task groups cannot be nested; move this group to the top level of `workflow`",
        );
        return undefined;
      }
      return this.group(node, ptr, at);
    }
    return this.instance(node, ptr, at, inGroup);
  }

  group(node: YamlNode, ptr: string, at: SourcePos): TaskGroup | undefined {
    const m = this.mapping(node, ptr, "a task group", GROUP_KEYS, at);
    if (!m) return undefined;
    const titleEntry = m.get("title");
    let title = this.string(titleEntry, "the group `title`", {
      scalars: true,
    });
    if (!titleEntry) {
      this.error(
        at,
        "missing-key",
        "the task group has no `title`; add one (it names the group's section of the form)",
      );
    }
    if (typeof title !== "string") title = "";
    const group: TaskGroup = {
      type: "task-group",
      title,
      tasks: [],
      pos: at,
      path: ptr,
    };
    const description = this.string(
      m.get("description"),
      "the group `description`",
      { nullable: true, scalars: true },
    );
    if (typeof description === "string") group.description = description;
    const tasksEntry = m.get("tasks");
    if (!tasksEntry) {
      this.error(
        at,
        "missing-key",
        "the task group has no `tasks`; list its task instances under `tasks:`",
      );
    } else {
      const items = this.list(tasksEntry, "the group `tasks`") ?? [];
      items.forEach((item, i) => {
        const w = this.item(item, pointer(ptr, "tasks", i), true);
        if (w && w.type === "task") {
          w.group = title as string;
          group.tasks.push(w);
        }
      });
      if (items.length === 0) {
        this.report(
          "warning",
          this.pos(tasksEntry.value, this.pos(tasksEntry.keyNode)),
          "empty-group",
          `task group ${JSON.stringify(title)} has no task instances`,
        );
      }
    }
    return group;
  }

  instance(
    node: YamlNode,
    ptr: string,
    at: SourcePos,
    inGroup: boolean,
  ): TaskInstance | undefined {
    const m = this.mapping(
      node,
      ptr,
      "a task instance",
      INSTANCE_KEYS,
      at,
      (key) =>
        key === "tasks" || key === "title"
          ? `; a task group needs \`type: task-group\`${
            inGroup ? " (and groups cannot be nested)" : ""
          }`
          : undefined,
    );
    if (!m) return undefined;
    const inst: TaskInstance = {
      type: "task",
      id: "",
      task: "",
      partial: {},
      pos: at,
      path: ptr,
    };
    const idEntry = m.get("id");
    if (!idEntry) {
      this.error(
        at,
        "missing-key",
        "the task instance has no `id`; add a unique identifier, e.g. `id: my_step`",
      );
    } else {
      const id = this.string(idEntry, "the instance `id`");
      if (id === "") {
        this.error(
          this.pos(idEntry.value, this.pos(idEntry.keyNode)),
          "bad-id",
          "the instance `id` is empty; give it a unique identifier",
        );
      } else if (typeof id === "string") inst.id = id;
    }
    const nameEntry = m.get("name");
    if (nameEntry) {
      const name = this.string(nameEntry, "the instance `name`", {
        nullable: true,
        scalars: true,
      });
      if (name !== undefined) inst.name = name;
    }
    const taskEntry = m.get("task");
    if (!taskEntry) {
      this.error(
        at,
        "missing-key",
        `the task instance${
          inst.id ? ` \`${inst.id}\`` : ""
        } has no \`task\`; name the task to run, e.g. \`task: add\``,
      );
    } else {
      const task = this.string(taskEntry, "the instance `task`");
      if (task === "") {
        this.error(
          this.pos(taskEntry.value, this.pos(taskEntry.keyNode)),
          "unknown-task",
          "the instance `task` is empty; name the task to run",
        );
      } else if (typeof task === "string") inst.task = task;
    }
    const partialEntry = m.get("partial");
    if (partialEntry) {
      const pn = this.resolve(partialEntry.value);
      if (isNull(pn)) {
        this.locations.values[partialEntry.ptr] ??= this.pos(
          partialEntry.keyNode,
        );
      } else if (!pn || !isMap(pn)) {
        this.error(
          this.pos(partialEntry.value),
          "bad-type",
          `\`partial\` must be a mapping of argument names to values, not ${
            describe(pn)
          }`,
        );
      } else {
        inst.partial = this.value(
          partialEntry.value,
          partialEntry.ptr,
        ) as Record<
          string,
          unknown
        >;
      }
    }
    for (const kind of ["map", "mapvalues"] as const) {
      const e = m.get(kind);
      if (!e) continue;
      const spec = this.map(e, kind);
      if (spec) inst[kind] = spec;
    }
    const mapE = m.get("map");
    const mapvE = m.get("mapvalues");
    if (mapE && mapvE) {
      const second = (mapE.keyNode.range?.[0] ?? 0) >
          (mapvE.keyNode.range?.[0] ?? 0)
        ? mapE
        : mapvE;
      this.error(
        this.pos(second.keyNode),
        "map-and-mapvalues",
        "`map` and `mapvalues` cannot be used together on one instance; keep one of them",
      );
    }
    const sk = m.get("skipif");
    if (sk) {
      const skipif = this.skipif(sk);
      if (skipif) inst.skipif = skipif;
    }
    return inst;
  }

  map(e: Entry, kind: "map" | "mapvalues"): MapSpec | undefined {
    const keyPos = this.pos(e.keyNode);
    const m = this.mapping(e.value, e.ptr, `\`${kind}\``, MAP_KEYS, keyPos);
    if (!m) return undefined;
    const spec: MapSpec = { argnames: [], argvalues: undefined, pos: keyPos };
    const an = m.get("argnames");
    const av = m.get("argvalues");
    if (!an || !av) {
      const missing = !an ? "argnames" : "argvalues";
      this.error(
        keyPos,
        "map-incomplete",
        `\`${kind}\` needs both \`argnames\` and \`argvalues\`; add \`${missing}\``,
      );
    }
    if (an) {
      const n = this.resolve(an.value);
      if (n && isScalar(n) && typeof n.value === "string") {
        spec.argnames = [n.value];
        this.locations.values[pointer(an.ptr, 0)] = this.pos(an.value);
      } else if (n && isSeq(n)) {
        n.items.forEach((item, i) => {
          const itemNode = this.resolve(item as YamlNode);
          const p = pointer(an.ptr, i);
          this.locations.values[p] = this.pos(item as YamlNode);
          if (
            itemNode && isScalar(itemNode) && typeof itemNode.value === "string"
          ) {
            spec.argnames.push(itemNode.value);
          } else {
            this.error(
              this.pos(item as YamlNode, this.pos(an.value)),
              "bad-type",
              `\`${kind}.argnames\` entries must be argument names (strings), not ${
                describe(itemNode)
              }`,
            );
          }
        });
        if (n.items.length === 0) {
          this.error(
            this.pos(an.value),
            "bad-value",
            `\`${kind}.argnames\` is empty; name the argument(s) that receive each element`,
          );
        }
      } else {
        this.error(
          this.pos(an.value, this.pos(an.keyNode)),
          "bad-type",
          `\`${kind}.argnames\` must be an argument name or a list of names, not ${
            describe(n)
          }`,
        );
      }
    }
    if (av) spec.argvalues = this.value(av.value, av.ptr);
    return spec;
  }

  skipif(e: Entry): SkipifSpec | undefined {
    const keyPos = this.pos(e.keyNode);
    const spec: SkipifSpec = { conditions: [], unpack_depth: 1, pos: keyPos };
    if (isNull(this.resolve(e.value))) return spec;
    const m = this.mapping(e.value, e.ptr, "`skipif`", SKIPIF_KEYS, keyPos);
    if (!m) return undefined;
    const c = m.get("conditions");
    if (c) {
      const items = this.list(c, "`skipif.conditions`") ?? [];
      items.forEach((item, i) => {
        const n = this.resolve(item);
        const p = pointer(c.ptr, i);
        this.locations.values[p] = this.pos(item);
        if (n && isScalar(n) && typeof n.value === "string" && n.value) {
          spec.conditions.push(n.value);
        } else {
          this.error(
            this.pos(item, this.pos(c.value)),
            "bad-type",
            `skip conditions must be task names, not ${describe(n)}`,
          );
        }
      });
    }
    const d = m.get("unpack_depth");
    if (d) {
      const n = this.resolve(d.value);
      if (
        n && isScalar(n) && typeof n.value === "number" &&
        Number.isInteger(n.value) && n.value >= 0
      ) {
        spec.unpack_depth = n.value;
      } else {
        this.error(
          this.pos(d.value, this.pos(d.keyNode)),
          "bad-type",
          `\`skipif.unpack_depth\` must be a non-negative integer, not ${
            describe(n)
          }`,
        );
      }
    }
    return spec;
  }
}

function scalarValue(n: Scalar): unknown {
  const v = n.value;
  if (typeof v === "bigint") return Number(v);
  if (v instanceof Uint8Array) return Array.from(v);
  return v ?? null;
}

function isNull(n: YamlNode | null): boolean {
  return n === null || (isScalar(n) && n.value === null);
}

function describe(n: YamlNode | null): string {
  if (n === null) return "null";
  if (isMap(n)) return "a mapping";
  if (isSeq(n)) return "a list";
  if (isScalar(n)) {
    const v = n.value;
    if (v === null || v === undefined) return "null";
    if (typeof v === "string") return `the string ${JSON.stringify(v)}`;
    if (typeof v === "number" || typeof v === "bigint") {
      return `the number ${String(v)}`;
    }
    if (typeof v === "boolean") return `the boolean ${v}`;
  }
  return "an unsupported value";
}

/**
 * Parse the text of a `spec.yaml` (YAML 1.2 core schema: `on:` is a string key, `yes`/`no` are
 * strings) into the typed {@linkcode Spec} model with source positions. Checks the structure:
 * YAML syntax, unknown keys (with the nearest valid key), value types, missing fields, `map`
 * with `mapvalues`, incomplete `map`s. Semantic rules (ids, tasks, references, arguments) are
 * checked by `validateSpec`.
 *
 * @param text The YAML text.
 * @param file The file name to put in diagnostics and `Spec.file`.
 * @returns The spec (unless the text is not a YAML mapping) and structural diagnostics.
 *
 * @example
 * ```ts
 * import { parseSpec } from "./parse.ts";
 *
 * const { spec, diagnostics } = parseSpec(
 *   "id: w\nworkflow:\n  - id: total\n    task: add\n    partial: {a: 1, b: 2}\n",
 *   "spec.yaml",
 * );
 * console.assert(diagnostics.length === 0);
 * console.assert(spec?.workflow[0]?.type === "task");
 * ```
 */
export function parseSpec(text: string, file: string): ParseResult {
  const lc = new LineCounter();
  const doc = parseDocument(text, {
    version: "1.2",
    schema: "core",
    lineCounter: lc,
    prettyErrors: false,
    uniqueKeys: true,
    merge: false,
    keepSourceTokens: false,
    strict: true,
  });
  const parser = new Parser(file, lc, doc);
  for (const e of doc.errors) {
    parser.error(
      parser.posAt(e.pos[0]),
      "yaml-syntax",
      `YAML syntax error: ${firstLine(e.message)}`,
    );
  }
  for (const w of doc.warnings) {
    parser.report(
      "warning",
      parser.posAt(w.pos[0]),
      "yaml-warning",
      `YAML: ${firstLine(w.message)}`,
    );
  }
  if (doc.errors.length > 0) {
    return { spec: undefined, diagnostics: parser.diagnostics };
  }
  const root = doc.contents as YamlNode | null;
  if (isNull(root)) {
    parser.error(
      { line: 1, col: 1 },
      "empty-spec",
      "the spec is empty; it needs at least `id` and `workflow`",
    );
    return { spec: undefined, diagnostics: parser.diagnostics };
  }
  let spec: Spec | undefined;
  try {
    spec = parser.spec(root);
  } catch (err) {
    parser.error(
      { line: 1, col: 1 },
      "internal",
      `internal error while parsing: ${
        err instanceof Error ? err.message : String(err)
      }`,
    );
  }
  return { spec, diagnostics: parser.diagnostics };
}

function firstLine(msg: string): string {
  return (msg.split("\n")[0] ?? msg).replace(/ at line \d+, column \d+:?$/, "");
}
