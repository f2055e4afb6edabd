/**
 * WAL records: a discriminated union on `type` with one typed payload per
 * kind, their checksum, the strict line check, and the one definition of
 * "the last transaction is finished" every reader uses.
 *
 * A record is one line of canonical JSON (RFC 8785) terminated by `\n`:
 * `{"at", "payload", "prev", "seq", "sum", "txn", "type"}`, where `seq` is
 * 1-based and contiguous across segments, `prev` is the previous record's
 * `sum` ({@linkcode WAL_GENESIS} for seq 1), and `sum` is `sha256:` of the
 * canonical record without `sum`. `schemas/rtt.wal-record.schema.json`
 * describes the same shape for `wal verify`.
 *
 * @module
 */
import { canonicalBytes, canonicalize, sha256HexSync } from "../core/mod.ts";

/** Health of the participants over a verify window (canary and post-commit). */
export interface HealthReport {
  /** Every participant answered healthy on every check of the window. */
  ok: boolean;
  /** Length of the window asked for, in milliseconds. */
  window_ms: number;
  /** Rounds of health checks made (at least 1; the round that found a breach included). */
  checks: number;
  /** The first unhealthy answer: who gave it and why; null when `ok`. */
  breach: { participant: string; detail: string } | null;
}

/** Where and why a transaction was aborted by its coordinator. */
export interface TxnFailure {
  /** 0-based batch index (-1 when not tied to a batch). */
  batch: number;
  /**
   * Phase that failed: a vote, a batch commit or the canary window. `fsync`
   * appears only in logs of versions before the fail-stop writer, which now
   * stops with an `IoError` instead of recording an ABORT.
   */
  step: "prepare" | "commit" | "canary" | "fsync";
  /** Participant that refused or failed (null when no single participant is to blame). */
  participant: string | null;
  /** Human-readable cause, as the participant or the coordinator gave it. */
  reason: string;
}

/** One vote as recorded. */
export interface VoteRecord {
  /** 0-based index of the batch voted on. */
  batch: number;
  /** Name of the voting participant. */
  participant: string;
  /** `abort` also when the participant threw or did not vote within the prepare timeout. */
  vote: "ready" | "abort";
  /** Why the participant voted ABORT; absent for a READY vote. */
  reason?: string;
  /** Time from the prepare request to the vote, in milliseconds (3 decimals). */
  ms: number;
}

/** Extra facts a transaction records in BEGIN and COMMIT. */
export interface TxnMeta {
  /** Plan file as given to apply (null when applied by id from elsewhere). */
  plan_file?: string | null;
  /** apply --canary: batches in the canary slice. */
  canary_batches?: number;
  /** The plan's signature was not checked (`--no-verify`). */
  unverified?: boolean;
  /** rollback: the seq of the commit returned to (0 = the empty graph). */
  to_seq?: number;
  /** Why an automatic rollback ran (SLO breach). */
  reason?: string;
}

/** BEGIN: what the transaction will do. */
export interface BeginPayload extends TxnMeta {
  /** `apply` commits a plan; `rollback` returns to an earlier committed graph. */
  kind: "apply" | "rollback";
  /** Plan applied (null for a rollback). */
  plan_id: string | null;
  /** Seq of the COMMIT behind the committed state the transaction starts from (0 = none). */
  base_seq: number;
  /** Graph hash (`sha256:<hex>`) of that starting state. */
  base_graph: string;
  /** Graph hash the transaction commits when it succeeds. */
  target_graph: string;
  /** Number of batches that will be prepared. */
  batches: number;
  /** Names of the participants that vote, in the order they are asked. */
  participants: string[];
}

/** PREPARE of one batch: route ids added and deleted. */
export interface PreparePayload {
  /** 0-based batch index. */
  batch: number;
  /** Ids of the routes the batch adds; a changed route is deleted and re-added under its id. */
  add: string[];
  /** Ids of the routes the batch deletes (removed before the adds). */
  del: string[];
}

/** COMMIT: the decision, durable before the state is replaced. */
export interface CommitPayload extends TxnMeta {
  /** Same as in the transaction's BEGIN. */
  kind: "apply" | "rollback";
  /** Plan applied (null for a rollback). */
  plan_id: string | null;
  /** Seq of the committed state the transaction started from. */
  base_seq: number;
  /** Graph hash of that starting state. */
  base_graph: string;
  /** Graph hash of the graph now committed; this record's seq becomes the state's seq. */
  graph_hash: string;
  /** Number of routes in the committed graph. */
  routes: number;
}

/** ROLLBACK of one batch by the coordinator, or of every prepared batch by recovery. */
export type RollbackPayload =
  | { batch: number; errors: Record<string, string> }
  | { recovered: true; batches: number[] };

/** ABORT: the transaction is finished without a commit; `graph_hash` stays committed. */
export interface AbortPayload extends Omit<TxnFailure, "step"> {
  /** `crash`: rolled back by recovery after the process died. */
  step: TxnFailure["step"] | "crash";
  /** Graph hash of the committed state, unchanged by the aborted transaction. */
  graph_hash: string;
}

/** END: the committed state (seq of its COMMIT) is durable. */
export interface EndPayload {
  /** Seq of the COMMIT record whose state is now written. */
  seq: number;
  /** Graph hash of that state. */
  graph_hash: string;
}

