/**
 * Air-gap bundles: one file carrying the pack, its LUT, the index and the
 * exporter's trust-root chain, with a signed bundle index listing every
 * entry's size and sha256.
 *
 * File layout: `"RTTB"`, u32 version 1 (little-endian), a zip archive
 * (fflate), sha256 of everything before it (32 bytes). The trailing checksum
 * makes any changed byte detectable even where the zip format would not
 * notice (timestamps, comments); the signature makes the content
 * attributable.
 *
 * Import verifies everything in memory before writing anything: the file
 * size before reading it, entry names (no path may escape) and declared
 * sizes before decompressing, entry sizes before hashing, every object
 * re-hashed and its signatures checked against the receiving trust root (or
 * the key given). One bad byte changes nothing on disk.
 *
 * @module
 */
import {
  canonicalBytes,
  fromHex,
  type Hooks,
  type KeyPair,
  sha256Hex,
  type SignatureBlock,
  signedMessage,
  signPayload,
  toBase64,
  VerificationError,
  type Workspace,
  writeFileAtomic,
} from "../core/mod.ts";
import { readPublicKeyFile, trustKey, type TrustRoot, verifyTrustChain } from "../security/mod.ts";
import {
  decodeObject,
  encodeObject,
  loadSignaturePolicy,
  objectIntact,
  objectPath,
  type SignaturePolicy,
  verifyObject,
  verifyPolicySignature,
} from "./object.ts";
import {
  indexEntries,
  parseIndex,
  readIndexFile,
  type RegistryIndexFile,
  writeIndex,
} from "./registry_index.ts";
import { collectPackRecords, encodePack, Pack } from "./pack.ts";
import { writeFilesDurably } from "./_durable.ts";
import { InputError } from "../core/mod.ts";

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

const PACK = "registry/pack/agents.pack";
const LUT = "registry/pack/index.lut";
const INDEX = "registry/index.json";
const INDEX_ENTRY = "bundle.json";
const ROOT_ENTRY = /^registry\/trust\/root\.([1-9][0-9]{0,5})\.json$/;

/** The signed list of entries in a bundle. */
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
  out.set(fromHex(await sha256Hex(out.subarray(0, HEAD + zip.length))), HEAD + zip.length);
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
    [INDEX_ENTRY]: [canonicalBytes(index), { level: 6 }],
  };
  for (const [path, bytes] of files) zipInput[path] = [bytes, { level: 6 }];
  // A fixed mtime keeps equal registries byte-identical as bundles.
  return await frameBundle(zipSync(zipInput, { mtime: new Date("1980-01-01T00:00:00Z") }));
}

