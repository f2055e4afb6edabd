/**
 * The write-ahead log: hash-chained records (wal_record.ts) in segment files
 * under `.rtt/wal/` with a checkpoint (wal_segments.ts, which documents the
 * layout), appended by one {@linkcode WalWriter} at a time under the
 * workspace lock.
 *
 * Fail-stop: after a failed write or fsync the state of the file's pages is
 * unknown (the record may be durable, torn or absent, and a retried fsync
 * can report success for data that was dropped), so the writer is poisoned:
 * that append and every later one throw an {@linkcode IoError} naming the
 * first failure, and the command stops. Recovery on the next start settles
 * the tail like after a crash: a complete record is kept (and fsynced again
 * before recovery acts on it), a torn one is dropped.
 *
 * @module
 */
import {
  canonicalize,
  errorMessage,
  type Hooks,
  IoError,
  isRuntimeIoError,
  NO_HOOKS,
  relativePath,
  syncDir,
  type Workspace,
  writeJsonAtomic,
} from "../core/mod.ts";
import {
  closesTxn,
  type EndPayload,
  recordSum,
  WAL_GENESIS,
  type WalPayloads,
  type WalRecord,
  type WalRecordOf,
  type WalRecordType,
} from "./wal_record.ts";
import {
  checkpointPath,
  readWalTail,
  segmentPath,
  type WalCheckpoint,
  type WalScan,
} from "./wal_segments.ts";

export * from "./wal_record.ts";
export * from "./wal_segments.ts";

/** When a writer starts a new segment and replaces the checkpoint. */
export interface WalLimits {
  /** Start a new segment before a BEGIN once the current one has this many bytes. */
  segmentBytes: number;
  /** Replace the checkpoint before a BEGIN once this many records followed it. */
  checkpointEvery: number;
}

/** Default {@linkcode WalLimits}: 4 MiB segments (~10,000 records), a checkpoint every 256 records. */
export const WAL_LIMITS: Readonly<WalLimits> = Object.freeze({
  segmentBytes: 4 << 20,
  checkpointEvery: 256,
});

/** Options for {@linkcode WalWriter.open}. */
export interface WalWriterOptions {
  /** Crash points (`wal:<type>:write`, ...) and fsync labels (`wal:<type>:fsync`, ...). */
  hooks?: Hooks;
  /** Segment and checkpoint limits (tests use small ones). */
  limits?: Partial<WalLimits>;
}

/** What the writer knows about the log's end. */
interface WriterState {
  seq: number;
  prev: string;
  /** Byte offset after the last record in the current segment. */
  end: number;
  lastAt: { segment: number; offset: number } | null;
  finished: boolean;
  committed: EndPayload | null;
  txn: string | null;
  sinceCheckpoint: number;
}

/** Appends records durably; opened after recovery has settled the tail. */
export class WalWriter {
  #ws: Workspace;
  #file: Deno.FsFile;
  #segment: number;
  #state: WriterState;
  #hooks: Hooks;
  #limits: WalLimits;
  #poison: Error | null = null;

  private constructor(
    ws: Workspace,
    file: Deno.FsFile,
    segment: number,
    state: WriterState,
    options: WalWriterOptions,
  ) {
    this.#ws = ws;
    this.#file = file;
    this.#segment = segment;
    this.#state = state;
    this.#hooks = options.hooks ?? NO_HOOKS;
    this.#limits = { ...WAL_LIMITS, ...options.limits };
  }

  /**
   * Opens the WAL for appending: renames an old single-file log to segment
   * 1, cuts off a torn last record (durably) so new records chain to the
   * last valid one, and fsyncs an unfinished transaction's records before
   * anyone acts on them (they may come from a writer whose fsync failed).
   */
  static async open(
    ws: Workspace,
    scan: WalScan,
    options: WalWriterOptions = {},
  ): Promise<WalWriter> {
    const hooks = options.hooks ?? NO_HOOKS;
    const path = segmentPath(ws, scan.segment);
    try {
      await Deno.mkdir(ws.wal, { recursive: true });
      if (scan.legacy) await migrate(ws, scan.path, path, hooks);
      // An empty segment may be one whose creation was never made durable.
      const created = scan.end === 0 ||
        !(await Deno.lstat(path).then(() => true, () => false));
      const file = await Deno.open(path, { read: true, write: true, create: true });
      try {
        await settle(file, scan, hooks);
        await file.seek(scan.end, Deno.SeekMode.Start);
        if (created) {
          hooks.crashPoint("wal:create:dirsync");
          hooks.beforeSync("wal:create:dirsync");
          await syncDir(ws.wal);
        }
      } catch (err) {
        file.close();
        throw err;
      }
      const last = scan.records.at(-1);
      return new WalWriter(ws, file, scan.segment, {
        seq: last?.seq ?? 0,
        prev: last?.sum ?? WAL_GENESIS,
        end: scan.end,
        lastAt: scan.lastAt,
        finished: scan.finished,
        committed: scan.committed,
        txn: last?.txn ?? scan.checkpoint?.txn ?? null,
        sinceCheckpoint: scan.sinceCheckpoint,
      }, options);
    } catch (err) {
      throw asIoError(err, relativePath(ws.root, path), "Cannot open WAL");
    }
  }

  /** Sequence number of the last record written. */
  get seq(): number {
    return this.#state.seq;
  }

  /** Whether the last transaction in the log is finished. */
  get finished(): boolean {
    return this.#state.finished;
  }

  /** The committed state the last END made durable (null: nothing committed yet). */
  get committed(): EndPayload | null {
    return this.#state.committed;
  }

