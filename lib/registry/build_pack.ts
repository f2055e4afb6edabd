/**
 * `registry pack`: writes every indexed object into the packfile and its
 * lookup table (layout in `_pack_format.ts`, reading in `pack.ts`). Records
 * are written in hash order, so equal sets of objects give byte-identical
 * files and an unchanged registry rewrites nothing.
 *
 * @module
 */
import {
  type Hooks,
  relativePath,
  VerificationError,
  type Workspace,
  writeFileAtomic,
} from "../core/mod.ts";
import { symbolHash } from "../symbols/mod.ts";
import { crc32 } from "./_crc32.ts";
import { mapConcurrent } from "./_durable.ts";
import {
  HEAD,
  LUT_MAGIC,
  lutSize,
  NAME,
  NAMES_AT,
  PACK_MAGIC,
  packSize,
  sameBytes,
  seal,
  SUM,
  viewOf,
  writeEntry,
  writeFanout,
  writeHeader,
} from "./_pack_format.ts";
import { decodeObject, hashHex, objectPath, readObjectFile } from "./object.ts";
import { packFiles } from "./pack.ts";
import { readIndex } from "./registry_index.ts";

/** One record to pack. */
export interface PackRecord {
  /** `sha256:<hex>` the record is found by. */
  hash: string;
  /** The record's bytes (a canonical CAS object). */
  bytes: Uint8Array;
}

function sortedUnique(records: readonly PackRecord[]): PackRecord[] {
  const sorted = [...records].sort((a, b) => (a.hash < b.hash ? -1 : a.hash > b.hash ? 1 : 0));
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i].hash === sorted[i - 1].hash) {
      throw new RangeError(`Cannot pack ${sorted[i].hash} twice`);
    }
  }
  return sorted;
}

/**
 * Encodes records as a pack and its LUT. Records are written in hash order,
 * so equal sets of records give byte-identical files.
 * @throws {RangeError} on a duplicate hash.
 */
export async function encodePack(
  records: readonly PackRecord[],
): Promise<{ pack: Uint8Array; lut: Uint8Array }> {
  const sorted = sortedUnique(records);
  const n = sorted.length;
  const pack = new Uint8Array(packSize(sorted.reduce((s, r) => s + r.bytes.length, 0)));
  const lut = new Uint8Array(lutSize(n));
  writeHeader(pack, PACK_MAGIC, n);
  writeHeader(lut, LUT_MAGIC, n);
  const lv = viewOf(lut);
  const counts = new Uint32Array(256);
  let offset = HEAD;
  sorted.forEach((r, i) => {
    const name = Uint8Array.fromHex(hashHex(r.hash));
    counts[name[0]]++;
    lut.set(name, NAMES_AT + i * NAME);
    writeEntry(lv, n, i, { offset, len: r.bytes.length, crc: crc32(r.bytes) });
    pack.set(r.bytes, offset);
    offset += r.bytes.length;
  });
  let cumulative = 0;
  for (let b = 0; b < 256; b++) writeFanout(lv, b, cumulative += counts[b]);
  // The LUT carries the pack's checksum, binding the two files together.
  lut.set(await seal(pack), lut.length - 2 * SUM);
  await seal(lut);
  return { pack, lut };
}

/**
 * Reads every object the index refers to, re-hashed.
 * @throws {VerificationError} naming a corrupt object; {MissingInputError} for a missing one.
 */
export async function collectPackRecords(ws: Workspace): Promise<PackRecord[]> {
  const hashes = [...new Set((await readIndex(ws)).map((e) => e.hash))];
  return await mapConcurrent(hashes, async (hash) => {
    const file = relativePath(ws.root, objectPath(ws, hash));
    const { bytes, what } = await readObjectFile(
      ws,
      hash,
      `Index refers to ${hash} but object "${file}" is missing`,
    );
    const actual = symbolHash((await decodeObject(bytes, file)).manifest);
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
 * @throws {VerificationError} naming the corrupt object; {MissingInputError} for a missing one.
 */
export async function buildPack(
  ws: Workspace,
  options: { hooks?: Hooks } = {},
): Promise<PackResult> {
  const records = await collectPackRecords(ws);
  const { pack, lut } = await encodePack(records);
  const files = packFiles(ws);
  const result = { objects: records.length, packBytes: pack.length, lutBytes: lut.length };
  if (await unchanged(files.pack, pack, files.lut, lut)) return { ...result, written: false };
  await Deno.mkdir(ws.pack, { recursive: true });
  await writeFileAtomic(files.pack, pack, { label: "pack", hooks: options.hooks });
  await writeFileAtomic(files.lut, lut, { label: "pack-lut", hooks: options.hooks });
  return { ...result, written: true };
}

async function unchanged(
  packPath: string,
  pack: Uint8Array,
  lutPath: string,
  lut: Uint8Array,
): Promise<boolean> {
  const old = await Deno.readFile(lutPath).catch(() => undefined);
  if (!old || !sameBytes(old, lut)) return false;
  const oldPack = await Deno.readFile(packPath).catch(() => undefined);
  return !!oldPack && sameBytes(oldPack, pack);
}
