/**
 * CAS objects: a manifest body and the signatures over it, stored once under
 * the manifest's content identity (`symbolHash`) as
 * `.rtt/registry/cas/sha256/<hex>.json`, in canonical JSON so the bytes of
 * an object are the same in the CAS, in a pack and in a bundle.
 *
 * @module
 */
import {
  canonicalBytes,
  globMatch,
  HASH_REF,
  type Hooks,
  relativePath,
  sha256HexSync,
  type SignatureBlock,
  signedMessage,
  VerificationError,
  verifyMessage,
  type Workspace,
} from "../core/mod.ts";
import {
  loadPanelConfig,
  type PanelConfig,
  parseInternalJson,
  type SymbolManifest,
} from "../config/mod.ts";
import { manifestBody } from "../symbols/mod.ts";
import { loadTrustRoot, type TrustRoot } from "../security/mod.ts";
import { InputError, MissingInputError } from "../core/mod.ts";
import { asFileError, isNotFound } from "../core/mod.ts";

/** One stored object. */
export interface RegistryObject {
  /** The manifest body (without `sign` and `$schema`). */
  manifest: SymbolManifest;
  /** Signatures in domain "manifest" over `manifest`; empty only where unsigned input is allowed. */
  signatures: SignatureBlock[];
}

/** Who may sign manifests and what unsigned input is allowed: the checks every reader applies. */
export interface SignaturePolicy {
  /** Verified trust root of the workspace. */
  trust: TrustRoot;
  /** panel.yaml `security.strict_manifests`. */
  strict: boolean;
  /** panel.yaml `security.allow_unsigned` (saddr globs). */
  allowUnsigned: string[];
  /** Keys trusted for manifests in addition to the trust root (`import --trust-key`). */
  extraKeys?: Map<string, Uint8Array>;
}

/** Loads the workspace's signature policy (trust root verified, panel.yaml validated). */
export async function loadSignaturePolicy(
  ws: Workspace,
  options: { panel?: PanelConfig; now?: Date; hooks?: Hooks } = {},
): Promise<SignaturePolicy> {
  const panel = options.panel ?? await loadPanelConfig(ws);
  const trust = await loadTrustRoot(ws, { now: options.now, hooks: options.hooks });
  return {
    trust,
    strict: panel.security.strict_manifests,
    allowUnsigned: panel.security.allow_unsigned ?? [],
  };
}

/** True when `saddr` may be stored or read without a trusted signature. */
export function unsignedAllowed(policy: SignaturePolicy, saddr: string): boolean {
  return !policy.strict || policy.allowUnsigned.some((g) => globMatch(g, saddr));
}

/** True when `keyId` is a key the policy trusts for manifests. */
export function trustedSigner(policy: SignaturePolicy, keyId: string): boolean {
  return !!policy.trust.signed.keys[keyId]?.roles.includes("manifests") ||
    !!policy.extraKeys?.has(keyId);
}

/** Hex part of a `sha256:<hex>` reference. @throws {InputError} when malformed. */
export function hashHex(hash: string): string {
  if (!HASH_REF.test(hash)) {
    throw new InputError(`Invalid object hash "${hash}": expected sha256:<64 lower-case hex>`);
  }
  return hash.slice(7);
}

/** Path of the CAS file of `hash`. */
export function objectPath(ws: Workspace, hash: string): string {
  return `${ws.cas}/${hashHex(hash)}.json`;
}

/** The stored bytes of an object: canonical JSON. */
export function encodeObject(obj: RegistryObject): Uint8Array {
  return canonicalBytes({ manifest: obj.manifest, signatures: obj.signatures });
}

/**
 * Parses stored object bytes (a CAS file, a pack record, a bundle record).
 * @throws {SchemaError} naming `display` and the position when they are not
 * a well-formed object (exit 65).
 */
export async function decodeObject(bytes: Uint8Array, display: string): Promise<RegistryObject> {
  return await parseInternalJson<RegistryObject>(bytes, "casObject", { display });
}

/** What {@linkcode verifyObject} checks an object against. */
export interface ObjectCheck {
  /** The `sha256:<hex>` the object is stored or requested under. */
  hash: string;
  /** Who may sign and what may be unsigned. */
  policy: SignaturePolicy;
  /** How messages name the object (e.g. `object ".rtt/registry/cas/sha256/ab.json"`). */
  what: string;
}

/**
 * Checks that `obj` is what `hash` names and that every signature on it is a
 * valid one by a key trusted for manifests; an object without signatures
 * passes only where the policy allows unsigned input.
 * @throws {VerificationError} naming `what`, the signer and the failure.
 */