/** Payload of each record type, in the order a transaction writes them. */
export interface WalPayloads {
  /** Opens a transaction; fsynced. */
  begin: BeginPayload;
  /** A batch about to be put to the vote. */
  prepare: PreparePayload;
  /** One participant's vote on a batch. */
  vote: VoteRecord;
  /** Every participant voted READY on batch `batch` (0-based); it is committed next. */
  "batch-commit": { batch: number };
  /** Outcome of the canary window, after the first `batches` batches. */
  canary: HealthReport & { batches: number };
  /** The commit decision; fsynced before the state is replaced. */
  commit: CommitPayload;
  /** Undo of prepared batches. */
  rollback: RollbackPayload;
  /** Closes a transaction without a commit; fsynced. */
  abort: AbortPayload;
  /** Closes a committed transaction once its state is durable; fsynced. */
  end: EndPayload;
  /** Outcome of the post-commit verify window (only ever after END). */
  verify: HealthReport;
}

/** Kinds of records. */
export type WalRecordType = keyof WalPayloads;

/** Every record type, for checks at run time. */
export const WAL_RECORD_TYPES: readonly WalRecordType[] = [
  "begin",
  "prepare",
  "vote",
  "batch-commit",
  "canary",
  "commit",
  "rollback",
  "abort",
  "end",
  "verify",
];

/** A record of one type. */
export interface WalRecordOf<T extends WalRecordType> {
  /** 1-based, contiguous across segments. */
  seq: number;
  /** `sum` of the previous record ({@linkcode WAL_GENESIS} for the first). */
  prev: string;
  /** Wall-clock time the record was written (ISO 8601). */
  at: string;
  /** Transaction id the record belongs to. */
  txn: string;
  /** Record kind; decides the shape of `payload`. */
  type: T;
  /** The kind's payload (see {@linkcode WalPayloads}). */
  payload: WalPayloads[T];
  /** `sha256:<hex>` of the canonical record without `sum`. */
  sum: string;
}

/** One WAL record: narrow on `type` to get its payload. */
export type WalRecord = { [T in WalRecordType]: WalRecordOf<T> }[WalRecordType];

/** What a writer supplies for a record (the WAL adds seq, prev, at and sum). */
export type WalEntry = {
  [T in WalRecordType]: { type: T; txn: string; payload: WalPayloads[T] };
}[WalRecordType];

/** `prev` of the first record. */
export const WAL_GENESIS: string = "sha256:" + "0".repeat(64);

/** Checksum of a record (everything but `sum`). */
export function recordSum(rec: Omit<WalRecord, "sum"> & { sum?: string }): string {
  const { sum: _sum, ...body } = rec;
  return `sha256:${sha256HexSync(canonicalBytes(body))}`;
}

const TYPES: ReadonlySet<string> = new Set(WAL_RECORD_TYPES);

/**
 * Checks one line as the record `seq` chained to `prev` (null: take `prev`
 * on trust, for the anchor record of a checkpoint). Returns the record, or
 * why the line is not it.
 */
export function checkRecordLine(
  line: string,
  seq: number,
  prev: string | null,
): WalRecord | string {
  let rec: WalRecord;
  try {
    rec = JSON.parse(line);
  } catch {
    return "not valid JSON";
  }
  if (rec === null || typeof rec !== "object" || Array.isArray(rec)) return "not a JSON object";
  if (rec.seq !== seq) return `expected seq ${seq}, found ${rec.seq}`;
  if (typeof rec.type !== "string" || !TYPES.has(rec.type)) return `unknown type ${rec.type}`;
  if (typeof rec.txn !== "string" || typeof rec.at !== "string") return "missing txn or at";
  if (rec.payload === null || typeof rec.payload !== "object") return "missing payload";
  if (prev !== null && rec.prev !== prev) {
    return `prev ${rec.prev} does not match the previous record's ${prev}`;
  }
  const sum = recordSum(rec);
  if (rec.sum !== sum) return `checksum ${rec.sum} does not match its content (${sum})`;
  // Records are written in canonical form, so a change that keeps the parsed
  // value (e.g. "1e5" -> "1E5") is still caught: every altered byte is detected.
  if (canonicalize(rec) !== line) return "bytes differ from the record's canonical form";
  return rec;
}

/**
 * Whether a record of this type shows its transaction is finished: END and
 * ABORT finish it, and VERIFY is only ever written after END. This is the
 * one definition of "finished"; {@linkcode lastTxnFinished} and the fast
 * tail check both use it.
 */
export function closesTxn(type: WalRecordType): boolean {
  return type === "end" || type === "abort" || type === "verify";
}

/** A transaction's records, its BEGIN first. */
export type TxnRecords = [WalRecordOf<"begin">, ...WalRecord[]];

/** The last transaction's records (from its BEGIN), or null when there is none. */
export function lastTransaction(records: readonly WalRecord[]): TxnRecords | null {
  for (let i = records.length - 1; i >= 0; i--) {
    const begin = records[i];
    if (begin.type === "begin") {
      return [begin, ...records.slice(i + 1).filter((r) => r.txn === begin.txn)];
    }
  }
  return null;
}

/**
 * Whether the last transaction in `records` is finished; `before` says
 * whether the one before the first record was (a checkpoint stores it),
 * and decides when `records` hold no BEGIN.
 */
export function lastTxnFinished(records: readonly WalRecord[], before = true): boolean {
  const last = lastTransaction(records);
  return last === null ? before : last.some((r) => closesTxn(r.type));
}

/** The payload of the last END in `records` (the committed state it made durable), or null. */
export function lastEnd(records: readonly WalRecord[]): EndPayload | null {
  for (let i = records.length - 1; i >= 0; i--) {
    const r = records[i];
    if (r.type === "end") return r.payload;
  }
  return null;
}
