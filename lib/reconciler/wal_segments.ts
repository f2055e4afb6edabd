/**
 * Where the WAL lives on disk and how it is read back.
 *
 * Layout of `.rtt/wal/`:
 * - `rtt.000001.wal`, `rtt.000002.wal`, ...: segments, each a run of
 *   records (see wal_record.ts). Seq and the hash chain continue across
 *   segments: the first record of a segment has `prev` = `sum` of the last
 *   record of the segment before. A writer starts a new segment only at a
 *   transaction boundary (before a BEGIN, when the segment has reached its
 *   byte limit), so a transaction never spans segments.
 * - `checkpoint.json`: `{checkpoint_version, seq, sum, segment, offset,
 *   committed, finished, txn}` names one record (seq, sum, and where it
 *   starts: segment number and byte offset), the committed state the last
 *   END made durable up to it, and whether its transaction was finished
 *   (checkpoints are only written at boundaries, so always `true`). It is
 *   replaced atomically every `checkpointEvery` records and at each new
 *   segment.
 * - `rtt.wal`: the single-file log of older versions. Read as segment 1;
 *   the first writer renames it to `rtt.000001.wal`.
 *
 * Two readers: {@linkcode readWalTail} (what the writer, apply and recovery
 * need) starts at the checkpoint's record, checks it is still there with
 * the same checksum, and reads only what follows, so its cost depends on the
 * records since the checkpoint, not on the history. {@linkcode scanWal}
 * (`wal verify`, `wal log`, rollback targets) reads and checks every segment
 * from seq 1. Both stop with a {@linkcode VerificationError} naming the seq
 * when history is missing, shortened or replaced by an older copy; only a
 * last record without its final newline (in the newest segment) is a torn
 * append, reported in `torn` and dropped by the next writer.
 *
 * @module
 */
import { isNotFound, relativePath, VerificationError, type Workspace } from "../core/mod.ts";
import {
  checkRecordLine,
  type EndPayload,
  lastEnd,
  lastTxnFinished,
  WAL_GENESIS,
  type WalRecord,
} from "./wal_record.ts";

/** Path of segment `index` (1-based). */
export function segmentPath(ws: Workspace, index: number): string {
  return `${ws.wal}/rtt.${String(index).padStart(6, "0")}.wal`;
}

/** Path of the single-file WAL of older versions (read as segment 1). */
export function legacyWalPath(ws: Workspace): string {
  return `${ws.wal}/rtt.wal`;
}

/** Path of the checkpoint file. */
export function checkpointPath(ws: Workspace): string {
  return `${ws.wal}/checkpoint.json`;
}

/** Content of `checkpoint.json`. */
export interface WalCheckpoint {
  /** Format version of this file. */
  checkpoint_version: 1;
  /** Seq of the record the checkpoint names. */
  seq: number;
  /** `sum` of that record: the chain continues from it. */
  sum: string;
  /** Segment (1-based index) holding that record. */
  segment: number;
  /** Byte offset in that segment where the record starts. */
  offset: number;
  /** The committed state made durable by the last END up to it (null: none yet). */
  committed: EndPayload | null;
  /** Whether the transaction of that record was finished. */
  finished: boolean;
  /** That transaction's id (null when the log had none). */
  txn: string | null;
}

/** One segment file. */
export interface Segment {
  /** 1-based segment number (see {@linkcode segmentPath}). */
  index: number;
  /** Path of the segment file ({@linkcode legacyWalPath} for an old single-file log). */
  path: string;
}

/** A dropped torn tail. */
export interface TornTail {
  /** Segment file holding it, relative to the workspace root. */
  file: string;
  /** Byte offset where the torn record starts. */
  offset: number;
  /** Its length in bytes. */
  bytes: number;
  /** Why it is not a valid record. */
  reason: string;
}

