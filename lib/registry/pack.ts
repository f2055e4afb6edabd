/**
 * Reading the packfile: every indexed object in one file (`pack/agents.pack`)
 * plus a lookup table (`pack/index.lut`) of sorted sha256 -> offset, length,
 * CRC-32 with a 256-entry fanout, as git's `.idx` (layout in
 * `_pack_format.ts`; writing in `build_pack.ts`).
 *
 * Opening reads both files whole, once, and checks sizes, magic, version,
 * both checksums, name order and bounds, so a corrupted or truncated file is
 * named and never read as data. After that a lookup costs one binary search
 * in the LUT (held in memory) and one positional read of its record from the
 * pack file, checked again against the record's CRC-32: a record changed on
 * disk after opening is refused, not returned.
 *
 * @module
 */
import { MissingInputError, relativePath, VerificationError, type Workspace } from "../core/mod.ts";
import { HASH_REF, InputError, isNotFound } from "../core/mod.ts";
import { crc32 } from "./_crc32.ts";
import {
  compareNames,
  contentSum,
  entriesAt,
  ENTRY,
  fanout,
  HEAD,
  LUT_MAGIC,
  lutSize,
  NAME,
  NAMES_AT,
  PACK_MAGIC,
  PACK_VERSION,
  packSize,
  readEntry,
  readHeader,
  sameBytes,
  SUM,
  trailer,
  viewOf,
} from "./_pack_format.ts";
import { decodeObject, type RegistryObject } from "./object.ts";

export { lutSize, PACK_VERSION };

/** Where a pack and its LUT live, and how messages name them. */
export interface PackFiles {
  /** Records file (`agents.pack`). */
  pack: string;
  /** Lookup table (`index.lut`). */
  lut: string;
}

/** The workspace's pack files. */
export function packFiles(ws: Workspace): PackFiles {
  return { pack: `${ws.pack}/agents.pack`, lut: `${ws.pack}/index.lut` };
}

/** Reads records of an opened pack: positional reads of a file, or slices of bytes. */
type RecordSource = (offset: number, len: number) => Uint8Array;

/**
 * An opened, verified pack. Keep it open for many lookups: each `get` reads
 * one record. Close it (or `using`) when done.
 */
export class Pack implements Disposable {
  /** Number of records. */
  readonly count: number;
  readonly #lut: Uint8Array;
  readonly #view: DataView;
  readonly #read: RecordSource;
  readonly #close: () => void;
  readonly #name: string;
  readonly #key = new Uint8Array(NAME);

  private constructor(
    lut: Uint8Array,
    count: number,
    read: RecordSource,
    close: () => void,
    name: string,
  ) {
    this.#lut = lut;
    this.#view = viewOf(lut);
    this.count = count;
    this.#read = read;
    this.#close = close;
    this.#name = name;
  }

  /**
   * Opens the workspace's pack (or `files`) and verifies both files (reading
   * them whole once).
   * @throws {MissingInputError} when there is no pack; {InputError} when
   * malformed or truncated; {VerificationError} when a checksum fails.
   */
  static async open(ws: Workspace, options: { files?: PackFiles } = {}): Promise<Pack> {
    const files = options.files ?? packFiles(ws);
    const names = {
      pack: relativePath(ws.root, files.pack),
      lut: relativePath(ws.root, files.lut),
    };
    let lut: Uint8Array;
    try {
      lut = await Deno.readFile(files.lut);
    } catch (err) {
      if (isNotFound(err)) {
        throw new MissingInputError(
          `No pack index "${names.lut}": run "rtt-deno registry pack"`,
          { cause: err },
        );
      }
      throw err;
    }
    const file = await Deno.open(files.pack, { read: true });
    try {
      // Verified through the same handle later reads use, so both see the same file.
      const count = await verifyPair(await readAll(file), lut, names);
      const read: RecordSource = (offset, len) => readAt(file, offset, len, names.pack);
      return new Pack(lut, count, read, () => file.close(), names.pack);
    } catch (err) {
      file.close();
      throw err;
    }
  }

