/**
 * `wal verify`: the whole chain across segments, every record against
 * `schemas/rtt.wal-record.schema.json`, the checkpoint, and the committed
 * state against the last END; plus the cheap state check apply and rollback
 * run on the records since the checkpoint.
 *
 * @module
 */
import { relativePath, VerificationError, type Workspace } from "../core/mod.ts";
// graph.ts directly, not mod.ts: see transaction.ts.
import { type CommittedState, readCommittedState } from "../graph/graph.ts";
import { type EndPayload, lastTransaction, type WalRecord } from "./wal_record.ts";
import { scanWal, type TornTail, type WalScan } from "./wal_segments.ts";

/** What {@linkcode verifyWalHistory} found (it throws instead of reporting corruption). */
export interface WalVerifyReport {
  /** Always true: a damaged WAL throws a {@linkcode VerificationError} instead. */
  ok: true;
  /** Newest segment, relative to the workspace root. */
  file: string;
  /** Segment files checked. */
  segments: number;
  /** Records checked, over all segments. */
  records: number;
  /** Seq of the first record (null for an empty WAL). */
  first_seq: number | null;
  /** Seq of the last valid record (null for an empty WAL). */
  last_seq: number | null;
  /** `sum` of the last record. */
  head: string | null;
  /** Seq the checkpoint names (null: none yet). */
  checkpoint_seq: number | null;
  /** A torn last record (ignored; the next writer drops it). */
  torn: TornTail | null;
  /** The last transaction when it is not finished (recovery resolves it). */
  unfinished_txn: string | null;
  /**
   * The committed state file, and whether it is the one the last END made
   * durable (false only while a transaction is unfinished).
   */
  state: { seq: number; graph_hash: string; matches_wal: boolean };
}

/** Whether the committed state is the one the WAL's last END made durable (seq 0 when none). */
export function stateMatchesWal(committed: EndPayload | null, state: CommittedState): boolean {
  return committed
    ? committed.seq === state.seq && committed.graph_hash === state.graph_hash
    : state.seq === 0;
}

/**
 * Refuses a committed state that the WAL does not account for once its last
 * transaction is finished: a WAL cut back to an earlier record boundary (or
 * an older copy) looks intact on its own, but no longer holds the END of the
 * committed state.
 * @throws {VerificationError} naming both seqs.
 */
export function checkStateAgainstWal(
  wal: { committed: EndPayload | null; finished: boolean },
  state: CommittedState,
): void {
  if (!wal.finished || stateMatchesWal(wal.committed, state)) return;
  const end = wal.committed;
  throw new VerificationError(
    `Committed state (seq ${state.seq}, ${state.graph_hash}) does not match the WAL's last END (${
      end ? `seq ${end.seq}, ${end.graph_hash}` : "none: nothing was ever committed"
    }); the WAL is missing history or the state was replaced ("rtt-deno wal verify")`,
  );
}

async function checkSchema(ws: Workspace, scan: WalScan): Promise<void> {
  const { validatorFor } = await import("../config/schemas.ts");
  const validate = await validatorFor("walRecord");
  let segment = 0;
  for (const rec of scan.records) {
    while (segment + 1 < scan.segments.length && scan.segments[segment + 1].firstSeq <= rec.seq) {
      segment++;
    }
    if (validate(rec)) continue;
    const e = validate.errors?.find((x) => x.keyword !== "if") ?? validate.errors?.[0];
    const file = relativePath(ws.root, scan.segments[segment].path);
    throw new VerificationError(
      `WAL "${file}" is corrupt at seq ${rec.seq}: the ${rec.type} record does not match ` +
        `schemas/rtt.wal-record.schema.json (${e?.instancePath || "/"} ${e?.message ?? ""})`,
      { file },
    );
  }
}

/**
 * Checks the entire WAL: every segment from seq 1, the chain across
 * segments, every record against its schema, the checkpoint, and that the
 * committed state matches the last END (unless a transaction is unfinished).
 * @throws {VerificationError} naming the seq of the first bad record, or the state mismatch (exit 77).
 */
export async function verifyWalHistory(ws: Workspace): Promise<WalVerifyReport> {
  const scan = await scanWal(ws);
  await checkSchema(ws, scan);
  const state = await readCommittedState(ws);
  checkStateAgainstWal(scan, state);
  const records: WalRecord[] = scan.records;
  return {
    ok: true,
    file: relativePath(ws.root, scan.path),
    segments: scan.segments.length,
    records: records.length,
    first_seq: records[0]?.seq ?? null,
    last_seq: records.at(-1)?.seq ?? null,
    head: records.at(-1)?.sum ?? null,
    checkpoint_seq: scan.checkpoint?.seq ?? null,
    torn: scan.torn,
    unfinished_txn: scan.finished ? null : lastTransaction(records)?.[0].txn ?? null,
    state: {
      seq: state.seq,
      graph_hash: state.graph_hash,
      matches_wal: stateMatchesWal(scan.committed, state),
    },
  };
}
