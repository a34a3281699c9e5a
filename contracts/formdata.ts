/**
 * Conversion between form data (task groups nested under their titles, as `rjsf.json`
 * lays them out) and workflow parameters (one flat property per task instance).
 *
 * @module
 */

/**
 * The key that marks a property of `rjsf.json` as a task group whose members are task
 * instances. It is the key existing generated forms already use, so forms stay compatible.
 *
 * @example
 * ```ts
 * import { paramsToFormdata, TASK_GROUP_MARKER } from "@wt/contracts";
 *
 * const rjsf = { properties: { Doubling: { [TASK_GROUP_MARKER]: true, properties: { doubled: {} } } } };
 * const formdata = paramsToFormdata({ doubled: { n: 1 } }, rjsf);
 * console.assert(JSON.stringify(formdata) === '{"Doubling":{"doubled":{"n":1}}}');
 * ```
 */
export const TASK_GROUP_MARKER = "ecoscope:task_group";

/** A JSON object. */
export type Json = Record<string, unknown>;

function isObject(x: unknown): x is Json {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}

/** Set an own property, even for keys such as `__proto__`. */
function setOwn(obj: Json, key: string, value: unknown): void {
  Object.defineProperty(obj, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}

function groupTitles(rjsf: Json): Set<string> {
  const props = isObject(rjsf["properties"]) ? rjsf["properties"] : {};
  const titles = new Set<string>();
  for (const [key, sub] of Object.entries(props)) {
    if (isObject(sub) && sub[TASK_GROUP_MARKER] === true) titles.add(key);
  }
  return titles;
}

/**
 * Lift task-group members to the top level: form data shaped like `rjsf.json` becomes flat
 * workflow parameters.
 *
 * @param formdata Data as the form submits it.
 * @param rjsf The workflow's `rjsf.json` schema (for its group markers).
 * @returns Parameters keyed by task instance id.
 * @throws {TypeError} When `formdata` is not an object, a group's value is not an object, or
 *   a task instance id would appear twice.
 *
 * @example
 * ```ts
 * import { formdataToParams } from "@wt/contracts";
 *
 * const rjsf = { properties: { Doubling: { "ecoscope:task_group": true, properties: {} } } };
 * const params = formdataToParams({ total: { a: 1 }, Doubling: { doubled: { k: 2 } } }, rjsf);
 * console.assert(JSON.stringify(params) === '{"total":{"a":1},"doubled":{"k":2}}');
 * ```
 */
export function formdataToParams(formdata: unknown, rjsf: Json): Json {
  if (!isObject(formdata)) {
    throw new TypeError("form data must be a JSON object");
  }
  const groups = groupTitles(rjsf);
  const out: Json = {};
  const put = (key: string, value: unknown, where: string) => {
    if (Object.hasOwn(out, key)) {
      throw new TypeError(
        `task instance '${key}' appears twice in form data (${where})`,
      );
    }
    setOwn(out, key, value);
  };
  for (const [key, value] of Object.entries(formdata)) {
    if (groups.has(key)) {
      if (!isObject(value)) {
        throw new TypeError(
          `task group '${key}' must be an object of task instances`,
        );
      }
      for (const [id, sub] of Object.entries(value)) {
        put(id, sub, `group '${key}'`);
      }
    } else {
      put(key, value, "top level");
    }
  }
  return out;
}

/**
 * Nest workflow parameters under their task-group titles, the shape the form expects.
 *
 * @param params Parameters keyed by task instance id.
 * @param rjsf The workflow's `rjsf.json` schema.
 * @returns Form data; ids that belong to no group stay at the top level.
 * @throws {TypeError} When `params` is not an object, or a parameter has the name of a
 *   task group (the form data would be ambiguous).
 *
 * @example
 * ```ts
 * import { paramsToFormdata } from "@wt/contracts";
 *
 * const rjsf = {
 *   properties: {
 *     Doubling: { "ecoscope:task_group": true, properties: { doubled: {} } },
 *   },
 * };
 * const fd = paramsToFormdata({ total: { a: 1 }, doubled: { k: 2 } }, rjsf);
 * console.assert(JSON.stringify(fd) === '{"total":{"a":1},"Doubling":{"doubled":{"k":2}}}');
 * ```
 */
export function paramsToFormdata(params: unknown, rjsf: Json): Json {
  if (!isObject(params)) throw new TypeError("params must be a JSON object");
  const props = isObject(rjsf["properties"]) ? rjsf["properties"] : {};
  const owner = new Map<string, string>();
  for (const title of groupTitles(rjsf)) {
    const group = props[title] as Json;
    const members = isObject(group["properties"]) ? group["properties"] : {};
    for (const id of Object.keys(members)) owner.set(id, title);
  }
  const out: Json = {};
  for (const [key, value] of Object.entries(params)) {
    const title = owner.get(key);
    if (title === undefined) {
      if (isObject(props[key]) && props[key][TASK_GROUP_MARKER] === true) {
        throw new TypeError(
          `parameter '${key}' has the name of a task group in the form schema; ` +
            `rename the task instance or the group`,
        );
      }
      setOwn(out, key, value);
    } else {
      if (!Object.hasOwn(out, title)) setOwn(out, title, {});
      setOwn(out[title] as Json, key, value);
    }
  }
  return out;
}