  /** A pack held in memory (e.g. from a bundle), verified like a file. */
  static async fromBytes(
    pack: Uint8Array,
    lut: Uint8Array,
    options: { names?: { pack: string; lut: string } } = {},
  ): Promise<Pack> {
    const names = options.names ?? { pack: "agents.pack", lut: "index.lut" };
    const count = await verifyPair(pack, lut, names);
    return new Pack(lut, count, (o, l) => pack.subarray(o, o + l), () => {}, names.pack);
  }

  /** Slot of `hash` in the LUT, or -1. */
  #find(hash: string): number {
    if (!HASH_REF.test(hash)) return -1;
    const key = this.#key;
    key.setFromHex(hash.slice(7));
    const v = this.#view;
    let lo = key[0] === 0 ? 0 : fanout(v, key[0] - 1);
    let hi = fanout(v, key[0]) - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const c = compareNames(this.#lut, NAMES_AT + mid * NAME, key, 0);
      if (c === 0) return mid;
      if (c < 0) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  /** True when the pack holds `hash`. */
  has(hash: string): boolean {
    return this.#find(hash) >= 0;
  }

  /**
   * The record bytes of `hash`, or undefined when the pack does not hold it.
   * @throws {VerificationError} when the record no longer matches its CRC-32.
   */
  get(hash: string): Uint8Array | undefined {
    const slot = this.#find(hash);
    if (slot < 0) return undefined;
    const { offset, len, crc } = readEntry(this.#view, this.count, slot);
    const bytes = this.#read(offset, len);
    if (crc32(bytes) !== crc) {
      throw new VerificationError(
        `Pack "${this.#name}" record ${hash} is corrupt (CRC-32 mismatch)`,
      );
    }
    return bytes;
  }

  /**
   * The decoded object of `hash` (hash not re-checked here: the CRC was).
   * @throws {SchemaError} when the record is not a well-formed object.
   */
  async getObject(hash: string): Promise<RegistryObject | undefined> {
    const bytes = this.get(hash);
    return bytes && await decodeObject(bytes, `pack record ${hash}`);
  }

  /** Every hash in the pack, ascending. */
  hashes(): string[] {
    const out: string[] = [];
    for (let i = 0; i < this.count; i++) {
      out.push(
        "sha256:" + this.#lut.subarray(NAMES_AT + i * NAME, NAMES_AT + (i + 1) * NAME).toHex(),
      );
    }
    return out;
  }

  /** Releases the pack file. */
  close(): void {
    this.#close();
  }

  /** Same as close(). */
  [Symbol.dispose](): void {
    this.close();
  }
}

async function readAll(file: Deno.FsFile): Promise<Uint8Array> {
  const bytes = new Uint8Array((await file.stat()).size);
  let off = 0;
  while (off < bytes.length) {
    const got = await file.read(bytes.subarray(off));
    if (got === null) break;
    off += got;
  }
  return bytes.subarray(0, off);
}

function readAt(file: Deno.FsFile, offset: number, len: number, name: string): Uint8Array {
  const buf = new Uint8Array(len);
  file.seekSync(offset, Deno.SeekMode.Start);
  let got = 0;
  while (got < len) {
    const r = file.readSync(buf.subarray(got));
    if (r === null) {
      throw new InputError(`Pack "${name}" is truncated: record at ${offset} ends early`);
    }
    got += r;
  }
  return buf;
}

/**
 * Checks a LUT's bytes completely; returns its entry count.
 * @throws {InputError} when malformed or truncated; {VerificationError} on a checksum mismatch.
 */
async function checkLut(lut: Uint8Array, name: string): Promise<number> {
  const what = `Pack index "${name}"`;
  if (lut.length < lutSize(0)) {
    throw new InputError(
      `${what} is truncated: ${lut.length} bytes, the header alone needs ${lutSize(0)}`,
    );
  }
  const head = readHeader(lut);
  if (head.magic !== LUT_MAGIC) {
    throw new InputError(`${what} is not an RTT pack index (bad magic)`);
  }
  if (head.version !== PACK_VERSION) {
    throw new InputError(
      `${what} has unsupported version ${head.version} (expected ${PACK_VERSION})`,
    );
  }
  const n = head.count;
  if (lut.length !== lutSize(n)) {
    throw new InputError(
      `${what} is ${
        lut.length < lutSize(n) ? "truncated" : "followed by extra bytes"
      }: ${lut.length} bytes for ${n} entries, expected ${lutSize(n)}`,
    );
  }
  if (!sameBytes(await contentSum(lut), trailer(lut))) {
    throw new VerificationError(
      `${what} is corrupt: its trailing checksum does not match its content`,
    );
  }
  checkFanout(lut, n, what);
  for (let i = 1; i < n; i++) {
    if (compareNames(lut, NAMES_AT + (i - 1) * NAME, lut, NAMES_AT + i * NAME) >= 0) {
      throw new InputError(
        `${what} has unsorted names: entry ${i} does not sort after entry ${i - 1}`,
      );
    }
  }
  return n;
}

function checkFanout(lut: Uint8Array, n: number, what: string): void {
  const v = viewOf(lut);
  let prev = 0;
  for (let b = 0; b < 256; b++) {
    const c = fanout(v, b);
    if (c < prev || c > n) throw new InputError(`${what} has an inconsistent fanout at byte ${b}`);
    for (let i = prev; i < c; i++) {
      if (lut[NAMES_AT + i * NAME] !== b) {
        throw new InputError(
          `${what} has an inconsistent fanout: entry ${i} does not start with byte ${b}`,
        );
      }
    }
    prev = c;
  }
  if (prev !== n) throw new InputError(`${what} has a fanout total ${prev}, expected ${n}`);
}

/**
 * Checks a pack against its (checked) LUT: size, header, both checksums and
 * that every entry points inside the records. Returns the record count.
 */
async function verifyPair(
  pack: Uint8Array,
  lut: Uint8Array,
  names: { pack: string; lut: string },
): Promise<number> {
  const n = await checkLut(lut, names.lut);
  const what = `Pack "${names.pack}"`;
  const lv = viewOf(lut);
  let body = 0;
  for (let i = 0; i < n; i++) body += readEntry(lv, n, i).len;
  const expected = packSize(body);
  if (pack.length !== expected) {
    throw new InputError(
      `${what} is ${
        pack.length < expected ? "truncated" : "followed by extra bytes"
      }: ${pack.length} bytes, its index "${names.lut}" expects ${expected}`,
    );
  }
  const head = readHeader(pack);
  if (head.magic !== PACK_MAGIC) {
    throw new InputError(`${what} is not an RTT pack (bad magic)`);
  }
  if (head.version !== PACK_VERSION || head.count !== n) {
    throw new InputError(`${what} header does not match its index (version or count)`);
  }
  const sum = await contentSum(pack);
  if (!sameBytes(sum, trailer(pack))) {
    throw new VerificationError(
      `${what} is corrupt: its trailing checksum does not match its content`,
    );
  }
  const bound = entriesAt(n) + n * ENTRY;
  if (!sameBytes(sum, lut.subarray(bound, bound + SUM))) {
    throw new VerificationError(
      `${what} does not belong to "${names.lut}" (pack checksum differs)`,
    );
  }
  for (let i = 0; i < n; i++) {
    const { offset, len } = readEntry(lv, n, i);
    if (offset < HEAD || offset + len > pack.length - SUM) {
      throw new InputError(`${what}: entry ${i} of "${names.lut}" points outside the records`);
    }
  }
  return n;
}
