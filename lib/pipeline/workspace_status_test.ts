import assert from "node:assert/strict";
import { workspaceAt } from "../core/mod.ts";
import { EMPTY_GRAPH } from "../graph/mod.ts";
import { applyPlan } from "./apply_plan.ts";
import { workspaceStatus } from "./workspace_status.ts";
import { testRoutes, testWorkspace, writeTestPlan } from "../testing/mod.ts";

Deno.test("workspaceStatus() of an uninitialised folder reports no key and no committed graph", async () => {
  const bare = await Deno.makeTempDir();
  try {
    const s = await workspaceStatus(workspaceAt(bare));
    assert.equal(s.initialised, false);
    assert.equal(s.key_id, null);
    assert.equal(s.committed, null);
    assert.equal(s.lock, null);
  } finally {
    await Deno.remove(bare, { recursive: true });
  }
});

Deno.test("workspaceStatus() reports the signing key, the committed graph and the last plan", async () => {
  await using t = await testWorkspace();
  const { plan, path } = await writeTestPlan(t, EMPTY_GRAPH, testRoutes(2));
  await applyPlan(t.ws, { plan: path });
  const s = await workspaceStatus(t.ws);
  assert.equal(s.initialised, true);
  assert.equal(s.key_id, t.key.keyId);
  assert.equal(s.committed?.graph_hash, plan.target_graph);
  assert.equal(s.committed?.routes, 2);
  assert.equal(s.last_applied?.plan_id, plan.plan_id);
  assert.equal(s.recovery_pending, false);
});
