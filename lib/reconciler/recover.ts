/**
 * Crash recovery by WAL replay. Only the last transaction can be unfinished
 * (one writer at a time, and every writer recovers first). It is rolled
 * forward when its COMMIT record is durable (the committed graph is taken
 * from the graph store and the state file, last_applied and END are
 * written again), and rolled back otherwise (ABORT recorded; the state file
 * was never touched). Participants other than the state are not reachable
 * from a fresh process: the panel rebuilds its links from the committed
 * state when it starts.
 *
 * @module
 */
import {
  acquireWorkspaceLock,
  relativePath,
  type Workspace,
  type WorkspaceLock,
} from "../core/mod.ts";
import { loadGraph } from "./graph_store.ts";
import { finishCommit } from "./transaction.ts";
import {
  scanWal,
  tailRecord,
  type TornTail,
  type WalRecord,
  type WalRecordType,
  WalWriter,
  type WalWriterOptions,
} from "./wal.ts";

/** What {@linkcode recover} did. */
export interface RecoveryReport {
  /** `none` when the log was clean and the last transaction finished. */
  action: "none" | "rolled-back" | "rolled-forward" | "dropped-torn-tail";
  /** The transaction recovered, if any. */
  txn: string | null;
  /** The torn last record that was cut off, if any. */
  torn: TornTail | null;
  /** One line for people. */
  detail: string;
}

/** Options for {@linkcode recover}. */
export interface RecoverOptions extends WalWriterOptions {
  /** The lock, when the caller already holds it; otherwise recover takes it when it has work. */
  lock?: WorkspaceLock;
}

const FINISHED: ReadonlySet<WalRecordType> = new Set(["end", "abort", "verify"]);

/** The last transaction's records (from its BEGIN), or null when there is none. */
export function lastTransaction(records: WalRecord[]): WalRecord[] | null {
  for (let i = records.length - 1; i >= 0; i--) {
    if (records[i].type === "begin") {
      const txn = records[i].txn;
      return records.slice(i).filter((r) => r.txn === txn);
    }
  }
  return null;
}

/**
 * Whether recovery has work to do, without writing anything (cheap: reads
 * the WAL's tail only when the last transaction finished cleanly).
 */
export async function recoveryPending(ws: Workspace): Promise<boolean> {
  const tail = await tailRecord(ws);
  if (tail === null) return false;
  if (tail !== "unknown" && FINISHED.has(tail.type)) return false;
  const scan = await scanWal(ws);
  if (scan.torn) return true;
  const last = lastTransaction(scan.records);
  return last !== null && !last.some((r) => r.type === "end" || r.type === "abort");
}

/**
 * Brings the workspace to a consistent committed state. Cheap when there is
 * nothing to do; idempotent (running it twice equals running it once).
 * @throws {VerificationError} when the WAL is corrupt before its tail (exit 77)
 * @throws {IoError} when work is needed and another live process holds the lock (exit 74)
 */
export async function recover(
  ws: Workspace,
  options: RecoverOptions = {},
): Promise<RecoveryReport> {
  const tail = await tailRecord(ws);
  if (tail === null || (tail !== "unknown" && FINISHED.has(tail.type))) {
    return { action: "none", txn: null, torn: null, detail: "nothing to recover" };
  }
  const lock = options.lock ?? (await acquireWorkspaceLock(ws, "recover", options));
  try {
    return await recoverLocked(ws, options);
  } finally {
    if (!options.lock) await lock.release();
  }
}

async function recoverLocked(ws: Workspace, options: WalWriterOptions): Promise<RecoveryReport> {
  const scan = await scanWal(ws);
  const wal = await WalWriter.open(ws, scan, options);
  try {
    const torn = scan.torn;
    const tornNote = torn
      ? `dropped a torn last record (${torn.bytes} bytes at byte ${torn.offset} of ${
        relativePath(ws.root, scan.path)
      }: ${torn.reason}); `
      : "";
    const last = lastTransaction(scan.records);
    if (!last || last.some((r) => r.type === "end" || r.type === "abort")) {
      return {
        action: torn ? "dropped-torn-tail" : "none",
        txn: null,
        torn,
        detail: torn ? tornNote.replace(/; $/, "") : "nothing to recover",
      };
    }
    const begin = last[0];
    const commit = last.find((r) => r.type === "commit");
    if (commit) {
      const hash = (commit.payload as { graph_hash: string }).graph_hash;
      const graph = await loadGraph(ws, hash);
      await finishCommit(ws, { wal, commit, graph, hooks: options.hooks });
      return {
        action: "rolled-forward",
        txn: begin.txn,
        torn,
        detail:
          `${tornNote}rolled transaction ${begin.txn} forward: its COMMIT (seq ${commit.seq}) ` +
          `was durable; committed graph is ${hash}`,
      };
    }
    const prepared = last.filter((r) => r.type === "prepare").map((r) => r.payload.batch);
    await wal.append({
      type: "rollback",
      txn: begin.txn,
      payload: { recovered: true, batches: prepared.reverse() },
    });
    const base = (begin.payload as { base_graph: string }).base_graph;
    await wal.append({
      type: "abort",
      txn: begin.txn,
      payload: {
        batch: -1,
        step: "crash",
        participant: null,
        reason: "process died before the COMMIT record was durable; rolled back by recovery",
        graph_hash: base,
      },
    }, { sync: true });
    return {
      action: "rolled-back",
      txn: begin.txn,
      torn,
      detail: `${tornNote}rolled transaction ${begin.txn} back: it had no durable COMMIT ` +
        `(${prepared.length} batch(es) prepared); committed graph stays ${base}`,
    };
  } finally {
    wal.close();
  }
}
