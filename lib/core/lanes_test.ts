import assert from "node:assert/strict";
import { isLane, LANES } from "./lanes.ts";

Deno.test("isLane() accepts each lane and nothing else", () => {
  for (const l of LANES) assert.equal(isLane(l), true);
  for (const v of ["SHM", "pigeon", "", undefined, 0, ["uds"]]) assert.equal(isLane(v), false);
});
