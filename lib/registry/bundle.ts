/**
 * The air-gap bundle format: one file carrying the pack, its LUT, the index
 * and the exporter's trust-root chain, with a signed bundle index listing
 * every entry's size and sha256 (written by `export_bundle.ts`, imported by
 * `import_bundle.ts`).
 *
 * File layout: `"RTTB"`, u32 version 1 (little-endian), a zip archive
 * (fflate), sha256 of everything before it (32 bytes). The trailing checksum
 * makes any changed byte detectable even where the zip format would not
 * notice (timestamps, comments); the signature makes the content
 * attributable.
 *
 * Opening checks everything that needs no trust decision, in memory: the
 * frame and its checksum, entry names (no path may escape) and declared
 * sizes before decompressing, the bundle index against its schema, and every
 * entry's size and sha256 against the index.
 *
 * @module
 */
import {
  canonicalBytes,
  InputError,
  type KeyPair,
  sha256Hex,
  type SignatureBlock,
  signPayload,
  VerificationError,
} from "../core/mod.ts";
import { parseInternalJson } from "../config/mod.ts";

/** Bundle format version. */
export const BUNDLE_VERSION = 1;
const MAGIC = 0x42545452; // "RTTB" little-endian
const HEAD = 8;
const SUM = 32;
/** Largest bundle file import reads. */
export const MAX_BUNDLE_BYTES = 512 * 1024 * 1024;
/** Largest single entry import decompresses. */
export const MAX_ENTRY_BYTES = 256 * 1024 * 1024;
/** Largest total of decompressed entries. */
export const MAX_TOTAL_BYTES = 1024 * 1024 * 1024;

/** Paths of the fixed entries of a bundle. */
export const BUNDLE_ENTRIES = {
  /** The packfile. */
  pack: "registry/pack/agents.pack",
  /** The pack's lookup table. */
  lut: "registry/pack/index.lut",
  /** The exporter's registry index. */
  index: "registry/index.json",
  /** The signed bundle index. */
  bundleIndex: "bundle.json",
} as const;
const ROOT_ENTRY = /^registry\/trust\/root\.([1-9][0-9]{0,5})\.json$/;
const TRUST_PREFIX = "registry/trust/";

/** Path of the exporter's trust root version `v` inside a bundle. */
export function bundleRootEntry(v: number): string {
  return `${TRUST_PREFIX}root.${v}.json`;
}

/** True for any entry under the bundle's trust folder. */
export function isTrustEntry(path: string): boolean {
  return path.startsWith(TRUST_PREFIX);
}

/** The signed list of entries in a bundle (`schemas/rtt.bundle-index.schema.json`). */
export interface BundleIndex {
  /** The signed part (domain "bundle-index"). */
  signed: {
    _type: "rtt/bundle-index";
    bundle_version: 1;
    /** Every entry of the bundle except this index, by path, with its size and sha256. */
    entries: Array<{ path: string; size: number; sha256: string }>;
  };
  /** Exporter's signatures over `signed`. */
  signatures: SignatureBlock[];
}

/** Wraps zip bytes in the bundle frame (magic, version, trailing sha256). */
export async function frameBundle(zip: Uint8Array): Promise<Uint8Array> {
  const out = new Uint8Array(HEAD + zip.length + SUM);
  const v = new DataView(out.buffer);
  v.setUint32(0, MAGIC, true);
  v.setUint32(4, BUNDLE_VERSION, true);
  out.set(zip, HEAD);
  out.set(
    Uint8Array.fromHex(await sha256Hex(out.subarray(0, HEAD + zip.length))),
    HEAD + zip.length,
  );
  return out;
}

/** Builds the bundle bytes from entry files, signing the bundle index with `key`. */
export async function encodeBundle(
  files: ReadonlyMap<string, Uint8Array>,
  key: KeyPair,
): Promise<Uint8Array> {
  const { zipSync } = await import("fflate");
  const entries = await Promise.all(
    [...files.keys()].sort().map(async (path) => ({
      path,
      size: files.get(path)!.length,
      sha256: `sha256:${await sha256Hex(files.get(path)!)}`,
    })),
  );
  const signed = { _type: "rtt/bundle-index" as const, bundle_version: 1 as const, entries };
  const index: BundleIndex = {
    signed,
    signatures: [await signPayload(key, "bundle-index", signed)],
  };
  const zipInput: Record<string, [Uint8Array, { level: 0 | 6 }]> = {
    [BUNDLE_ENTRIES.bundleIndex]: [canonicalBytes(index), { level: 6 }],
  };
  for (const [path, bytes] of files) zipInput[path] = [bytes, { level: 6 }];
  // A fixed mtime keeps equal registries byte-identical as bundles.
  return await frameBundle(zipSync(zipInput, { mtime: new Date("1980-01-01T00:00:00Z") }));
}

const FIXED = new Set<string>(Object.values(BUNDLE_ENTRIES));

/** Why an entry name is refused, or undefined when it is an expected entry. */
function entryProblem(name: string): string | undefined {
  if (
    name.startsWith("/") || name.includes("\\") || name.includes("\0") ||
    /^[a-zA-Z]:/.test(name) || name.split("/").some((s) => s === ".." || s === "." || s === "")
  ) return `entry "${name}" escapes the workspace (absolute path, ".." or backslash)`;
  if (FIXED.has(name) || ROOT_ENTRY.test(name)) return undefined;
  return `entry "${name}" is not part of an RTT bundle`;
}

