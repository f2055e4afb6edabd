/**
 * Apply cost against WAL history: the same small plan (4 routes in 2
 * batches, state participant only, fsyncs included) applied on workspaces
 * whose WAL already holds 100, 10,000 or 100,000 records. Timed: take the
 * lock, recover, open the WAL, run the transaction, release. With segments
 * and a checkpoint the two larger cases should cost about what the
 * 100-record case costs (ratio near 1x); before them the cost grew with the
 * history because every apply re-checked the whole chain.
 *
 * History is written directly (canonical records split into segments at
 * transaction boundaries, with the checkpoint a long-running writer would
 * have left), not through the coordinator, so building 100,000 records
 * takes seconds. Iterations alternate between a plan and its inverse, so
 * each one is a real apply.
 *
 * A second group times only opening the WAL for appending (what an apply
 * reads of it), without the fsyncs that dominate the first group.
 *
 * Run: node_modules/deno/deno bench -A lib/reconciler/wal_bench.ts
 *
 * @module
 */
import { canonicalize, generateKeyPair, workspaceAt, writeJsonAtomic } from "../core/mod.ts";
import { type CommittedState, EMPTY_GRAPH, graphHash, type Plan, statePath } from "../graph/mod.ts";
import { buildPlan, testRoutes } from "../testing/mod.ts";
import { applyPlan, withLock } from "./apply.ts";
import {
  checkpointPath,
  openWal,
  recordSum,
  segmentPath,
  WAL_GENESIS,
  WAL_LIMITS,
  type WalCheckpoint,
  type WalEntry,
  type WalRecord,
} from "./wal.ts";

const EMPTY = graphHash(EMPTY_GRAPH);
const key = await generateKeyPair();
const forward: Plan = await buildPlan(key, EMPTY_GRAPH, testRoutes(4), { batches: 2 });
const back: Plan = await buildPlan(key, { routes: forward.routes_add }, [], {
  del: forward.routes_add,
  batches: 2,
});
const dirs: string[] = [];

/** One committed transaction that re-commits the empty graph (6 records). */
function history(txn: string, commitSeq: number): WalEntry[] {
  const base = {
    kind: "apply" as const,
    plan_id: null,
    base_seq: commitSeq - 5,
    base_graph: EMPTY,
  };
  return [
    {
      type: "begin",
      txn,
      payload: { ...base, target_graph: EMPTY, batches: 1, participants: ["state"] },
    },
    { type: "prepare", txn, payload: { batch: 0, add: [], del: [] } },
    { type: "vote", txn, payload: { batch: 0, participant: "state", vote: "ready", ms: 0.1 } },
    { type: "batch-commit", txn, payload: { batch: 0 } },
    { type: "commit", txn, payload: { ...base, graph_hash: EMPTY, routes: 0 } },
    { type: "end", txn, payload: { seq: commitSeq, graph_hash: EMPTY } },
  ];
}

/** A workspace whose WAL holds about `records` records and whose state matches it. */
async function workspaceWithHistory(records: number): Promise<string> {
  const root = await Deno.makeTempDir({ prefix: "rtt-wal-bench-" });
  dirs.push(root);
  const ws = workspaceAt(root);
  await Deno.mkdir(ws.wal, { recursive: true });
  const enc = new TextEncoder();
  let prev = WAL_GENESIS;
  let seq = 0;
  let segment = 1;
  let chunks: Uint8Array[] = [];
  let size = 0;
  let checkpoint: WalCheckpoint | null = null;
  let sinceCheckpoint = 0;
  let last: { seq: number; sum: string; offset: number; txn: string } | null = null;
  for (let t = 0; seq < records; t++) {
    // A writer rolls over or checkpoints only before a BEGIN.
    if (last && size >= WAL_LIMITS.segmentBytes) {
      checkpoint = cp(last, segment, seq);
      await Deno.writeFile(segmentPath(ws, segment), concat(chunks, size));
      segment++;
      chunks = [];
      size = 0;
      sinceCheckpoint = 0;
    } else if (last && sinceCheckpoint >= WAL_LIMITS.checkpointEvery) {
      checkpoint = cp(last, segment, seq);
      sinceCheckpoint = 0;
    }
    for (const e of history(`t-${t.toString(16)}`, seq + 5)) {
      const body = { seq: ++seq, prev, at: "2026-01-01T00:00:00.000Z", ...e };
      const rec = { ...body, sum: recordSum(body as Omit<WalRecord, "sum">) };
      const line = enc.encode(canonicalize(rec) + "\n");
      last = { seq, sum: rec.sum, offset: size, txn: e.txn };
      chunks.push(line);
      size += line.length;
      prev = rec.sum;
      sinceCheckpoint++;
    }
  }
  await Deno.writeFile(segmentPath(ws, segment), concat(chunks, size));
  if (checkpoint) await writeJsonAtomic(checkpointPath(ws), checkpoint);
  await Deno.mkdir(ws.state, { recursive: true });
  const state: CommittedState = {
    state_version: 1,
    seq: seq - 1,
    graph_hash: EMPTY,
    plan_id: null,
    graph: EMPTY_GRAPH,
  };
  await writeJsonAtomic(statePath(ws), state);
  return root;
}

function cp(
  last: { seq: number; sum: string; offset: number; txn: string },
  segment: number,
  seq: number,
) {
  return {
    checkpoint_version: 1,
    seq: last.seq,
    sum: last.sum,
    segment,
    offset: last.offset,
    committed: { seq: seq - 1, graph_hash: EMPTY },
    finished: true,
    txn: last.txn,
  } satisfies WalCheckpoint;
}

function concat(chunks: Uint8Array[], size: number): Uint8Array {
  const out = new Uint8Array(size);
  let off = 0;
  for (const c of chunks) out.set(c, (off += c.length) - c.length);
  return out;
}

for (const records of [100, 10_000, 100_000]) {
  const root = await workspaceWithHistory(records);
  const ws = workspaceAt(root);
  let i = 0;
  Deno.bench({
    name: `apply a 4-route plan after ${records.toLocaleString("en")} WAL records`,
    group: "wal-history",
    baseline: records === 100,
    n: 30,
    warmup: 3,
    async fn() {
      const plan = i++ % 2 === 0 ? forward : back;
      const r = await withLock(ws, () => applyPlan(ws, plan, { verifyWindowMs: 0 }));
      if (r.status !== "applied") throw new Error(`apply ended ${r.status}`);
    },
  });
  // The WAL's share of an apply without the fsyncs that dominate it above.
  Deno.bench({
    name: `open the WAL for appending after ${records.toLocaleString("en")} records`,
    group: "wal-open",
    baseline: records === 100,
    n: 200,
    warmup: 10,
    async fn() {
      (await openWal(ws)).close();
    },
  });
}

globalThis.addEventListener("unload", () => {
  for (const d of dirs) Deno.removeSync(d, { recursive: true });
});