/** Why an entry name is refused, or undefined when it is an expected entry. */
function entryProblem(name: string): string | undefined {
  if (
    name.startsWith("/") || name.includes("\\") || name.includes("\0") ||
    /^[a-zA-Z]:/.test(name) || name.split("/").some((s) => s === ".." || s === "." || s === "")
  ) return `entry "${name}" escapes the workspace (absolute path, ".." or backslash)`;
  if (name === INDEX_ENTRY || name === PACK || name === LUT || name === INDEX) return undefined;
  if (ROOT_ENTRY.test(name)) return undefined;
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
 * @throws {VerificationError} on a checksum, name or hash failure;
 * {SyntaxError} when the bytes are not a bundle.
 */
export async function openBundle(bytes: Uint8Array, name: string): Promise<OpenedBundle> {
  const what = `bundle "${name}"`;
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
  const sum = fromHex(await sha256Hex(bytes.subarray(0, bytes.length - SUM)));
  const trailer = bytes.subarray(bytes.length - SUM);
  if (sum.some((b, i) => b !== trailer[i])) {
    throw new VerificationError(
      `Refusing ${what}: its trailing checksum does not match (corrupt or truncated)`,
    );
  }
  const { unzipSync } = await import("fflate");
  const refused: string[] = [];
  let total = 0;
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(bytes.subarray(HEAD, bytes.length - SUM), {
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
  const indexBytes = files[INDEX_ENTRY];
  if (!indexBytes) throw new InputError(`Cannot read ${what}: no "${INDEX_ENTRY}" entry`);
  let index: BundleIndex;
  try {
    index = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(indexBytes));
  } catch (cause) {
    throw new InputError(`Cannot parse "${INDEX_ENTRY}" of ${what}: malformed JSON`, { cause });
  }
  const s = index?.signed;
  if (
    s?._type !== "rtt/bundle-index" || s.bundle_version !== 1 || !Array.isArray(s.entries) ||
    !Array.isArray(index.signatures)
  ) {
    throw new InputError(
      `Cannot parse "${INDEX_ENTRY}" of ${what}: expected {signed: {_type, bundle_version, entries}, signatures}`,
    );
  }
  const out = new Map<string, Uint8Array>();
  const listed = new Set<string>();
  for (const e of s.entries) {
    if (typeof e?.path !== "string" || !Number.isInteger(e.size) || typeof e.sha256 !== "string") {
      throw new InputError(
        `Cannot parse "${INDEX_ENTRY}" of ${what}: bad entry ${JSON.stringify(e)}`,
      );
    }
    const problem = entryProblem(e.path);
    if (problem || e.path === INDEX_ENTRY) {
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
    listed.add(e.path);
    out.set(e.path, data);
  }
  for (const f of Object.keys(files)) {
    if (f !== INDEX_ENTRY && !listed.has(f)) {
      throw new VerificationError(`Refusing ${what}: entry "${f}" is not in its signed index`);
    }
  }
  for (const need of [PACK, LUT, INDEX]) {
    if (!out.has(need)) throw new InputError(`Cannot read ${what}: no "${need}" entry`);
  }
  return { index, files: out };
}

/** What {@linkcode exportBundle} wrote. */
export interface ExportResult {
  /** Bundle written. */
  file: string;
  /** Objects in it. */
  objects: number;
  /** Its size. */
  bytes: number;
  /** Highest trust-root version in its chain. */
  trustVersion: number;
  /** Key id that signed the bundle index. */
  signer: string;
}

/**
 * Writes a bundle of every indexed object (verified first), the index and
 * the trust-root chain, signed with `key`.
 */
export async function exportBundle(
  ws: Workspace,
  file: string,
  options: { key: KeyPair; policy?: SignaturePolicy; hooks?: Hooks },
): Promise<ExportResult> {
  const policy = options.policy ?? await loadSignaturePolicy(ws);
  const records = await collectPackRecords(ws);
  for (const r of records) {
    const what = `object ${r.hash}`;
    await verifyObject(decodeObject(r.bytes, what), { hash: r.hash, policy, what });
  }
  const { pack, lut } = await encodePack(records);
  const files = new Map<string, Uint8Array>([[PACK, pack], [LUT, lut]]);
  files.set(INDEX, canonicalBytes(await readIndexFile(ws)));
  for (let v = 1; v <= policy.trust.signed.version; v++) {
    files.set(`registry/trust/root.${v}.json`, await Deno.readFile(`${ws.trust}/root.${v}.json`));
  }
  const bytes = await encodeBundle(files, options.key);
  await writeFileAtomic(file, bytes, { label: "bundle", hooks: options.hooks });
  return {
    file,
    objects: records.length,
    bytes: bytes.length,
    trustVersion: policy.trust.signed.version,
    signer: options.key.keyId,
  };
}

/** What {@linkcode importBundle} did. */
export interface ImportResult {
  /** Objects in the bundle (all verified). */
  objects: number;
  /** Objects newly written. */
  added: number;
  /** Index entries added. */
  entriesAdded: number;
  /** Key newly trusted for manifests (from `trustKeyFile`), if any. */
  trusted?: string;
  /** Who signed the bundle. */
  signer: string;
}

async function verifyBundleSignature(
  index: BundleIndex,
  policy: SignaturePolicy,
  what: string,
): Promise<string> {
  const problems: string[] = [];
  const msg = signedMessage("bundle-index", index.signed);
  for (const sig of index.signatures) {
    try {
      await verifyPolicySignature(policy, msg, sig, what);
      return sig.key_id;
    } catch (err) {
      problems.push((err as Error).message);
    }
  }
  throw new VerificationError(problems[0] ?? `${what} is unsigned`);
}

/**
 * Imports a bundle: verify everything, then write the missing objects, trust
 * `trustKeyFile` for manifests if asked and needed, and merge the index.
 * Importing the same bundle again writes nothing.
 * @throws {VerificationError} (exit 77) or {SyntaxError} (65) before any write.
 */
export async function importBundle(
  ws: Workspace,
  file: string,
  options: { trustKeyFile?: string; now?: Date; hooks?: Hooks } = {},
): Promise<ImportResult> {
  const name = file;
  const st = await Deno.stat(file);
  if (!st.isFile) throw new InputError(`Cannot read bundle "${name}": not a file`);
  if (st.size > MAX_BUNDLE_BYTES) {
    throw new VerificationError(
      `Refusing bundle "${name}": ${st.size} bytes exceeds the ${MAX_BUNDLE_BYTES}-byte limit`,
    );
  }
  const bytes = await Deno.readFile(file);
  const bundle = await openBundle(bytes, name);
  const what = `bundle "${name}"`;

  const policy = await loadSignaturePolicy(ws, { now: options.now, hooks: options.hooks });
  let extra: { keyId: string; publicKey: Uint8Array } | undefined;
  if (options.trustKeyFile) {
    extra = await readPublicKeyFile(options.trustKeyFile);
    policy.extraKeys = new Map([[extra.keyId, extra.publicKey]]);
  }
  const signer = await verifyBundleSignature(bundle.index, policy, what);

  // The exporter's trust chain must be intact and must vouch for the signer.
  const roots: TrustRoot[] = [];
  for (let v = 1; bundle.files.has(`registry/trust/root.${v}.json`); v++) {
    try {
      roots.push(
        JSON.parse(new TextDecoder().decode(bundle.files.get(`registry/trust/root.${v}.json`))),
      );
    } catch (cause) {
      throw new InputError(`Cannot parse trust root v${v} of ${what}`, { cause });
    }
  }
  const rootCount = [...bundle.files.keys()].filter((p) => /^registry\/trust\//.test(p)).length;
  if (rootCount !== roots.length) {
    throw new VerificationError(`Refusing ${what}: its trust-root chain has gaps`);
  }
  const exporterRoot = await verifyTrustChain(roots, `Trust root chain of ${what}`);
  const signerEntry = exporterRoot.signed.keys[signer];
  const verifiedWith = policy.trust.signed.keys[signer]?.public ??
    toBase64(policy.extraKeys!.get(signer)!);
  if (!signerEntry?.roles.includes("manifests") || signerEntry.public !== verifiedWith) {
    throw new VerificationError(
      `Refusing ${what}: signer ${signer} is not trusted for manifests by the bundle's own trust root v${exporterRoot.signed.version}`,
    );
  }

  const pack = await Pack.fromBytes(bundle.files.get(PACK)!, bundle.files.get(LUT)!, {
    names: { pack: `${name}:${PACK}`, lut: `${name}:${LUT}` },
  });
  let indexRaw: unknown;
  try {
    indexRaw = JSON.parse(new TextDecoder().decode(bundle.files.get(INDEX)));
  } catch (cause) {
    throw new InputError(`Cannot parse "${INDEX}" of ${what}: malformed JSON`, { cause });
  }
  const theirs = indexEntries(parseIndex(indexRaw, `"${INDEX}" of ${what}`));
  const objects = new Map<string, Uint8Array>();
  for (const hash of pack.hashes()) {
    const recWhat = `object ${hash} of ${what}`;
    const obj = decodeObject(pack.get(hash)!, recWhat);
    await verifyObject(obj, { hash, policy, what: recWhat });
    objects.set(hash, encodeObject(obj));
  }
  const local: RegistryIndexFile = await readIndexFile(ws);
  let entriesAdded = 0;
  for (const e of theirs) {
    const bytesOf = objects.get(e.hash);
    if (!bytesOf) {
      throw new VerificationError(
        `Refusing ${what}: its index names ${e.hash} for ${e.saddr}@${e.version}, which its pack lacks`,
      );
    }
    const m = decodeObject(bytesOf, e.hash).manifest;
    if (m.saddr !== e.saddr || m.version !== e.version) {
      throw new VerificationError(
        `Refusing ${what}: its index maps ${e.saddr}@${e.version} to an object holding ${m.saddr}@${m.version}`,
      );
    }
    const mine = local.symbols[e.saddr]?.[e.version];
    if (mine && mine !== e.hash) {
      throw new VerificationError(
        `Refusing ${what}: ${e.saddr}@${e.version} is ${e.hash} there but ${mine} here (registered versions are immutable)`,
      );
    }
    if (!mine) {
      (local.symbols[e.saddr] ??= {})[e.version] = e.hash;
      entriesAdded++;
    }
  }

  // Everything is verified. The trust change goes first: it is the step that can still be
  // refused (threshold of root signatures), and a refused import must write nothing. Then
  // objects, then the index, so the index never names a missing object.
  let trusted: string | undefined;
  if (
    extra && signer === extra.keyId &&
    !policy.trust.signed.keys[extra.keyId]?.roles.includes("manifests")
  ) {
    await trustKey(ws, options.trustKeyFile!, {
      roles: ["manifests"],
      now: options.now,
      hooks: options.hooks,
    });
    trusted = extra.keyId;
  }
  const writes: Array<[string, Uint8Array]> = [];
  for (const [hash, b] of objects) {
    if (!(await objectIntact(ws, hash))) writes.push([objectPath(ws, hash), b]);
  }
  await Deno.mkdir(ws.cas, { recursive: true });
  await writeFilesDurably(ws.cas, writes, { label: "cas-object", hooks: options.hooks });
  if (entriesAdded) await writeIndex(ws, local, options);
  return { objects: objects.size, added: writes.length, entriesAdded, trusted, signer };
}
