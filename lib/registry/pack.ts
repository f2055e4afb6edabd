/**
 * The packfile: every indexed object in one file (`pack/agents.pack`) plus a
 * lookup table (`pack/index.lut`) of sorted sha256 -> offset, length, CRC-32
 * with a 256-entry fanout, as git's `.idx`. A lookup reads one LUT slot
 * (held in memory) and exactly the one record it needs from the pack.
 *
 * Layout (little-endian):
 * - pack: `"RTTP"`, u32 version 1, u32 count, the records back to back,
 *   sha256 of everything before it (32 bytes).
 * - LUT: `"RTTL"`, u32 version 1, u32 count, fanout[256] u32 (entries whose
 *   first hash byte is <= i), names[count] (32 bytes each, strictly
 *   ascending), entries[count] {u32 offset_hi, u32 offset_lo, u32 len,
 *   u32 crc32}, sha256 of the pack (binds the pair), sha256 of everything
 *   before it (32 bytes).
 *
 * Opening checks sizes, magic, version, both checksums, order and bounds, so
 * a corrupted or truncated file is named and never read as data; each record
 * is checked against its CRC-32 again when read.
 *
 * @module
 */
import {
  fromHex,
  type Hooks,
  relativePath,
  sha256Hex,
  toHex,
  VerificationError,
  type Workspace,
  writeFileAtomic,
} from "../core/mod.ts";
import { symbolHash } from "../symbols/mod.ts";
import { crc32 } from "./_crc32.ts";
import { decodeObject, hashHex, objectPath, type RegistryObject } from "./object.ts";
import { readIndex } from "./registry_index.ts";
import { mapConcurrent } from "./_durable.ts";
import { InputError, MissingInputError } from "../core/mod.ts";
import { isNotFound } from "../core/mod.ts";

/** Pack format version. */
export const PACK_VERSION = 1;
const PACK_MAGIC = 0x50545452; // "RTTP" little-endian
const LUT_MAGIC = 0x4c545452; // "RTTL" little-endian
const HEAD = 12;
const FANOUT = 256 * 4;
const NAME = 32;
const ENTRY = 16;
const SUM = 32;

/** Size of a LUT holding `count` entries. */
export function lutSize(count: number): number {
  return HEAD + FANOUT + count * (NAME + ENTRY) + SUM + SUM;
}

/** One record to pack. */
export interface PackRecord {
  /** `sha256:<hex>` the record is found by. */
  hash: string;
  /** The record's bytes (a canonical CAS object). */
  bytes: Uint8Array;
}

/**
 * Encodes records as a pack and its LUT. Records are written in hash order,
 * so equal sets of records give byte-identical files.
 * @throws {RangeError} on a duplicate hash.
 */
export async function encodePack(
  records: readonly PackRecord[],
): Promise<{ pack: Uint8Array; lut: Uint8Array }> {
  const sorted = [...records].sort((a, b) => (a.hash < b.hash ? -1 : a.hash > b.hash ? 1 : 0));
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i].hash === sorted[i - 1].hash) {
      throw new RangeError(`Cannot pack ${sorted[i].hash} twice`);
    }
  }
  const n = sorted.length;
  const body = sorted.reduce((s, r) => s + r.bytes.length, 0);
  const pack = new Uint8Array(HEAD + body + SUM);
  const pv = new DataView(pack.buffer);
  pv.setUint32(0, PACK_MAGIC, true);
  pv.setUint32(4, PACK_VERSION, true);
  pv.setUint32(8, n, true);
  const lut = new Uint8Array(lutSize(n));
  const lv = new DataView(lut.buffer);
  lv.setUint32(0, LUT_MAGIC, true);
  lv.setUint32(4, PACK_VERSION, true);
  lv.setUint32(8, n, true);
  const namesAt = HEAD + FANOUT;
  const entriesAt = namesAt + n * NAME;
  const counts = new Uint32Array(256);
  let off = HEAD;
  sorted.forEach((r, i) => {
    const name = fromHex(hashHex(r.hash));
    counts[name[0]]++;
    lut.set(name, namesAt + i * NAME);
    const e = entriesAt + i * ENTRY;
    lv.setUint32(e, Math.floor(off / 2 ** 32), true);
    lv.setUint32(e + 4, off >>> 0, true);
    lv.setUint32(e + 8, r.bytes.length, true);
    lv.setUint32(e + 12, crc32(r.bytes), true);
    pack.set(r.bytes, off);
    off += r.bytes.length;
  });
  let cum = 0;
  for (let b = 0; b < 256; b++) {
    cum += counts[b];
    lv.setUint32(HEAD + b * 4, cum, true);
  }
  const packSum = fromHex(await sha256Hex(pack.subarray(0, pack.length - SUM)));
  pack.set(packSum, pack.length - SUM);
  lut.set(packSum, entriesAt + n * ENTRY);
  lut.set(fromHex(await sha256Hex(lut.subarray(0, lut.length - SUM))), lut.length - SUM);
  return { pack, lut };
}

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

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Checks a LUT's bytes completely.
 * @throws {SyntaxError} when malformed or truncated; {VerificationError} on a checksum mismatch.
 */
