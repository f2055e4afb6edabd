/**
 * `wal verify`: the WAL's hash chain end to end, and the committed state
 * against the WAL's last END.
 *
 * @module
 */
import { relativePath, VerificationError, type Workspace } from "../core/mod.ts";
import { lastTransaction, scanWal, type TornTail } from "../reconciler/mod.ts";

/** A WAL whose chain verified and whose last END matches the committed state. */
export interface WalVerification {
  /** Always true: a failed check throws. */
  ok: true;
  /** The WAL file, relative to the workspace root. */
  file: string;
  /** Valid records (a torn tail excluded). */
  records: number;
  /** Seq of the first and last valid record (null when there is none). */
  first_seq: number | null;
  /** See `first_seq`. */
  last_seq: number | null;
  /** Chain sum of the last record. */
  head: string | null;
  /** A torn last record (ignored; recovery drops it). */
  torn: TornTail | null;
  /** The last transaction, when it has neither END nor ABORT (recovery resolves it). */
  unfinished_txn: string | null;
  /** The committed state and whether the WAL's last END names it. */
  state: { seq: number; graph_hash: string; matches_wal: boolean };
}

/**
 * Checks the chain and the state. An unfinished last transaction is
 * reported, not refused: recovery resolves it.
 * @throws {VerificationError} when the chain is broken or the committed state does not match the last END (77)
 */
export async function verifyWal(ws: Workspace): Promise<WalVerification> {
  const { readCommittedState } = await import("../graph/mod.ts");
  const scan = await scanWal(ws);
  const state = await readCommittedState(ws);
  const lastEnd = scan.records.filter((r) => r.type === "end").at(-1)?.payload as
    | { seq: number; graph_hash: string }
    | undefined;
  const last = lastTransaction(scan.records);
  const unfinished = !!last && !last.some((r) => r.type === "end" || r.type === "abort");
  const matches = lastEnd
    ? lastEnd.seq === state.seq && lastEnd.graph_hash === state.graph_hash
    : state.seq === 0;
  if (!unfinished && !matches) {
    throw new VerificationError(
      `Committed state (seq ${state.seq}, ${state.graph_hash}) does not match the WAL's last END ` +
        `(${
          lastEnd ? `seq ${lastEnd.seq}, ${lastEnd.graph_hash}` : "none: nothing was ever committed"
        })`,
    );
  }
  return {
    ok: true,
    file: relativePath(ws.root, scan.path),
    records: scan.records.length,
    first_seq: scan.records[0]?.seq ?? null,
    last_seq: scan.records.at(-1)?.seq ?? null,
    head: scan.records.at(-1)?.sum ?? null,
    torn: scan.torn,
    unfinished_txn: unfinished ? last![0].txn : null,
    state: { seq: state.seq, graph_hash: state.graph_hash, matches_wal: matches },
  };
}