/** A bundle whose structure, checksums and entry hashes are verified (signatures not yet). */
export interface OpenedBundle {
  /** The bundle index (signature not yet checked). */
  index: BundleIndex;
  /** Entry bytes by path, each matching its listed size and sha256. */
  files: Map<string, Uint8Array>;
}

/**
 * Parses and checks bundle bytes: frame, checksum, entry names and sizes,
 * the bundle index and every entry's size and sha256. Signatures are the
 * caller's to check (they depend on the receiver's trust).
 * @throws {VerificationError} on a checksum, name or hash failure (exit 77);
 * {InputError} / {SchemaError} when the bytes are not a bundle (exit 65).
 */
export async function openBundle(bytes: Uint8Array, name: string): Promise<OpenedBundle> {
  const what = `bundle "${name}"`;
  await checkFrame(bytes, what);
  const files = await unzipEntries(bytes.subarray(HEAD, bytes.length - SUM), what);
  const indexBytes = files[BUNDLE_ENTRIES.bundleIndex];
  if (!indexBytes) {
    throw new InputError(`Cannot read ${what}: no "${BUNDLE_ENTRIES.bundleIndex}" entry`);
  }
  const index = await parseInternalJson<BundleIndex>(indexBytes, "bundleIndex", {
    display: `${name}:${BUNDLE_ENTRIES.bundleIndex}`,
  });
  const out = await checkListedEntries(index, files, what);
  for (const need of [BUNDLE_ENTRIES.pack, BUNDLE_ENTRIES.lut, BUNDLE_ENTRIES.index]) {
    if (!out.has(need)) throw new InputError(`Cannot read ${what}: no "${need}" entry`);
  }
  return { index, files: out };
}

async function checkFrame(bytes: Uint8Array, what: string): Promise<void> {
  if (bytes.length < HEAD + SUM) {
    throw new InputError(`Cannot read ${what}: ${bytes.length} bytes is too short`);
  }
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (v.getUint32(0, true) !== MAGIC) {
    throw new InputError(`Cannot read ${what}: not an RTT bundle (bad magic)`);
  }
  if (v.getUint32(4, true) !== BUNDLE_VERSION) {
    throw new InputError(`Cannot read ${what}: unsupported version ${v.getUint32(4, true)}`);
  }
  const sum = Uint8Array.fromHex(await sha256Hex(bytes.subarray(0, bytes.length - SUM)));
  const trailer = bytes.subarray(bytes.length - SUM);
  if (sum.some((b, i) => b !== trailer[i])) {
    throw new VerificationError(
      `Refusing ${what}: its trailing checksum does not match (corrupt or truncated)`,
    );
  }
}

// Names and declared sizes are checked before anything is decompressed.
async function unzipEntries(zip: Uint8Array, what: string): Promise<Record<string, Uint8Array>> {
  const { unzipSync } = await import("fflate");
  const refused: string[] = [];
  let total = 0;
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(zip, {
      filter: (f) => {
        const problem = entryProblem(f.name);
        if (problem) refused.push(problem);
        else if (f.originalSize > MAX_ENTRY_BYTES) {
          refused.push(
            `entry "${f.name}" declares ${f.originalSize} bytes (limit ${MAX_ENTRY_BYTES})`,
          );
        } else total += f.originalSize;
        if (total > MAX_TOTAL_BYTES) {
          refused.push(`entries exceed ${MAX_TOTAL_BYTES} bytes in total`);
        }
        return refused.length === 0;
      },
    });
  } catch (cause) {
    if (refused.length) throw new VerificationError(`Refusing ${what}: ${refused[0]}`);
    throw new InputError(
      `Cannot read ${what}: not a valid archive (${(cause as Error).message})`,
      { cause },
    );
  }
  if (refused.length) throw new VerificationError(`Refusing ${what}: ${refused[0]}`);
  return files;
}

// Every entry must be listed in the index with its exact size and hash, and nothing else present.
async function checkListedEntries(
  index: BundleIndex,
  files: Record<string, Uint8Array>,
  what: string,
): Promise<Map<string, Uint8Array>> {
  const out = new Map<string, Uint8Array>();
  for (const e of index.signed.entries) {
    const problem = entryProblem(e.path);
    if (problem || e.path === BUNDLE_ENTRIES.bundleIndex) {
      throw new VerificationError(
        `Refusing ${what}: bundle index lists ${problem ?? `"${e.path}"`}`,
      );
    }
    const data = files[e.path];
    if (!data) {
      throw new VerificationError(`Refusing ${what}: entry "${e.path}" is listed but missing`);
    }
    if (data.length !== e.size) {
      throw new VerificationError(
        `Refusing ${what}: entry "${e.path}" has ${data.length} bytes, its index says ${e.size}`,
      );
    }
    const h = `sha256:${await sha256Hex(data)}`;
    if (h !== e.sha256) {
      throw new VerificationError(
        `Refusing ${what}: entry "${e.path}" hashes to ${h}, its index says ${e.sha256}`,
      );
    }
    out.set(e.path, data);
  }
  for (const f of Object.keys(files)) {
    if (f !== BUNDLE_ENTRIES.bundleIndex && !out.has(f)) {
      throw new VerificationError(`Refusing ${what}: entry "${f}" is not in its signed index`);
    }
  }
  return out;
}