async function checkLut(lut: Uint8Array, name: string): Promise<number> {
  const what = `Pack index "${name}"`;
  if (lut.length < lutSize(0)) {
    throw new InputError(
      `${what} is truncated: ${lut.length} bytes, the header alone needs ${lutSize(0)}`,
    );
  }
  const v = new DataView(lut.buffer, lut.byteOffset, lut.byteLength);
  if (v.getUint32(0, true) !== LUT_MAGIC) {
    throw new InputError(`${what} is not an RTT pack index (bad magic)`);
  }
  if (v.getUint32(4, true) !== PACK_VERSION) {
    throw new InputError(
      `${what} has unsupported version ${v.getUint32(4, true)} (expected ${PACK_VERSION})`,
    );
  }
  const n = v.getUint32(8, true);
  if (lut.length !== lutSize(n)) {
    throw new InputError(
      `${what} is ${
        lut.length < lutSize(n) ? "truncated" : "followed by extra bytes"
      }: ${lut.length} bytes for ${n} entries, expected ${lutSize(n)}`,
    );
  }
  const sum = await sha256Hex(lut.subarray(0, lut.length - SUM));
  if (!sameBytes(fromHex(sum), lut.subarray(lut.length - SUM))) {
    throw new VerificationError(
      `${what} is corrupt: its trailing checksum does not match its content`,
    );
  }
  const namesAt = HEAD + FANOUT;
  let prev = 0;
  for (let b = 0; b < 256; b++) {
    const c = v.getUint32(HEAD + b * 4, true);
    if (c < prev || c > n) throw new InputError(`${what} has an inconsistent fanout at byte ${b}`);
    for (let i = prev; i < c; i++) {
      if (lut[namesAt + i * NAME] !== b) {
        throw new InputError(
          `${what} has an inconsistent fanout: entry ${i} does not start with byte ${b}`,
        );
      }
    }
    prev = c;
  }
  if (prev !== n) throw new InputError(`${what} has a fanout total ${prev}, expected ${n}`);
  for (let i = 1; i < n; i++) {
    if (compareAt(lut, namesAt + (i - 1) * NAME, lut, namesAt + i * NAME) >= 0) {
      throw new InputError(
        `${what} has unsorted names: entry ${i} does not sort after entry ${i - 1}`,
      );
    }
  }
  return n;
}

function compareAt(a: Uint8Array, ai: number, b: Uint8Array, bi: number): number {
  for (let k = 0; k < NAME; k++) {
    const d = a[ai + k] - b[bi + k];
    if (d !== 0) return d;
  }
  return 0;
}

