/**
 * Slicing-by-8 tables for the reflected Castagnoli polynomial (crc32c), used by the
 * pure-TS fallback in {@linkcode crc32cPortable}.
 *
 * @module
 */
const POLY = 0x82f63b78;

function build(): Uint32Array {
  const t = new Uint32Array(8 * 256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ POLY : c >>> 1;
    t[n] = c >>> 0;
  }
  for (let n = 0; n < 256; n++) {
    let c = t[n];
    for (let k = 1; k < 8; k++) {
      c = t[c & 0xff] ^ (c >>> 8);
      t[k * 256 + n] = c >>> 0;
    }
  }
  return t;
}

/** Eight 256-entry tables laid end to end: `TABLE[k * 256 + b]`. */
export const TABLE: Uint32Array = build();