/** What a reader found. */
export interface WalScan {
  /** Newest segment: where the next record goes. */
  path: string;
  /** Its number (1 when the log does not exist yet). */
  segment: number;
  /** Whether `path` is the old single-file log (`rtt.wal`). */
  legacy: boolean;
  /** The records read, in order: every record ({@linkcode scanWal}) or from the checkpoint's on. */
  records: WalRecord[];
  /** The torn last record, when there is one (not yet removed from the file). */
  torn: TornTail | null;
  /** Byte offset just after the last valid record in `path`. */
  end: number;
  /** Segment and byte offset where the last valid record starts (null: empty log). */
  lastAt: { segment: number; offset: number } | null;
  /** The checkpoint (null when none was written yet). */
  checkpoint: WalCheckpoint | null;
  /** Whether the last transaction is finished (see {@linkcode lastTxnFinished}). */
  finished: boolean;
  /** The committed state the last END made durable (null: nothing committed). */
  committed: EndPayload | null;
  /** Records after the checkpoint's (all of them when there is no checkpoint). */
  sinceCheckpoint: number;
  /** The segments read, oldest first, with the seq of their first record read and the count. */
  segments: Array<{ path: string; firstSeq: number; records: number }>;
}

const SEGMENT_NAME = /^rtt\.(\d{6,})\.wal$/;

/**
 * The segments, oldest first (the legacy `rtt.wal` as segment 1 when no
 * segment exists yet).
 * @throws {VerificationError} when a segment is missing between others, or both layouts exist.
 */
export async function listSegments(ws: Workspace): Promise<Segment[]> {
  const found: Segment[] = [];
  let legacy = false;
  try {
    for await (const e of Deno.readDir(ws.wal)) {
      const m = SEGMENT_NAME.exec(e.name);
      if (m && e.isFile) found.push({ index: Number(m[1]), path: `${ws.wal}/${e.name}` });
      else if (e.name === "rtt.wal") legacy = true;
    }
  } catch (err) {
    if (isNotFound(err)) return [];
    throw err;
  }
  found.sort((a, b) => a.index - b.index);
  if (legacy && found.length) {
    throw new VerificationError(
      `WAL folder "${relativePath(ws.root, ws.wal)}" holds both the old single-file log rtt.wal ` +
        `and segments; one of them is a stray copy`,
    );
  }
  if (legacy) return [{ index: 1, path: legacyWalPath(ws) }];
  found.forEach((s, i) => {
    if (s.index !== i + 1) {
      throw new VerificationError(
        `WAL history is missing: ${relativePath(ws.root, segmentPath(ws, i + 1))} is absent but ${
          relativePath(ws.root, s.path)
        } exists`,
      );
    }
  });
  return found;
}

/** The checkpoint, or null when none was written. */
export async function readCheckpoint(ws: Workspace): Promise<WalCheckpoint | null> {
  const path = checkpointPath(ws);
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (err) {
    if (isNotFound(err)) return null;
    throw err;
  }
  try {
    const cp = JSON.parse(text) as WalCheckpoint;
    if (
      cp?.checkpoint_version === 1 && Number.isInteger(cp.seq) && cp.seq > 0 &&
      typeof cp.sum === "string" && Number.isInteger(cp.segment) && Number.isInteger(cp.offset)
    ) return cp;
  } catch { /* reported below */ }
  throw new VerificationError(
    `WAL checkpoint "${
      relativePath(ws.root, path)
    }" is damaged; "rtt-deno wal verify" checks the log`,
  );
}

/** Where parsing a segment starts. */
interface ParseStart {
  /** Seq of its first record. */
  seq: number;
  /** `prev` its first record must have; null to take it on trust (checkpoint anchor). */
  prev: string | null;
  /** Whether this is the newest segment (the only place a torn tail may be). */
  newest: boolean;
  /** Byte offset of `bytes` in the file (for messages and offsets). */
  base: number;
}

/** Records of one segment's bytes, with its torn tail. */
interface ParsedSegment {
  records: WalRecord[];
  torn: Omit<TornTail, "file"> | null;
  /** Offset after the last valid record, and where that record starts (-1: none). */
  end: number;
  lastStart: number;
}

function corrupt(file: string, seq: number, offset: number, why: string): VerificationError {
  return new VerificationError(
    `WAL "${file}" is corrupt at seq ${seq} (byte ${offset}): ${why}; ` +
      `records after it cannot be trusted`,
    { file },
  );
}

