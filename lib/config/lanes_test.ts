import assert from "node:assert/strict";
import { LANES } from "./mod.ts";

// Every enum of lane names in the JSON Schemas, wherever it sits.
function laneEnums(node: unknown, out: unknown[][] = []): unknown[][] {
  if (Array.isArray(node)) { for (const n of node) laneEnums(n, out); }
  else if (node !== null && typeof node === "object") {
    for (const [k, v] of Object.entries(node)) {
      if (k === "enum" && Array.isArray(v) && v.includes("uds")) out.push(v);
      else laneEnums(v, out);
    }
  }
  return out;
}

Deno.test("the schemas name exactly the lanes of LANES, in its order", async () => {
  const dir = new URL("../../schemas/", import.meta.url);
  let seen = 0;
  for await (const e of Deno.readDir(dir)) {
    if (!e.name.endsWith(".json")) continue;
    const schema = JSON.parse(await Deno.readTextFile(new URL(e.name, dir)));
    for (const en of laneEnums(schema)) {
      assert.deepEqual(en, [...LANES], e.name);
      seen++;
    }
  }
  assert.ok(seen >= 5, `only ${seen} lane enums found`);
});
