/**
 * `registry import`: brings a bundle (format in `bundle.ts`) into the
 * workspace in named steps, all in memory before anything is written:
 *
 * 1. open: frame, checksum, entry names and sizes, entry hashes
 *    ({@linkcode openBundle});
 * 2. verify origin: the signature over the bundle index, and the exporter's
 *    own trust-root chain vouching for that signer;
 * 3. verify contents: the pack, and every object in it re-hashed and its
 *    signatures checked against the receiving trust root (or the key given);
 * 4. plan the merge: which index entries are new, which objects are missing
 *    here, and refuse any entry that conflicts with what is registered;
 * 5. commit: trust the given key if needed, write the missing objects, then
 *    the index.
 *
 * One bad byte changes nothing on disk; importing the same bundle again
 * writes nothing.
 *
 * @module
 */
import {
  asFileError,
  type Hooks,
  InputError,
  signedMessage,
  VerificationError,
  type Workspace,
} from "../core/mod.ts";
import { parseInternalJson } from "../config/mod.ts";
import { readPublicKeyFile, trustKey, type TrustRoot, verifyTrustChain } from "../security/mod.ts";
import {
  BUNDLE_ENTRIES,
  type BundleIndex,
  bundleRootEntry,
  isTrustEntry,
  MAX_BUNDLE_BYTES,
  openBundle,
  type OpenedBundle,
} from "./bundle.ts";
import { writeFilesDurably } from "./_durable.ts";
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
import { Pack } from "./pack.ts";
import {
  indexEntries,
  type IndexEntry,
  readIndexFile,
  type RegistryIndexFile,
  writeIndex,
} from "./registry_index.ts";

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

/** Options of {@linkcode importBundle}. */
export interface ImportOptions {
  /** A public key file to trust for manifests when the bundle's signer is not yet trusted. */
  trustKeyFile?: string;
  /** Clock for trust-root expiry (tests). */
  now?: Date;
  /** Test hooks for the trust change and the object and index writes. */
  hooks?: Hooks;
}

/**
 * Imports a bundle: verify everything, then write the missing objects, trust
 * `trustKeyFile` for manifests if asked and needed, and merge the index.
 * Importing the same bundle again writes nothing.
 * @throws {VerificationError} (exit 77) or {InputError} (65) before any write.
 */
export async function importBundle(
  ws: Workspace,
  file: string,
  options: ImportOptions = {},
): Promise<ImportResult> {
  const bundle = await openBundle(await readBundleFile(file), file);
  const { policy, extra } = await receiverPolicy(ws, options);
  const signer = await verifyBundleOrigin(bundle, policy, file);
  const contents = await verifyBundleContents(bundle, policy, file);
  const merge = await planBundleMerge(ws, contents, `bundle "${file}"`);
  // --trust-key is written into the trust root only when it is what signed and is not trusted yet.
  const toTrust = extra && signer === extra.keyId &&
      !policy.trust.signed.keys[extra.keyId]?.roles.includes("manifests")
    ? extra.keyId
    : undefined;
  await commitBundleMerge(ws, merge, {
    trustKeyFile: toTrust && options.trustKeyFile,
    now: options.now,
    hooks: options.hooks,
  });
  return {
    objects: contents.objects.size,
    added: merge.writes.length,
    entriesAdded: merge.entriesAdded,
    trusted: toTrust,
    signer,
  };
}

async function readBundleFile(file: string): Promise<Uint8Array> {
  try {
    const st = await Deno.stat(file);
    if (!st.isFile) throw new InputError(`Cannot read bundle "${file}": not a file`);
    if (st.size > MAX_BUNDLE_BYTES) {
      throw new VerificationError(
        `Refusing bundle "${file}": ${st.size} bytes exceeds the ${MAX_BUNDLE_BYTES}-byte limit`,
      );
    }
    return await Deno.readFile(file);
  } catch (err) {
    throw asFileError(err, file, "Cannot read bundle");
  }
}

// The receiving workspace's signature rule, plus the key given with --trust-key.
async function receiverPolicy(
  ws: Workspace,
  options: ImportOptions,
): Promise<{ policy: SignaturePolicy; extra?: { keyId: string; publicKey: Uint8Array } }> {
  const policy = await loadSignaturePolicy(ws, { now: options.now, hooks: options.hooks });
  if (!options.trustKeyFile) return { policy };
  const extra = await readPublicKeyFile(options.trustKeyFile);
  policy.extraKeys = new Map([[extra.keyId, extra.publicKey]]);
  return { policy, extra };
}

/**
 * Step 2: the bundle index is signed by a key the receiver trusts for
 * manifests, and the exporter's own trust-root chain is intact and vouches
 * for that same key. Returns the signer's key id.
 * @throws {VerificationError} naming the failed check.
 */