function parseSegment(bytes: Uint8Array, file: string, start: ParseStart): ParsedSegment {
  const decoder = new TextDecoder();
  const records: WalRecord[] = [];
  let prev = start.prev;
  let pos = 0;
  let lastStart = -1;
  while (pos < bytes.length) {
    const nl = bytes.indexOf(0x0a, pos);
    const seq = start.seq + records.length;
    const checked = nl < 0
      ? "no terminating newline (incomplete write)"
      : checkRecordLine(decoder.decode(bytes.subarray(pos, nl)), seq, prev);
    if (typeof checked === "string") {
      if (start.newest && (nl < 0 || nl === bytes.length - 1)) {
        const torn = { offset: start.base + pos, bytes: bytes.length - pos, reason: checked };
        return { records, torn, end: start.base + pos, lastStart };
      }
      throw corrupt(file, seq, start.base + pos, checked);
    }
    records.push(checked);
    prev = checked.sum;
    lastStart = start.base + pos;
    pos = nl + 1;
  }
  return { records, torn: null, end: start.base + pos, lastStart };
}

/**
 * Parses the bytes of a whole single-file log (or of segment 1) from seq 1.
 * @throws {VerificationError} naming the seq and byte offset of a corrupt record before the tail.
 */
export function parseWal(
  bytes: Uint8Array,
  file = "rtt.wal",
): { records: WalRecord[]; torn: Omit<TornTail, "file"> | null; end: number } {
  const { records, torn, end } = parseSegment(bytes, file, {
    seq: 1,
    prev: WAL_GENESIS,
    newest: true,
    base: 0,
  });
  return { records, torn, end };
}

async function readFrom(path: string, offset: number): Promise<Uint8Array> {
  if (offset === 0) return await Deno.readFile(path);
  const f = await Deno.open(path, { read: true });
  try {
    const size = (await f.stat()).size;
    if (size <= offset) return new Uint8Array(0);
    await f.seek(offset, Deno.SeekMode.Start);
    const buf = new Uint8Array(size - offset);
    let off = 0;
    while (off < buf.length) {
      const n = await f.read(buf.subarray(off));
      if (n === null) break;
      off += n;
    }
    return buf.subarray(0, off);
  } finally {
    f.close();
  }
}

/** Reads `segments` in order, the first from `from`; the caller checks the anchor. */
async function readSegments(
  ws: Workspace,
  segments: Segment[],
  from: { seq: number; prev: string | null; offset: number },
  checkpoint: WalCheckpoint | null,
): Promise<WalScan> {
  const records: WalRecord[] = [];
  let torn: TornTail | null = null;
  let end = 0;
  let lastAt: WalScan["lastAt"] = null;
  let prev = from.prev;
  const read: WalScan["segments"] = [];
  for (const [i, seg] of segments.entries()) {
    const base = i === 0 ? from.offset : 0;
    const file = relativePath(ws.root, seg.path);
    const bytes = await readFrom(seg.path, base);
    const seq = from.seq + records.length;
    const newest = i === segments.length - 1;
    if (i === 0 && checkpoint && bytes.length === 0) throw anchorMissing(ws, checkpoint, null);
    if (!newest && bytes.length === 0) {
      throw corrupt(file, seq, base, "the segment is empty but a later one exists");
    }
    const parsed = parseSegment(bytes, file, { seq, prev, newest, base });
    read.push({ path: seg.path, firstSeq: seq, records: parsed.records.length });
    for (const r of parsed.records) records.push(r);
    if (parsed.lastStart >= 0) lastAt = { segment: seg.index, offset: parsed.lastStart };
    if (parsed.torn) torn = { file, ...parsed.torn };
    prev = records.at(-1)?.sum ?? prev;
    end = parsed.end;
  }
  const newest = segments.at(-1);
  const anchored = checkpoint !== null && from.prev === null;
  return {
    path: newest?.path ?? segmentPath(ws, 1),
    segment: newest?.index ?? 1,
    legacy: newest?.path === legacyWalPath(ws),
    records,
    torn,
    end,
    lastAt,
    checkpoint,
    finished: lastTxnFinished(records, anchored ? checkpoint.finished : true),
    committed: lastEnd(records) ?? (anchored ? checkpoint.committed : null),
    sinceCheckpoint: anchored ? records.length - 1 : records.length,
    segments: read,
  };
}