const HEXVAL = (() => {
  const t = new Int8Array(128).fill(-1);
  for (let i = 0; i < 10; i++) t[48 + i] = i;
  for (let i = 0; i < 6; i++) t[97 + i] = 10 + i;
  return t;
})();

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
    this.#view = new DataView(lut.buffer, lut.byteOffset, lut.byteLength);
    this.count = count;
    this.#read = read;
    this.#close = close;
    this.#name = name;
  }

  /**
   * Opens the workspace's pack (or `files`) and verifies both files.
   * @throws {Deno.errors.NotFound} when there is no pack; {SyntaxError} when
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
      const size = (await file.stat()).size;
      const bytes = new Uint8Array(size);
      let off = 0;
      while (off < size) {
        const got = await file.read(bytes.subarray(off));
        if (got === null) break;
        off += got;
      }
      const count = await verifyPair(bytes.subarray(0, off), lut, names);
      const read: RecordSource = (offset, len) => {
        const buf = new Uint8Array(len);
        file.seekSync(offset, Deno.SeekMode.Start);
        let got = 0;
        while (got < len) {
          const r = file.readSync(buf.subarray(got));
          if (r === null) {
            throw new InputError(
              `Pack "${names.pack}" is truncated: record at ${offset} ends early`,
            );
          }
          got += r;
        }
        return buf;
      };
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
    if (hash.length !== 71 || !hash.startsWith("sha256:")) return -1;
    const key = this.#key;
    for (let i = 0; i < NAME; i++) {
      const hi = HEXVAL[hash.charCodeAt(7 + 2 * i)];
      const lo = HEXVAL[hash.charCodeAt(8 + 2 * i)];
      if (hi === undefined || lo === undefined || hi < 0 || lo < 0) return -1;
      key[i] = (hi << 4) | lo;
    }
    const v = this.#view;
    let lo = key[0] === 0 ? 0 : v.getUint32(HEAD + (key[0] - 1) * 4, true);
    let hi = v.getUint32(HEAD + key[0] * 4, true) - 1;
    const namesAt = HEAD + FANOUT;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const c = compareAt(this.#lut, namesAt + mid * NAME, key, 0);
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
    const e = HEAD + FANOUT + this.count * NAME + slot * ENTRY;
    const v = this.#view;
    const offset = v.getUint32(e, true) * 2 ** 32 + v.getUint32(e + 4, true);
    const len = v.getUint32(e + 8, true);
    const bytes = this.#read(offset, len);
    if (crc32(bytes) !== v.getUint32(e + 12, true)) {
      throw new VerificationError(
        `Pack "${this.#name}" record ${hash} is corrupt (CRC-32 mismatch)`,
      );
    }
    return bytes;
  }

  /** The decoded object of `hash` (hash not re-checked here: the CRC was). */
  getObject(hash: string): RegistryObject | undefined {
    const bytes = this.get(hash);
    return bytes && decodeObject(bytes, `pack record ${hash}`);
  }

  /** Every hash in the pack, ascending. */
  hashes(): string[] {
    const out: string[] = [];
    const namesAt = HEAD + FANOUT;
    for (let i = 0; i < this.count; i++) {
      out.push("sha256:" + toHex(this.#lut.subarray(namesAt + i * NAME, namesAt + (i + 1) * NAME)));
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

async function verifyPair(
  pack: Uint8Array,
  lut: Uint8Array,
  names: { pack: string; lut: string },
): Promise<number> {
  const n = await checkLut(lut, names.lut);
  const what = `Pack "${names.pack}"`;
  const lv = new DataView(lut.buffer, lut.byteOffset, lut.byteLength);
  const entriesAt = HEAD + FANOUT + n * NAME;
  let body = 0;
  for (let i = 0; i < n; i++) body += lv.getUint32(entriesAt + i * ENTRY + 8, true);
  const expected = HEAD + body + SUM;
  if (pack.length !== expected) {
    throw new InputError(
      `${what} is ${
        pack.length < expected ? "truncated" : "followed by extra bytes"
      }: ${pack.length} bytes, its index "${names.lut}" expects ${expected}`,
    );
  }
  const pv = new DataView(pack.buffer, pack.byteOffset, pack.byteLength);
  if (pv.getUint32(0, true) !== PACK_MAGIC) {
    throw new InputError(`${what} is not an RTT pack (bad magic)`);
  }
  if (pv.getUint32(4, true) !== PACK_VERSION || pv.getUint32(8, true) !== n) {
    throw new InputError(`${what} header does not match its index (version or count)`);
  }
  const sum = fromHex(await sha256Hex(pack.subarray(0, pack.length - SUM)));
  if (!sameBytes(sum, pack.subarray(pack.length - SUM))) {
    throw new VerificationError(
      `${what} is corrupt: its trailing checksum does not match its content`,
    );
  }
  if (!sameBytes(sum, lut.subarray(entriesAt + n * ENTRY, entriesAt + n * ENTRY + SUM))) {
    throw new VerificationError(
      `${what} does not belong to "${names.lut}" (pack checksum differs)`,
    );
  }
  for (let i = 0; i < n; i++) {
    const e = entriesAt + i * ENTRY;
    const off = lv.getUint32(e, true) * 2 ** 32 + lv.getUint32(e + 4, true);
    const len = lv.getUint32(e + 8, true);
    if (off < HEAD || off + len > pack.length - SUM) {
      throw new InputError(`${what}: entry ${i} of "${names.lut}" points outside the records`);
    }
  }
  return n;
}

/**
 * Reads every object the index refers to, re-hashed.
 * @throws {VerificationError} naming a corrupt object; {Deno.errors.NotFound} for a missing one.
 */
export async function collectPackRecords(ws: Workspace): Promise<PackRecord[]> {
  const hashes = [...new Set((await readIndex(ws)).map((e) => e.hash))];
  return await mapConcurrent(hashes, async (hash) => {
    const path = objectPath(ws, hash);
    const what = `object "${relativePath(ws.root, path)}"`;
    let bytes: Uint8Array;
    try {
      bytes = await Deno.readFile(path);
    } catch (err) {
      if (isNotFound(err)) {
        throw new MissingInputError(`Index refers to ${hash} but ${what} is missing`, {
          cause: err,
        });
      }
      throw err;
    }
    const actual = symbolHash(decodeObject(bytes, what).manifest);
    if (actual !== hash) {
      throw new VerificationError(`${what} is corrupt: its manifest hashes to ${actual}`);
    }
    return { hash, bytes };
  });
}

/** What {@linkcode buildPack} wrote. */
export interface PackResult {
  /** Records packed. */
  objects: number;
  /** Size of `agents.pack`. */
  packBytes: number;
  /** Size of `index.lut`. */
  lutBytes: number;
  /** False when the pack on disk already held exactly these objects. */
  written: boolean;
}

/**
 * Packs every object the index refers to. Each object is re-hashed first: a
 * corrupt CAS object stops the build (run `registry verify`).
 * @throws {VerificationError} naming the corrupt object; {Deno.errors.NotFound} for a missing one.
 */
export async function buildPack(
  ws: Workspace,
  options: { hooks?: Hooks } = {},
): Promise<PackResult> {
  const records = await collectPackRecords(ws);
  const { pack, lut } = await encodePack(records);
  const files = packFiles(ws);
  let written = false;
  const old = await Deno.readFile(files.lut).catch(() => undefined);
  const oldPack = old && sameBytes(old, lut)
    ? await Deno.readFile(files.pack).catch(() => undefined)
    : undefined;
  if (!oldPack || !sameBytes(oldPack, pack)) {
    await Deno.mkdir(ws.pack, { recursive: true });
    await writeFileAtomic(files.pack, pack, { label: "pack", hooks: options.hooks });
    await writeFileAtomic(files.lut, lut, { label: "pack-lut", hooks: options.hooks });
    written = true;
  }
  return { objects: records.length, packBytes: pack.length, lutBytes: lut.length, written };
}
