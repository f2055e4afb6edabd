/**
 * `wal log`: the WAL history, optionally one transaction or the tail.
 *
 * @module
 */
import type { Workspace } from "../core/mod.ts";
import { scanWal, type TornTail, type WalRecord } from "../reconciler/mod.ts";

export type { HealthReport, WalRecord } from "../reconciler/mod.ts";

/** Options for {@linkcode walLog}. */
export interface WalLogOptions {
  /** Only this transaction's records. */
  txn?: string;
  /** Only the last `limit` records (after the txn filter). */
  limit?: number;
}

/** The selected records, oldest first. */
export interface WalLog {
  /** The records selected. */
  records: WalRecord[];
  /** A torn last record (not in `records`). */
  torn: TornTail | null;
}

/** Reads the WAL history (read-only; a torn tail is reported, not dropped). */
export async function walLog(ws: Workspace, options: WalLogOptions = {}): Promise<WalLog> {
  const scan = await scanWal(ws);
  let records = scan.records;
  if (options.txn) records = records.filter((r) => r.txn === options.txn);
  if (options.limit !== undefined) {
    // Not slice(-limit): -0 would keep everything.
    records = records.slice(Math.max(0, records.length - options.limit));
  }
  return { records, torn: scan.torn };
}
