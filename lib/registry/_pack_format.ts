/**
 * Byte layout of the packfile and its lookup table, shared by the reader
 * (`pack.ts`) and the writer (`build_pack.ts`). Little-endian throughout:
 *
 * - pack: `"RTTP"`, u32 version, u32 count, the records back to back, then
 *   the sha256 of everything before it (32 bytes).
 * - LUT: `"RTTL"`, u32 version, u32 count, fanout[256] u32 (entries whose
 *   first hash byte is <= i), names[count] (32 bytes each, strictly
 *   ascending), entries[count] {u32 offset_hi, u32 offset_lo, u32 len,
 *   u32 crc32}, the sha256 of the pack (binds the pair), then the sha256 of
 *   everything before it (32 bytes).
 *
 * @module
 */
import { sha256Hex } from "../core/mod.ts";

/** Pack format version. */
export const PACK_VERSION = 1;
/** `"RTTP"` read as a little-endian u32. */
export const PACK_MAGIC = 0x50545452;
/** `"RTTL"` read as a little-endian u32. */
export const LUT_MAGIC = 0x4c545452;
/** Header: magic, version, count. */
export const HEAD = 12;
/** Fanout table: 256 cumulative u32 counts. */
export const FANOUT = 256 * 4;
/** One name: a raw sha256. */
export const NAME = 32;
/** One entry: offset (two u32), length, CRC-32. */
export const ENTRY = 16;
/** A trailing sha256. */
export const SUM = 32;
/** Where the names start in a LUT. */
export const NAMES_AT = HEAD + FANOUT;

/** Where the entries start in a LUT of `count` names. */
export function entriesAt(count: number): number {
  return NAMES_AT + count * NAME;
}

/** Size of a LUT holding `count` entries. */
export function lutSize(count: number): number {
  return HEAD + FANOUT + count * (NAME + ENTRY) + SUM + SUM;
}

/** Size of a pack whose records total `body` bytes. */
export function packSize(body: number): number {
  return HEAD + body + SUM;
}

/** The fixed header both files start with. */
export interface Header {
  /** {@linkcode PACK_MAGIC} or {@linkcode LUT_MAGIC} when intact. */
  magic: number;
  /** Format version. */
  version: number;
  /** Number of records. */
  count: number;
}

/** A little-endian view over `bytes` (which may be a subarray). */
export function viewOf(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Writes the header at the start of `bytes`. */
export function writeHeader(bytes: Uint8Array, magic: number, count: number): void {
  const v = viewOf(bytes);
  v.setUint32(0, magic, true);
  v.setUint32(4, PACK_VERSION, true);
  v.setUint32(8, count, true);
}

/** Reads the header at the start of `bytes` (at least {@linkcode HEAD} bytes). */
export function readHeader(bytes: Uint8Array): Header {
  const v = viewOf(bytes);
  return {
    magic: v.getUint32(0, true),
    version: v.getUint32(4, true),
    count: v.getUint32(8, true),
  };
}

/** Where one record lives in the pack and its checksum. */
export interface PackEntry {
  /** Byte offset of the record in the pack. */
  offset: number;
  /** Record length in bytes. */
  len: number;
  /** CRC-32 of the record. */
  crc: number;
}

/** Writes entry `i` of a LUT with `count` names. */
export function writeEntry(lut: DataView, count: number, i: number, entry: PackEntry): void {
  const e = entriesAt(count) + i * ENTRY;
  lut.setUint32(e, Math.floor(entry.offset / 2 ** 32), true);
  lut.setUint32(e + 4, entry.offset >>> 0, true);
  lut.setUint32(e + 8, entry.len, true);
  lut.setUint32(e + 12, entry.crc, true);
}

/** Reads entry `i` of a LUT with `count` names. */
export function readEntry(lut: DataView, count: number, i: number): PackEntry {
  const e = entriesAt(count) + i * ENTRY;
  return {
    offset: lut.getUint32(e, true) * 2 ** 32 + lut.getUint32(e + 4, true),
    len: lut.getUint32(e + 8, true),
    crc: lut.getUint32(e + 12, true),
  };
}

/** Fanout slot `b`: how many names start with a byte <= `b`. */
export function fanout(lut: DataView, b: number): number {
  return lut.getUint32(HEAD + b * 4, true);
}

/** Sets fanout slot `b`. */
export function writeFanout(lut: DataView, b: number, cumulative: number): void {
  lut.setUint32(HEAD + b * 4, cumulative, true);
}

/** sha256 of everything in `bytes` before its trailer. */
export async function contentSum(bytes: Uint8Array): Promise<Uint8Array> {
  return Uint8Array.fromHex(await sha256Hex(bytes.subarray(0, bytes.length - SUM)));
}

/** Writes the trailer of `bytes`: the sha256 of everything before it. Returns that sum. */
export async function seal(bytes: Uint8Array): Promise<Uint8Array> {
  const sum = await contentSum(bytes);
  bytes.set(sum, bytes.length - SUM);
  return sum;
}

/** The trailer of `bytes`. */
export function trailer(bytes: Uint8Array): Uint8Array {
  return bytes.subarray(bytes.length - SUM);
}

/** Byte-wise equality. */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Compares the names (raw sha256s) at `a[ai..]` and `b[bi..]`. */
export function compareNames(a: Uint8Array, ai: number, b: Uint8Array, bi: number): number {
  for (let k = 0; k < NAME; k++) {
    const d = a[ai + k] - b[bi + k];
    if (d !== 0) return d;
  }
  return 0;
}
