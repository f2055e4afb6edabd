/**
 * The write-ahead log: one append-only file `.rtt/wal/rtt.wal` of
 * newline-terminated JSON records in canonical form (RFC 8785). Each record carries its sequence number,
 * the checksum of the previous record (so the file is a hash chain) and its
 * own checksum (`sha256:` of the canonical record without `sum`).
 *
 * Reading distinguishes two failures: an invalid *last* line is a torn
 * write (the process or machine died while appending) and is dropped;
 * an invalid line with anything after it is corruption and stops reading
 * with the exact sequence number, because silently skipping history would
 * let a damaged log decide what the committed graph is.
 *
 * @module
 */
import {
  canonicalBytes,
  canonicalize,
  type Hooks,
  NO_HOOKS,
  relativePath,
  sha256HexSync,
  syncDir,
  VerificationError,
  type Workspace,
} from "../core/mod.ts";
import { isNotFound } from "../core/mod.ts";

/** Kinds of records, in the order a transaction writes them. */
export type WalRecordType =
  | "begin"
  | "prepare"
  | "vote"
  | "batch-commit"
  | "canary"
  | "commit"
  | "rollback"
  | "abort"
  | "end"
  | "verify";

/** One WAL record. */
export interface WalRecord {
  /** 1-based, contiguous. */
  seq: number;
  /** `sum` of the previous record ({@linkcode WAL_GENESIS} for the first). */
  prev: string;
  /** Wall-clock time the record was written (ISO 8601). */
  at: string;
  /** Transaction id the record belongs to. */
  txn: string;
  type: WalRecordType;
  payload: Record<string, unknown>;
  /** `sha256:<hex>` of the canonical record without `sum`. */
  sum: string;
}

/** `prev` of the first record. */
export const WAL_GENESIS = "sha256:" + "0".repeat(64);

/** What a writer supplies for a record (the WAL adds seq, prev, at and sum). */
export type WalEntry = Pick<WalRecord, "type" | "txn" | "payload">;

/** A dropped torn tail. */
export interface TornTail {
  /** Byte offset where the torn record starts. */
  offset: number;
  /** Its length in bytes. */
  bytes: number;
  /** Why it is not a valid record. */
  reason: string;
}

/** Result of reading the whole WAL. */
export interface WalScan {
  /** Absolute path of the WAL file. */
  path: string;
  /** Every valid record, in order. */
  records: WalRecord[];
  /** The torn last record, when there is one (not yet removed from the file). */
  torn: TornTail | null;
  /** Byte offset just after the last valid record. */
  end: number;
}

/** Path of the WAL file. */
export function walPath(ws: Workspace): string {
  return `${ws.wal}/rtt.wal`;
}

/** Checksum of a record (everything but `sum`). */
export function recordSum(rec: Omit<WalRecord, "sum"> & { sum?: string }): string {
  const { sum: _sum, ...body } = rec;
  return `sha256:${sha256HexSync(canonicalBytes(body))}`;
}

const TYPES = new Set<string>([
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
]);

/** Why `line` is not the valid record `expectedSeq` chained to `prev`, or null when it is. */
function checkLine(line: string, expectedSeq: number, prev: string): string | WalRecord {
  let rec: WalRecord;
  try {
    rec = JSON.parse(line);
  } catch {
    return "not valid JSON";
  }
  if (rec === null || typeof rec !== "object" || Array.isArray(rec)) return "not a JSON object";
  if (rec.seq !== expectedSeq) return `expected seq ${expectedSeq}, found ${rec.seq}`;
  if (typeof rec.type !== "string" || !TYPES.has(rec.type)) return `unknown type ${rec.type}`;
  if (typeof rec.txn !== "string" || typeof rec.at !== "string") return "missing txn or at";
  if (rec.payload === null || typeof rec.payload !== "object") return "missing payload";
  if (rec.prev !== prev) return `prev ${rec.prev} does not match the previous record's ${prev}`;
  const sum = recordSum(rec);
  if (rec.sum !== sum) return `checksum ${rec.sum} does not match its content (${sum})`;
  // Records are written in canonical form, so a change that keeps the parsed
  // value (e.g. "1e5" -> "1E5") is still caught: every altered byte is detected.
  if (canonicalize(rec) !== line) return "bytes differ from the record's canonical form";
  return rec;
}

/**
 * Parses WAL bytes.
 * @throws {VerificationError} naming the seq and byte offset of a corrupt record before the tail.
 */
export function parseWal(bytes: Uint8Array, file = "rtt.wal"): Omit<WalScan, "path"> {
  const decoder = new TextDecoder();
  const records: WalRecord[] = [];
  let prev = WAL_GENESIS;
  let start = 0;
  let end = 0;
  while (start < bytes.length) {
    const nl = bytes.indexOf(0x0a, start);
    const stop = nl < 0 ? bytes.length : nl;
    const expected = records.length + 1;
    const checked = nl < 0
      ? "no terminating newline (incomplete write)"
      : checkLine(decoder.decode(bytes.subarray(start, stop)), expected, prev);
    if (typeof checked === "string") {
      if (nl < 0 || nl === bytes.length - 1) {
        return {
          records,
          torn: { offset: start, bytes: bytes.length - start, reason: checked },
          end,
        };
      }
      throw new VerificationError(
        `WAL "${file}" is corrupt at seq ${expected} (byte ${start}): ${checked}; ` +
          `records after it cannot be trusted`,
      );
    }
    records.push(checked);
    prev = checked.sum;
    start = stop + 1;
    end = start;
  }
  return { records, torn: null, end };
}

