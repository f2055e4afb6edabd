import assert from "node:assert/strict";
import { generateKeyPair, VerificationError, workspaceAt } from "../core/mod.ts";
import { EMPTY_GRAPH, readCommittedState } from "../graph/mod.ts";
import { tempDir } from "../testing/mod.ts";
import { buildPlan, testRoutes } from "../testing/mod.ts";
import { applyPlan } from "./apply.ts";
import { openWal, scanWal, segmentPath, type WalEntry } from "./wal.ts";
import { verifyWalHistory } from "./wal_verify.ts";

const FAST = { verifyWindowMs: 0, prepareTimeoutMs: 1000 };

Deno.test("verifyWalHistory() reports the chain, checkpoint and state of a healthy log", async () => {
  await using dir = await tempDir();
  const ws = workspaceAt(dir.path);
  const key = await generateKeyPair();
  const plan = await buildPlan(key, EMPTY_GRAPH, testRoutes(3), { batches: 2 });
  await applyPlan(ws, plan, FAST);
  const r = await verifyWalHistory(ws);
  const state = await readCommittedState(ws);
  assert.equal(r.file, ".rtt/wal/rtt.000001.wal");
  assert.equal(r.segments, 1);
  assert.equal(r.first_seq, 1);
  assert.equal(r.last_seq, r.records);
  assert.equal(r.unfinished_txn, null);
  assert.deepEqual(r.state, { seq: state.seq, graph_hash: state.graph_hash, matches_wal: true });
});

Deno.test("verifyWalHistory() names the seq of a well-chained record that breaks the schema", async () => {
  await using dir = await tempDir();
  const ws = workspaceAt(dir.path);
  const wal = await openWal(ws);
  const bad = {
    type: "vote",
    txn: "t-1",
    payload: { batch: 0, participant: "state", vote: "maybe", ms: 1 },
  } as unknown as WalEntry;
  await wal.append({ type: "batch-commit", txn: "t-1", payload: { batch: 0 } });
  await wal.append(bad, { sync: true });
  wal.close();
  assert.equal((await scanWal(ws)).records.length, 2, "the chain itself is intact");
  await assert.rejects(
    () => verifyWalHistory(ws),
    (e: unknown) =>
      e instanceof VerificationError &&
      /corrupt at seq 2: the vote record does not match .*\/payload\/vote/.test(e.message),
  );
});

Deno.test("applyPlan() refuses a WAL cut back to an earlier transaction: the state's END is gone", async () => {
  await using dir = await tempDir();
  const ws = workspaceAt(dir.path);
  const key = await generateKeyPair();
  const p1 = await buildPlan(key, EMPTY_GRAPH, testRoutes(2), { batches: 1 });
  await applyPlan(ws, p1, FAST);
  const cut = (await Deno.stat(segmentPath(ws, 1))).size;
  const p2 = await buildPlan(key, { routes: p1.routes_add }, testRoutes(2, 10), { batches: 1 });
  await applyPlan(ws, p2, FAST);
  const bytes = await Deno.readFile(segmentPath(ws, 1));
  await Deno.writeFile(segmentPath(ws, 1), bytes.subarray(0, cut));
  const p3 = await buildPlan(
    key,
    { routes: [...p1.routes_add, ...p2.routes_add] },
    testRoutes(1, 50),
  );
  await assert.rejects(
    () => applyPlan(ws, p3, FAST),
    (e: unknown) =>
      e instanceof VerificationError && /does not match the WAL's last END/.test(e.message),
  );
  await assert.rejects(() => verifyWalHistory(ws), /does not match the WAL's last END/);
});
