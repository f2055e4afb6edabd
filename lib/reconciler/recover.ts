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
import { acquireWorkspaceLock, type Workspace, type WorkspaceLock } from "../core/mod.ts";
import { loadGraph } from "./graph_store.ts";
import { finishCommit } from "./transaction.ts";
import {
  closesTxn,
  lastTransaction,
  readWalTail,
  tailRecord,
  type TornTail,
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

/** Whether the newest record alone shows there is nothing to recover (no lock, no full read). */
async function cleanTail(ws: Workspace): Promise<boolean> {
  const tail = await tailRecord(ws);
  return tail === null || (tail !== "unknown" && closesTxn(tail.type));
}

/**
 * Whether recovery has work to do, without writing anything (cheap: reads
 * the newest record only when the last transaction finished cleanly, else
 * the records since the checkpoint).
 */
export async function recoveryPending(ws: Workspace): Promise<boolean> {
  if (await cleanTail(ws)) return false;
  const scan = await readWalTail(ws);
  return scan.torn !== null || !scan.finished;
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
  if (await cleanTail(ws)) {
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
  const scan = await readWalTail(ws);
  const wal = await WalWriter.open(ws, scan, options);
  try {
    const torn = scan.torn;
    const tornNote = torn
      ? `dropped a torn last record (${torn.bytes} bytes at byte ${torn.offset} of ${torn.file}: ${torn.reason}); `
      : "";
    const last = lastTransaction(scan.records);
    if (scan.finished || !last) {
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
      const hash = commit.payload.graph_hash;
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
    const prepared = last.flatMap((r) => r.type === "prepare" ? [r.payload.batch] : []);
    await wal.append({
      type: "rollback",
      txn: begin.txn,
      payload: { recovered: true, batches: prepared.reverse() },
    });
    const base = begin.payload.base_graph;
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
