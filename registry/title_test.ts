import assert from "node:assert/strict";
import { defaultTitle } from "./title.ts";

Deno.test("defaultTitle turns snake_case names into titles", () => {
  const cases: Array<[string, string]> = [
    ["get_patrol_events", "Get Patrol Events"],
    ["time_range", "Time Range"],
    ["add", "Add"],
    ["parse_int", "Parse Int"],
    ["_private__name_", "Private Name"],
    ["HTTP_code", "Http Code"],
    ["v2_api", "V2 Api"],
    ["x", "X"],
    ["__", "__"],
  ];
  for (const [name, title] of cases) {
    assert.equal(defaultTitle(name), title, name);
  }
});
