import assert from "node:assert/strict";
import { MissingInputError, workspaceAt } from "../core/mod.ts";
import { EMPTY_GRAPH, readCommittedState } from "../graph/mod.ts";
import { applyPlan } from "./apply_plan.ts";
import { rollbackTo } from "./rollback_to.ts";
import { testRoutes, testWorkspace, writeTestPlan } from "../testing/mod.ts";

Deno.test("rollbackTo() throws MissingInputError when nothing was committed, even outside a workspace", async () => {
  await using t = await testWorkspace();
  await assert.rejects(
    rollbackTo(t.ws),
    (err) => err instanceof MissingInputError && /^Nothing to roll back/.test(err.message),
  );
  const bare = await Deno.makeTempDir();
  try {
    await assert.rejects(rollbackTo(workspaceAt(bare)), MissingInputError);
  } finally {
    await Deno.remove(bare, { recursive: true });
  }
});

Deno.test("rollbackTo() returns to the graph before the current one as a new commit", async () => {
  await using t = await testWorkspace();
  const { path } = await writeTestPlan(t, EMPTY_GRAPH, testRoutes(2));
  await applyPlan(t.ws, { plan: path });
  const r = await rollbackTo(t.ws);
  assert.equal(r.status, "rolled-back-to");
  assert.equal(r.to_seq, 0);
  const state = await readCommittedState(t.ws);
  assert.equal(state.graph.routes.length, 0);
  assert.equal(state.seq, r.seq);
});
