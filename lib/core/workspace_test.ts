import assert from "node:assert/strict";
import { relativePath, workspaceAt } from "./workspace.ts";

Deno.test("relativePath() names files inside the root relative to it, others as given", () => {
  assert.equal(relativePath("/ws", "/ws"), ".");
  assert.equal(relativePath("/ws", "/ws/plans/x.plan.json"), "plans/x.plan.json");
  assert.equal(relativePath("/ws", "/ws/a/../b.json"), "b.json");
  assert.equal(relativePath("/ws", "/wsx/b.json"), "/wsx/b.json");
  assert.equal(relativePath("/ws", "/tmp/bundle.rttb"), "/tmp/bundle.rttb");
  assert.equal(relativePath("/ws", "plans/x.plan.json"), "plans/x.plan.json");
});

Deno.test("workspaceAt() resolves the root and lays out .rtt/ under it", () => {
  const ws = workspaceAt("/ws/sub/..//");
  assert.equal(ws.root, "/ws");
  assert.equal(ws.cas, "/ws/.rtt/registry/cas/sha256");
  assert.equal(ws.plans, "/ws/plans");
});