/**
 * Reads and checks the whole WAL from seq 1 across every segment, and that
 * the checkpoint names a record of it (an absent log is an empty one).
 * @throws {VerificationError} naming the seq of the first record that is corrupt, missing or out of place.
 */
export async function scanWal(ws: Workspace): Promise<WalScan> {
  const segments = await listSegments(ws);
  const checkpoint = await readCheckpoint(ws);
  const scan = await readSegments(ws, segments, { seq: 1, prev: WAL_GENESIS, offset: 0 }, null);
  if (checkpoint) {
    const rec = scan.records[checkpoint.seq - 1];
    if (rec?.sum !== checkpoint.sum) throw anchorMissing(ws, checkpoint, scan.records.length);
    scan.checkpoint = checkpoint;
    scan.sinceCheckpoint = scan.records.length - checkpoint.seq;
  }
  return scan;
}

function anchorMissing(ws: Workspace, cp: WalCheckpoint, lastSeq: number | null): Error {
  const file = relativePath(ws.root, segmentPath(ws, cp.segment));
  return new VerificationError(
    `WAL "${file}" is corrupt at seq ${cp.seq}: the checkpoint names this record (${cp.sum}) but ` +
      (lastSeq !== null && lastSeq < cp.seq
        ? `the log ends at seq ${lastSeq}`
        : `the log holds a different one`) +
      `; history is missing, shortened or an older copy`,
    { file },
  );
}

/**
 * Reads the WAL from the checkpoint's record on (from seq 1 when there is no
 * checkpoint): what a writer and recovery need, at a cost that does not grow
 * with history.
 * @throws {VerificationError} when the checkpoint's record is gone or differs, or a record after it is corrupt.
 */
export async function readWalTail(ws: Workspace): Promise<WalScan> {
  const checkpoint = await readCheckpoint(ws);
  if (!checkpoint) return await scanWal(ws);
  const segments = (await listSegments(ws)).filter((s) => s.index >= checkpoint.segment);
  if (segments[0]?.index !== checkpoint.segment) throw anchorMissing(ws, checkpoint, null);
  let scan: WalScan;
  try {
    scan = await readSegments(ws, segments, {
      seq: checkpoint.seq,
      prev: null,
      offset: checkpoint.offset,
    }, checkpoint);
  } catch (err) {
    if (isNotFound(err)) throw anchorMissing(ws, checkpoint, null);
    throw err;
  }
  if (scan.records[0]?.sum !== checkpoint.sum) throw anchorMissing(ws, checkpoint, null);
  return scan;
}

/**
 * The last record of the newest segment when its tail is intact, read from
 * at most its last 64 KiB; null when the log is empty, and "unknown" when the
 * tail is torn or too long or the newest segment is empty, so the caller has
 * to read the log ({@linkcode readWalTail}). The record's chain is not
 * checked: this only keeps "nothing to recover" cheap.
 */
export async function tailRecord(ws: Workspace): Promise<WalRecord | null | "unknown"> {
  const segments = await listSegments(ws);
  const newest = segments.at(-1);
  if (!newest) return null;
  const f = await Deno.open(newest.path, { read: true });
  try {
    const size = (await f.stat()).size;
    if (size === 0) return segments.length > 1 ? "unknown" : null;
    const len = Math.min(size, 65536);
    await f.seek(size - len, Deno.SeekMode.Start);
    const buf = new Uint8Array(len);
    let off = 0;
    while (off < len) {
      const n = await f.read(buf.subarray(off));
      if (n === null) break;
      off += n;
    }
    if (off < len || buf[len - 1] !== 0x0a) return "unknown";
    const startNl = buf.lastIndexOf(0x0a, len - 2);
    if (startNl < 0 && len < size) return "unknown";
    const line = new TextDecoder().decode(buf.subarray(startNl + 1, len - 1));
    try {
      const rec = JSON.parse(line);
      const seq = rec?.seq;
      return Number.isInteger(seq) && typeof checkRecordLine(line, seq, null) !== "string"
        ? rec as WalRecord
        : "unknown";
    } catch {
      return "unknown";
    }
  } finally {
    f.close();
  }
}
