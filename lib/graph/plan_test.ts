import assert from "node:assert/strict";
import { VerificationError } from "../core/mod.ts";
import { EMPTY_GRAPH } from "./graph.ts";
import { applyDelta } from "./plan.ts";

Deno.test("applyDelta() refuses to remove a route the base graph lacks", () => {
  assert.throws(
    () =>
      applyDelta(EMPTY_GRAPH, {
        routes_add: [],
        routes_del: [{ id: "r-000000000000", from: "rtt://a/b/c", to: "rtt://a/b/d" }],
      }),
    VerificationError,
  );
});