  /**
   * Appends one record; with `sync` it is durable on return.
   * @throws {IoError} when writing or syncing fails, and on every call after such a failure.
   */
  async append<T extends WalRecordType>(
    entry: { type: T; txn: string; payload: WalPayloads[T] },
    options: { sync?: boolean } = {},
  ): Promise<WalRecordOf<T>> {
    if (this.#poison) {
      throw new IoError(
        `WAL "${this.#relPath()}" refuses further records after an earlier failure ` +
          `(${errorMessage(this.#poison)}); the next command's recovery settles it`,
        { file: this.#relPath(), cause: this.#poison },
      );
    }
    try {
      if (entry.type === "begin" && this.#state.finished) await this.#boundary();
      return await this.#write(entry, options.sync ?? false) as WalRecordOf<T>;
    } catch (err) {
      this.#poison = asIoError(err, this.#relPath(), "Cannot append to WAL");
      throw this.#poison;
    }
  }

  async #write(
    entry: { type: WalRecordType; txn: string; payload: unknown },
    sync: boolean,
  ): Promise<WalRecord> {
    const s = this.#state;
    const body = {
      seq: s.seq + 1,
      prev: s.prev,
      at: new Date().toISOString(),
      txn: entry.txn,
      type: entry.type,
      payload: entry.payload,
    } as Omit<WalRecord, "sum">;
    const rec = { ...body, sum: recordSum(body) } as WalRecord;
    const bytes = new TextEncoder().encode(canonicalize(rec) + "\n");
    this.#hooks.crashPoint(`wal:${rec.type}:write`);
    let off = 0;
    while (off < bytes.length) off += await this.#file.write(bytes.subarray(off));
    if (sync) {
      const label = `wal:${rec.type}:fsync`;
      this.#hooks.crashPoint(label);
      this.#hooks.beforeSync(label);
      await this.#file.sync();
    }
    s.lastAt = { segment: this.#segment, offset: s.end };
    s.end += bytes.length;
    s.seq = rec.seq;
    s.prev = rec.sum;
    s.txn = rec.txn;
    s.sinceCheckpoint++;
    if (rec.type === "begin") s.finished = false;
    else if (closesTxn(rec.type)) s.finished = true;
    if (rec.type === "end") s.committed = rec.payload;
    return rec;
  }

  /** Before a BEGIN: a new segment when this one is full, else a checkpoint when one is due. */
  async #boundary(): Promise<void> {
    if (this.#state.seq === 0) return;
    if (this.#state.end >= this.#limits.segmentBytes) {
      await this.#checkpoint();
      await this.#nextSegment();
    } else if (this.#state.sinceCheckpoint >= this.#limits.checkpointEvery) {
      await this.#checkpoint();
    }
  }

  async #checkpoint(): Promise<void> {
    const s = this.#state;
    // The record it names may be an unsynced VERIFY: a durable checkpoint must
    // never outlive its record (the log would read as shortened after power loss).
    this.#hooks.beforeSync("wal:segment:fsync");
    await this.#file.sync();
    const cp: WalCheckpoint = {
      checkpoint_version: 1,
      seq: s.seq,
      sum: s.prev,
      segment: s.lastAt!.segment,
      offset: s.lastAt!.offset,
      committed: s.committed,
      finished: s.finished,
      txn: s.txn,
    };
    await writeJsonAtomic(checkpointPath(this.#ws), cp, {
      label: "wal:checkpoint",
      hooks: this.#hooks,
    });
    s.sinceCheckpoint = 0;
  }

  async #nextSegment(): Promise<void> {
    const path = segmentPath(this.#ws, this.#segment + 1);
    this.#hooks.crashPoint("wal:segment:create");
    const file = await Deno.open(path, { read: true, write: true, createNew: true });
    this.#file.close();
    this.#file = file;
    this.#segment++;
    this.#state.end = 0;
    this.#hooks.crashPoint("wal:create:dirsync");
    this.#hooks.beforeSync("wal:create:dirsync");
    await syncDir(this.#ws.wal);
  }

  #relPath(): string {
    return relativePath(this.#ws.root, segmentPath(this.#ws, this.#segment));
  }

  /** Closes the file. */
  close(): void {
    this.#file.close();
  }
}

async function migrate(ws: Workspace, from: string, to: string, hooks: Hooks): Promise<void> {
  hooks.crashPoint("wal:migrate:rename");
  await Deno.rename(from, to);
  hooks.crashPoint("wal:migrate:dirsync");
  hooks.beforeSync("wal:migrate:dirsync");
  await syncDir(ws.wal);
}

/** Cuts a torn tail, or re-syncs an unfinished transaction, so recovery acts on durable records. */
async function settle(file: Deno.FsFile, scan: WalScan, hooks: Hooks): Promise<void> {
  if (scan.torn) {
    hooks.crashPoint("wal:truncate");
    await file.truncate(scan.end);
    hooks.crashPoint("wal:truncate:fsync");
    hooks.beforeSync("wal:truncate:fsync");
    await file.sync();
  } else if (!scan.finished) {
    hooks.beforeSync("wal:settle:fsync");
    await file.sync();
  }
}

/** A runtime I/O error as an {@linkcode IoError} naming the file; anything else unchanged. */
function asIoError(err: unknown, file: string, what: string): Error {
  if (isRuntimeIoError(err)) {
    return new IoError(`${what} "${file}": ${errorMessage(err)}`, { file, cause: err });
  }
  return err instanceof Error ? err : new Error(String(err));
}

/**
 * Opens the WAL for appending after reading it from the checkpoint on
 * (corruption there refuses, exit 77) and cutting off a torn tail.
 */
export async function openWal(ws: Workspace, options: WalWriterOptions = {}): Promise<WalWriter> {
  return await WalWriter.open(ws, await readWalTail(ws), options);
}
