// TEMPORARY: a rough YAML → Spec loader used until compiler/parse.ts lands. Not final code.
import { parse } from "yaml";
import type {
  SkipifSpec,
  Spec,
  TaskInstance,
  WorkflowItem,
} from "../compiler/spec_model.ts";

const pos = { line: 0, col: 0 };
// deno-lint-ignore no-explicit-any
type Any = any;

function skipif(x: Any): SkipifSpec | undefined {
  if (!x) return undefined;
  return {
    conditions: x.conditions ?? [],
    unpack_depth: x.unpack_depth ?? 1,
    pos,
  };
}
function inst(x: Any, group?: string): TaskInstance {
  const names = (m: Any) =>
    m ? (Array.isArray(m.argnames) ? m.argnames : [m.argnames]) : [];
  return {
    type: "task",
    id: x.id,
    name: x.name,
    task: x.task,
    partial: x.partial ?? {},
    map: x.map
      ? { argnames: names(x.map), argvalues: x.map.argvalues, pos }
      : undefined,
    mapvalues: x.mapvalues
      ? { argnames: names(x.mapvalues), argvalues: x.mapvalues.argvalues, pos }
      : undefined,
    skipif: skipif(x.skipif),
    group,
    pos,
  };
}

export function tmpParseSpec(text: string, file: string): Spec {
  const fixed = text.replace(/\t+$/gm, "").replace(/(\S)\t+/g, "$1 ");
  const doc: Any = parse(fixed);
  const workflow: WorkflowItem[] = (doc.workflow as Any[]).map((x) =>
    x.type === "task-group"
      ? {
        type: "task-group",
        title: x.title,
        description: x.description,
        tasks: (x.tasks as Any[]).map((t) => inst(t, x.title)),
        pos,
      }
      : inst(x)
  );
  const o = doc["rjsf-overrides"] ?? {};
  return {
    id: doc.id,
    requirements: [],
    rjsf_overrides: {
      properties: o.properties ?? {},
      $defs: o.$defs ?? {},
      uiSchema: o.uiSchema ?? {},
    },
    task_instance_defaults: {
      skipif: skipif(doc["task-instance-defaults"]?.skipif),
    },
    workflow,
    file,
  };
}
