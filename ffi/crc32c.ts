/**
 * crc32c (Castagnoli), the checksum of every RTT frame: native (SSE4.2 when the CPU has it)
 * when the library loaded, else the portable slicing-by-8 implementation; both give the same
 * values.
 *
 * @module
 */
import { TABLE as T } from "./_crc32c_table.ts";
import { native } from "./load.ts";

/**
 * Pure-TS crc32c (slicing-by-8). Used when the native library is absent, and by tests as
 * the reference the native path must match. `seed` continues a previous checksum.
 */
export function crc32cPortable(data: Uint8Array, seed = 0): number {
  let c = ~seed >>> 0;
  let i = 0;
  const n = data.length;
  const end8 = n - (n & 7);
  while (i < end8) {
    const lo = (data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (data[i + 3] << 24)) ^ c;
    const hi = data[i + 4] | (data[i + 5] << 8) | (data[i + 6] << 16) | (data[i + 7] << 24);
    c = T[1792 + (lo & 0xff)] ^ T[1536 + ((lo >>> 8) & 0xff)] ^
      T[1280 + ((lo >>> 16) & 0xff)] ^ T[1024 + (lo >>> 24)] ^
      T[768 + (hi & 0xff)] ^ T[512 + ((hi >>> 8) & 0xff)] ^
      T[256 + ((hi >>> 16) & 0xff)] ^ T[hi >>> 24];
    i += 8;
  }
  while (i < n) c = T[(c ^ data[i++]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}

const CHUNK = 0x4000_0000;

/**
 * crc32c of `data` (continuing from `seed`), on the SSE4.2 native path when the library is
 * loaded and the portable one otherwise; both give identical results.
 */
export function crc32c(data: Uint8Array, seed = 0): number {
  const lib = native();
  if (lib === null) return crc32cPortable(data, seed);
  if (data.length <= CHUNK) return lib.symbols.rtt_crc32c(data, data.length, seed);
  let c = seed;
  for (let off = 0; off < data.length; off += CHUNK) {
    const part = data.subarray(off, off + CHUNK);
    c = lib.symbols.rtt_crc32c(part, part.length, c);
  }
  return c;
}

/** Which implementation {@linkcode crc32c} uses, for reports and benchmarks. */
export function crc32cImplementation(): "sse4.2" | "native-table" | "portable" {
  const lib = native();
  if (lib === null) return "portable";
  return lib.symbols.rtt_crc32c_hw() === 1 ? "sse4.2" : "native-table";
}