export async function verifyObject(obj: RegistryObject, check: ObjectCheck): Promise<void> {
  const { hash, policy, what } = check;
  // One canonical serialisation serves both the hash and the signed message.
  const msg = signedMessage("manifest", manifestBody(obj.manifest));
  const actual = `sha256:${sha256HexSync(msg.subarray(PREFIX_LEN))}`;
  if (actual !== hash) {
    throw new VerificationError(
      `${what} is corrupt: its manifest hashes to ${actual}, not ${hash}`,
    );
  }
  const label = `${what} (${obj.manifest.saddr}@${obj.manifest.version})`;
  if (!obj.signatures.length) {
    if (unsignedAllowed(policy, obj.manifest.saddr)) return;
    throw new VerificationError(
      `${label} is unsigned and strict_manifests is on (not in security.allow_unsigned)`,
    );
  }
  for (const sig of obj.signatures) await verifyPolicySignature(policy, msg, sig, label);
}

/**
 * Verifies one signature over an already built signed message: the signer
 * must be a key the trust root grants "manifests" or, only when the trust
 * root does not know it, a key given with `import --trust-key`. The one rule
 * for objects, manifests and bundle indexes.
 * @throws {VerificationError} naming `what`, the signer and the failure.
 */
export async function verifyPolicySignature(
  policy: SignaturePolicy,
  message: Uint8Array,
  sig: SignatureBlock,
  what: string,
): Promise<void> {
  if (!sig || typeof sig !== "object" || typeof sig.key_id !== "string") {
    throw new VerificationError(`${what} has a malformed signature entry`);
  }
  const key = policy.trust.signed.keys[sig.key_id];
  const extra = key ? undefined : policy.extraKeys?.get(sig.key_id);
  if (!key && !extra) {
    throw new VerificationError(
      `${what} is signed by unknown key ${sig.key_id} (not in trust root v${policy.trust.signed.version})`,
    );
  }
  if (key && !key.roles.includes("manifests")) {
    throw new VerificationError(
      `${what} is signed by ${sig.key_id}, which is not trusted for role "manifests" (roles: ${
        key.roles.join(", ")
      })`,
    );
  }
  if (!(await verifyMessage(extra ?? Uint8Array.fromBase64(key!.public), message, sig))) {
    throw new VerificationError(`${what} has an invalid signature by ${sig.key_id}`);
  }
}

const PREFIX_LEN = signedMessage("manifest", null).length - "null".length;
/** Verifies one manifest signature against the policy's trusted keys. */
export async function verifySignature(
  manifest: SymbolManifest,
  sig: SignatureBlock,
  options: { policy: SignaturePolicy; what: string },
): Promise<void> {
  const msg = signedMessage("manifest", manifestBody(manifest));
  await verifyPolicySignature(options.policy, msg, sig, options.what);
}

/**
 * Whether the CAS file of `hash` exists and still holds a manifest with that
 * hash (signatures not checked). Writers use it to tell "already stored"
 * from "stored but damaged", which they rewrite.
 */
export async function objectIntact(ws: Workspace, hash: string): Promise<boolean> {
  try {
    const obj = await decodeObject(await Deno.readFile(objectPath(ws, hash)), hash);
    return sha256HexSync(canonicalBytes(manifestBody(obj.manifest))) === hashHex(hash);
  } catch {
    return false;
  }
}

/**
 * The bytes of the CAS object `hash`, with its file name for messages.
 * @throws {MissingInputError} with `missing` as its message when there is no such file.
 */
export async function readObjectFile(
  ws: Workspace,
  hash: string,
  missing: string,
): Promise<{ bytes: Uint8Array; file: string; what: string }> {
  const path = objectPath(ws, hash);
  const file = relativePath(ws.root, path);
  try {
    return { bytes: await Deno.readFile(path), file, what: `object "${file}"` };
  } catch (err) {
    if (isNotFound(err)) throw new MissingInputError(missing, { file, cause: err });
    throw asFileError(err, file, "Cannot read");
  }
}

/**
 * Reads the CAS object `hash` and verifies it (hash and signatures). What
 * the planner binds symbols with: a manifest from here is exactly the
 * content the hash names, signed by a trusted key.
 * @throws {MissingInputError} when absent; {VerificationError} when it fails a check;
 * {SchemaError} when the file is not a well-formed object.
 */
export async function readObject(
  ws: Workspace,
  hash: string,
  options: {
    policy?: SignaturePolicy;
    /**
     * The index entry that named `hash`. The index is not signed, so whoever
     * reads an object through it must check the object is that symbol.
     */
    expect?: { saddr: string; version: string };
  } = {},
): Promise<RegistryObject> {
  const { bytes, file, what } = await readObjectFile(
    ws,
    hash,
    `No object ${hash} in the registry`,
  );
  const obj = await decodeObject(bytes, file);
  await verifyObject(obj, {
    hash,
    policy: options.policy ?? await loadSignaturePolicy(ws),
    what,
  });
  const want = options.expect;
  if (want && (obj.manifest.saddr !== want.saddr || obj.manifest.version !== want.version)) {
    throw new VerificationError(
      `Registry index maps ${want.saddr}@${want.version} to ${hash}, but ${what} holds ${obj.manifest.saddr}@${obj.manifest.version}: run "rtt-deno registry verify"`,
    );
  }
  return obj;
}