/** Reads and checks the whole WAL (an absent file is an empty log). */
export async function scanWal(ws: Workspace): Promise<WalScan> {
  const path = walPath(ws);
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (err) {
    if (isNotFound(err)) return { path, records: [], torn: null, end: 0 };
    throw err;
  }
  return { path, ...parseWal(bytes, relativePath(ws.root, path)) };
}

/**
 * The last record when the file's tail is intact, read from at most the
 * last 64 KiB; null when the log is empty, and "unknown" when the tail is
 * torn or too long, so the caller has to {@linkcode scanWal}. This keeps
 * recovery cheap when the last transaction finished cleanly.
 */
export async function tailRecord(ws: Workspace): Promise<WalRecord | null | "unknown"> {
  let f: Deno.FsFile;
  try {
    f = await Deno.open(walPath(ws), { read: true });
  } catch (err) {
    if (isNotFound(err)) return null;
    throw err;
  }
  try {
    const size = (await f.stat()).size;
    if (size === 0) return null;
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
      const rec = JSON.parse(line) as WalRecord;
      return rec && typeof rec === "object" && rec.sum === recordSum(rec) ? rec : "unknown";
    } catch {
      return "unknown";
    }
  } finally {
    f.close();
  }
}

/** Options for {@linkcode WalWriter.open}. */
export interface WalWriterOptions {
  /**
   * Test hooks: `crashPoint` at every write and fsync, `beforeSync` before a
   * record's fsync (`wal:<type>:fsync`; a throw there is a failed fsync).
   */
  hooks?: Hooks;
}

/** Appends records durably. Opened after recovery has dropped any torn tail. */
export class WalWriter {
  #file: Deno.FsFile;
  #path: string;
  #seq: number;
  #prev: string;
  #end: number;
  #hooks: Hooks;

  private constructor(
    file: Deno.FsFile,
    path: string,
    last: WalRecord | undefined,
    end: number,
    options: WalWriterOptions,
  ) {
    this.#file = file;
    this.#path = path;
    this.#seq = last?.seq ?? 0;
    this.#prev = last?.sum ?? WAL_GENESIS;
    this.#end = end;
    this.#hooks = options.hooks ?? NO_HOOKS;
  }

  /**
   * Opens the WAL for appending, first cutting off a torn last record
   * (durably) so new records chain to the last valid one.
   */
  static async open(
    ws: Workspace,
    scan: WalScan,
    options: WalWriterOptions = {},
  ): Promise<WalWriter> {
    await Deno.mkdir(ws.wal, { recursive: true });
    const created = scan.records.length === 0 && scan.torn === null &&
      !(await Deno.lstat(scan.path).then(() => true, () => false));
    const file = await Deno.open(scan.path, { read: true, write: true, create: true });
    const hooks = options.hooks ?? NO_HOOKS;
    try {
      if (scan.torn) {
        hooks.crashPoint("wal:truncate");
        await file.truncate(scan.end);
        hooks.crashPoint("wal:truncate:fsync");
        await file.sync();
      }
      await file.seek(scan.end, Deno.SeekMode.Start);
      if (created) {
        hooks.crashPoint("wal:create:dirsync");
        await syncDir(ws.wal);
      }
    } catch (err) {
      file.close();
      throw err;
    }
    return new WalWriter(file, scan.path, scan.records.at(-1), scan.end, options);
  }

  /** Sequence number of the last record written. */
  get seq(): number {
    return this.#seq;
  }

  /**
   * Appends one record; with `sync` it is durable on return. A failed fsync
   * removes the record again (truncate) and rethrows: the caller must treat
   * the step as not having happened.
   */
  async append(entry: WalEntry, options: { sync?: boolean } = {}): Promise<WalRecord> {
    const { type, txn, payload } = entry;
    const body = {
      seq: this.#seq + 1,
      prev: this.#prev,
      at: new Date().toISOString(),
      txn,
      type,
      payload,
    };
    const rec: WalRecord = { ...body, sum: recordSum(body) };
    const bytes = new TextEncoder().encode(canonicalize(rec) + "\n");
    const before = this.#end;
    this.#hooks.crashPoint(`wal:${type}:write`);
    let off = 0;
    while (off < bytes.length) off += await this.#file.write(bytes.subarray(off));
    if (options.sync) {
      const point = `wal:${type}:fsync`;
      this.#hooks.crashPoint(point);
      try {
        this.#hooks.beforeSync(point);
        await this.#file.sync();
      } catch (err) {
        await this.#file.truncate(before);
        await this.#file.seek(before, Deno.SeekMode.Start);
        throw err;
      }
    }
    this.#seq = rec.seq;
    this.#prev = rec.sum;
    this.#end = before + bytes.length;
    return rec;
  }

  /** Closes the file. */
  close(): void {
    this.#file.close();
  }
}

/**
 * Opens the WAL for appending after a full check of the chain (corruption
 * anywhere refuses, exit 77) and cutting off a torn tail.
 */
export async function openWal(ws: Workspace, options: WalWriterOptions = {}): Promise<WalWriter> {
  return await WalWriter.open(ws, await scanWal(ws), options);
}
