import assert from "node:assert/strict";
import { VerificationError } from "../core/mod.ts";
import { EMPTY_GRAPH, statePath } from "../graph/mod.ts";
import { applyPlan } from "./apply_plan.ts";
import { verifyWal } from "./verify_wal.ts";
import { walLog } from "./wal_log.ts";
import { testRoutes, testWorkspace, writeTestPlan } from "../testing/mod.ts";

Deno.test("verifyWal() accepts an empty WAL and a clean apply, and refuses a state the WAL does not end with", async () => {
  await using t = await testWorkspace();
  const empty = await verifyWal(t.ws);
  assert.equal(empty.records, 0);
  assert.equal(empty.state.matches_wal, true);

  const { plan, path } = await writeTestPlan(t, EMPTY_GRAPH, testRoutes(2));
  await applyPlan(t.ws, { plan: path });
  const ok = await verifyWal(t.ws);
  assert.equal(ok.unfinished_txn, null);
  assert.equal(ok.state.graph_hash, plan.target_graph);
  assert.equal(ok.file, ".rtt/wal/rtt.000001.wal");

  await Deno.remove(statePath(t.ws));
  await assert.rejects(
    verifyWal(t.ws),
    (err) =>
      err instanceof VerificationError && /does not match the WAL's last END/.test(err.message),
  );
});

Deno.test("walLog() filters by transaction and keeps the last n records", async () => {
  await using t = await testWorkspace();
  const { path } = await writeTestPlan(t, EMPTY_GRAPH, testRoutes(2));
  await applyPlan(t.ws, { plan: path });
  const all = await walLog(t.ws);
  assert.ok(all.records.length > 3);
  assert.equal(all.torn, null);
  const txn = all.records[0].txn;
  assert.ok((await walLog(t.ws, { txn })).records.every((r) => r.txn === txn));
  const tail = await walLog(t.ws, { limit: 2 });
  assert.deepEqual(tail.records, all.records.slice(-2));
  assert.deepEqual((await walLog(t.ws, { limit: 0 })).records, []);
});