async function verifyBundleOrigin(
  bundle: OpenedBundle,
  policy: SignaturePolicy,
  name: string,
): Promise<string> {
  const what = `bundle "${name}"`;
  const signer = await verifyBundleSignature(bundle.index, policy, what);
  const roots = await bundleRoots(bundle, name);
  const exporterRoot = await verifyTrustChain(roots, `Trust root chain of ${what}`);
  const signerEntry = exporterRoot.signed.keys[signer];
  const verifiedWith = policy.trust.signed.keys[signer]?.public ??
    policy.extraKeys!.get(signer)!.toBase64();
  if (!signerEntry?.roles.includes("manifests") || signerEntry.public !== verifiedWith) {
    throw new VerificationError(
      `Refusing ${what}: signer ${signer} is not trusted for manifests by the bundle's own trust root v${exporterRoot.signed.version}`,
    );
  }
  return signer;
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

// The exporter's trust roots v1..vN, consecutive, each a well-formed root.
async function bundleRoots(bundle: OpenedBundle, name: string): Promise<TrustRoot[]> {
  const roots: TrustRoot[] = [];
  for (let v = 1; bundle.files.has(bundleRootEntry(v)); v++) {
    roots.push(
      await parseInternalJson<TrustRoot>(bundle.files.get(bundleRootEntry(v))!, "trustRoot", {
        display: `${name}:${bundleRootEntry(v)}`,
      }),
    );
  }
  const rootCount = [...bundle.files.keys()].filter(isTrustEntry).length;
  if (rootCount !== roots.length) {
    throw new VerificationError(`Refusing bundle "${name}": its trust-root chain has gaps`);
  }
  return roots;
}

/** What a bundle holds, every object verified. */
interface BundleContents {
  /** Canonical object bytes by hash. */
  objects: Map<string, Uint8Array>;
  /** The exporter's index entries. */
  entries: IndexEntry[];
}

/**
 * Step 3: opens the bundle's pack and verifies every object in it (hash and
 * signatures, against the receiving policy); parses the exporter's index.
 * @throws {VerificationError} naming the object; {SchemaError} for a damaged entry.
 */
async function verifyBundleContents(
  bundle: OpenedBundle,
  policy: SignaturePolicy,
  name: string,
): Promise<BundleContents> {
  const what = `bundle "${name}"`;
  const { pack: PACK, lut: LUT, index: INDEX } = BUNDLE_ENTRIES;
  const pack = await Pack.fromBytes(bundle.files.get(PACK)!, bundle.files.get(LUT)!, {
    names: { pack: `${name}:${PACK}`, lut: `${name}:${LUT}` },
  });
  const index = await parseInternalJson<RegistryIndexFile>(
    bundle.files.get(INDEX)!,
    "registryIndex",
    { display: `${name}:${INDEX}` },
  );
  const objects = new Map<string, Uint8Array>();
  for (const hash of pack.hashes()) {
    const recWhat = `object ${hash} of ${what}`;
    const obj = await decodeObject(pack.get(hash)!, recWhat);
    await verifyObject(obj, { hash, policy, what: recWhat });
    objects.set(hash, encodeObject(obj));
  }
  return { objects, entries: indexEntries(index) };
}

/** What committing a bundle will write. */
interface BundleMerge {
  /** The local index with the bundle's new entries added. */
  index: RegistryIndexFile;
  /** Entries new here. */
  entriesAdded: number;
  /** Objects missing (or damaged) here: CAS path and bytes. */
  writes: Array<[string, Uint8Array]>;
}

/**
 * Step 4: every index entry of the bundle must name an object of its pack
 * holding that symbol version, and must not contradict a registered version
 * here (versions are immutable). Lists what is new.
 * @throws {VerificationError} naming the entry.
 */
async function planBundleMerge(
  ws: Workspace,
  contents: BundleContents,
  what: string,
): Promise<BundleMerge> {
  const index = await readIndexFile(ws);
  let entriesAdded = 0;
  for (const e of contents.entries) {
    const bytesOf = contents.objects.get(e.hash);
    if (!bytesOf) {
      throw new VerificationError(
        `Refusing ${what}: its index names ${e.hash} for ${e.saddr}@${e.version}, which its pack lacks`,
      );
    }
    const m = (await decodeObject(bytesOf, e.hash)).manifest;
    if (m.saddr !== e.saddr || m.version !== e.version) {
      throw new VerificationError(
        `Refusing ${what}: its index maps ${e.saddr}@${e.version} to an object holding ${m.saddr}@${m.version}`,
      );
    }
    const mine = index.symbols[e.saddr]?.[e.version];
    if (mine && mine !== e.hash) {
      throw new VerificationError(
        `Refusing ${what}: ${e.saddr}@${e.version} is ${e.hash} there but ${mine} here (registered versions are immutable)`,
      );
    }
    if (!mine) {
      (index.symbols[e.saddr] ??= {})[e.version] = e.hash;
      entriesAdded++;
    }
  }
  const writes: Array<[string, Uint8Array]> = [];
  for (const [hash, b] of contents.objects) {
    if (!(await objectIntact(ws, hash))) writes.push([objectPath(ws, hash), b]);
  }
  return { index, entriesAdded, writes };
}

/**
 * Step 5. The trust change goes first: it is the step that can still be
 * refused (threshold of root signatures), and a refused import must write
 * nothing. Then objects, then the index, so the index never names a missing
 * object.
 */
async function commitBundleMerge(
  ws: Workspace,
  merge: BundleMerge,
  options: { trustKeyFile?: string; now?: Date; hooks?: Hooks },
): Promise<void> {
  const { hooks } = options;
  if (options.trustKeyFile) {
    await trustKey(ws, options.trustKeyFile, { roles: ["manifests"], now: options.now, hooks });
  }
  await Deno.mkdir(ws.cas, { recursive: true });
  await writeFilesDurably(ws.cas, merge.writes, { label: "cas-object", hooks });
  if (merge.entriesAdded) await writeIndex(ws, merge.index, { hooks });
}
