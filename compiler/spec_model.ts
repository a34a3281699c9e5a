/**
 * The typed model of a `spec.yaml` after parsing. Values keep their YAML form (strings that
 * hold `${{ … }}` expressions stay strings; see `expressions.ts`). Every node carries the
 * source position it came from so later phases can report located diagnostics.
 *
 * @module
 */

/** A position in the spec file: 1-based line and column. */
export interface SourcePos {
  /** 1-based line. */
  line: number;
  /** 1-based column. */
  col: number;
}

/** A task library the workflow needs. */
export interface Requirement {
  /** Package name, e.g. `@wt-examples/custom-tasks`. */
  name: string;
  /** Local package folder, relative to the spec file. */
  path?: string | undefined;
  /** Version range for a published package. */
  version?: string | undefined;
  /** Where a published package comes from (default `jsr`). */
  registry?: "jsr" | "npm" | undefined;
  /** Conda channel of a requirement written for the reference framework (not installable here). */
  channel?: string | undefined;
  /** Where the requirement is written. */
  pos: SourcePos;
}

/** `map` or `mapvalues` of a task instance. */
export interface MapSpec {
  /** Argument names, always a list (a single name is normalised to one element). */
  argnames: string[];
  /** One reference, or a list of references/literals, as written. */
  argvalues: unknown;
  /** Where the `map`/`mapvalues` key is written. */
  pos: SourcePos;
}

/** Skip conditions of a task instance. */
export interface SkipifSpec {
  /** Task names of the conditions (bare or qualified). */
  conditions: string[];
  /** Flattening depth for the argument values (default 1). */
  unpack_depth: number;
  /** Where the `skipif` key is written. */
  pos: SourcePos;
}

/** One task instance of the workflow. */
export interface TaskInstance {
  /** Discriminator. */
  type: "task";
  /** Instance id (a valid identifier, unique in the workflow). */
  id: string;
  /** Display name; `null` or `""` when written so, `undefined` when absent. */
  name?: string | null | undefined;
  /** The task name as written: bare export name or `<module specifier>.<export>`. */
  task: string;
  /** Bound arguments, values as written (may contain expressions). */
  partial: Record<string, unknown>;
  /** One call per element. */
  map?: MapSpec | undefined;
  /** One call per `[key, value]` pair. */
  mapvalues?: MapSpec | undefined;
  /** The instance's own `skipif`, if written (it wins over `task-instance-defaults`). */
  skipif?: SkipifSpec | undefined;
  /** Title of the enclosing task group, if any. */
  group?: string | undefined;
  /** Where the instance starts. */
  pos: SourcePos;
  /** JSON Pointer of the instance's mapping in the YAML document (see {@linkcode SpecLocations}). */
  path?: string | undefined;
}

/** A task group: a titled section of the form holding task instances. */
export interface TaskGroup {
  /** Discriminator. */
  type: "task-group";
  /** Section title (titles may repeat across groups). */
  title: string;
  /** Section description. */
  description?: string | undefined;
  /** The group's task instances, in order. */
  tasks: TaskInstance[];
  /** Where the group starts. */
  pos: SourcePos;
  /** JSON Pointer of the group's mapping in the YAML document (see {@linkcode SpecLocations}). */
  path?: string | undefined;
}

/** An entry of the `workflow` list. */
export type WorkflowItem = TaskInstance | TaskGroup;

/** `rjsf-overrides`: dotted key paths → values, per section. */
export interface RjsfOverrides {
  /** Applied under `properties` of `rjsf.json`. */
  properties: Record<string, unknown>;
  /** Applied under `$defs` of `rjsf.json`. */
  $defs: Record<string, unknown>;
  /** Applied to `uiSchema` of `rjsf.json`. */
  uiSchema: Record<string, unknown>;
}

/** A parsed spec. */
export interface Spec {
  /** Workflow id. */
  id: string;
  /** Task libraries. */
  requirements: Requirement[];
  /** Form overrides. */
  rjsf_overrides: RjsfOverrides;
  /** Defaults applied to every task instance that does not set the field itself. */
  task_instance_defaults: { skipif?: SkipifSpec | undefined };
  /** The workflow list as written (groups kept, for the form). */
  workflow: WorkflowItem[];
  /** Absolute path or URL of the spec file (for messages). */
  file: string;
  /** Source positions of every YAML node, for located diagnostics (set by the parser). */
  locations?: SpecLocations | undefined;
}

/**
 * Source positions of the nodes of a spec's YAML document, keyed by JSON Pointer
 * (RFC 6901: `/workflow/3/tasks/0/partial/widgets/1`; `""` is the root). Cosmetic: leave it
 * out of fingerprints.
 */
export interface SpecLocations {
  /** Position of the value node at each pointer. */
  values: Record<string, SourcePos>;
  /** Position of the key node of each mapping entry, keyed by the pointer of its value. */
  keys: Record<string, SourcePos>;
}

/**
 * Every task instance of a spec in workflow order, groups flattened.
 *
 * @param spec A parsed spec.
 * @returns The task instances; members of a group carry its title in `group`.
 *
 * @example
 * ```ts
 * import { flattenInstances, type Spec } from "./spec_model.ts";
 *
 * const pos = { line: 1, col: 1 };
 * const spec: Spec = {
 *   id: "w", requirements: [], file: "spec.yaml", task_instance_defaults: {},
 *   rjsf_overrides: { properties: {}, $defs: {}, uiSchema: {} },
 *   workflow: [{ type: "task-group", title: "G", pos, tasks: [
 *     { type: "task", id: "a", task: "add", partial: {}, pos },
 *   ] }],
 * };
 * console.assert(flattenInstances(spec)[0]?.id === "a");
 * ```
 */
export function flattenInstances(spec: Spec): TaskInstance[] {
  return spec.workflow.flatMap((item) =>
    item.type === "task-group" ? item.tasks : [item]
  );
}
