/**
 * Signing keys and the trust root: who may sign manifests and plans. Every
 * change to the trust root writes version N+1, signed by the workspace keys
 * named in `signWith` (default: `default`), under the workspace lock.
 *
 * @module
 */
import { relativePath, type Workspace } from "../core/mod.ts";
import * as security from "../security/mod.ts";
import { underWorkspaceLock } from "./_lock.ts";
import type { WriteOptions } from "./stage_event.ts";

export { type Role, ROLES, type TrustedKeyInfo } from "../security/mod.ts";

/** Options every trust-root change accepts. */
export interface TrustChangeOptions extends WriteOptions {
  /** Workspace key names that sign the new version (default: `["default"]`). */
  signWith?: string[];
}

/** Options for {@linkcode generateKey}. */
export interface GenerateKeyOptions extends WriteOptions {
  /** Key name (default `default`). */
  name?: string;
}

/** The key {@linkcode generateKey} created. */
export interface GenerateKeyReport {
  /** Key name. */
  name: string;
  /** Its key id. */
  keyId: string;
  /** Its public key file, relative to the workspace (the half to share). */
  publicKeyFile: string;
}

/**
 * Creates an Ed25519 key pair in `.rtt/keys/` (private key mode 600). It is
 * not trusted for anything until {@linkcode trustKey} trusts it.
 * @throws {IoError} when a key of that name exists.
 */
export async function generateKey(
  ws: Workspace,
  options: GenerateKeyOptions = {},
): Promise<GenerateKeyReport> {
  const name = options.name ?? security.DEFAULT_KEY;
  // The lock file lives in .rtt/, which may not exist yet; same mode as the key folder gets.
  await Deno.mkdir(ws.keys, { recursive: true, mode: 0o700 });
  const pair = await underWorkspaceLock(
    ws,
    "keys gen",
    () => security.generateKey(ws, name, { hooks: options.hooks }),
    {
      hooks: options.hooks,
    },
  );
  return {
    name,
    keyId: pair.keyId,
    publicKeyFile: relativePath(ws.root, security.publicKeyPath(ws, name)),
  };
}

/** The verified trust root as {@linkcode listKeys} summarises it. */
export interface KeyListReport {
  /** Trust root version. */
  version: number;
  /** Expiry (ISO 8601). */
  expires: string;
  /** Root-key signatures a trust-root change needs. */
  threshold: number;
  /** Trusted keys, sorted by key id. */
  keys: security.TrustedKeyInfo[];
}

/**
 * Lists the keys the verified trust root trusts, with their roles and the
 * local key name for those this workspace holds.
 * @throws {VerificationError} when the trust root does not verify.
 */
export async function listKeys(ws: Workspace): Promise<KeyListReport> {
  return await security.listTrust(ws);
}

/** Options for {@linkcode trustKey}. */
export interface TrustKeyOptions extends TrustChangeOptions {
  /** Public key file (`*.pub.json` or raw base64), absolute or relative to the current folder. */
  publicKeyFile: string;
  /** Roles to grant (added to any the key already has). */
  roles: security.Role[];
  /** Label stored with the key. */
  name?: string;
}

/** What {@linkcode trustKey} did. */
export interface TrustKeyReport {
  /** Key id of the trusted key. */
  keyId: string;
  /** False when the key already held every role (nothing written). */
  changed: boolean;
  /** Trust root version now in force. */
  version: number;
  /** Every role the key now holds. */
  roles: security.Role[];
}

/** Trusts a public key for roles (trust root version N+1, unless nothing changes). */
export async function trustKey(ws: Workspace, options: TrustKeyOptions): Promise<TrustKeyReport> {
  const r = await underWorkspaceLock(
    ws,
    "keys trust",
    () =>
      security.trustKey(ws, options.publicKeyFile, {
        roles: options.roles,
        name: options.name,
        signWith: options.signWith,
        hooks: options.hooks,
      }),
    { hooks: options.hooks },
  );
  return {
    keyId: r.keyId,
    changed: r.changed,
    version: r.root.signed.version,
    roles: r.root.signed.keys[r.keyId].roles,
  };
}

/** Options for {@linkcode untrustKey}. */
export interface UntrustKeyOptions extends TrustChangeOptions {
  /** Key id as {@linkcode listKeys} shows it. */
  keyId: string;
  /** Remove only these roles (default: every role, i.e. the key). */
  roles?: security.Role[];
}

/** What {@linkcode untrustKey} left. */
export interface UntrustKeyReport {
  /** Key id concerned. */
  keyId: string;
  /** Trust root version written. */
  version: number;
  /** Roles the key keeps (empty: no longer trusted). */
  roles: security.Role[];
}

/**
 * Removes a key, or some of its roles, from the trust root.
 * @throws {MissingInputError} when the key is not trusted; {VerificationError}
 * when fewer root keys than the threshold would be left.
 */
export async function untrustKey(
  ws: Workspace,
  options: UntrustKeyOptions,
): Promise<UntrustKeyReport> {
  const root = await underWorkspaceLock(
    ws,
    "keys untrust",
    () =>
      security.untrustKey(ws, options.keyId, {
        roles: options.roles,
        signWith: options.signWith,
        hooks: options.hooks,
      }),
    { hooks: options.hooks },
  );
  return {
    keyId: options.keyId,
    version: root.signed.version,
    roles: root.signed.keys[options.keyId]?.roles ?? [],
  };
}

/** Options for {@linkcode rotateKey}. */
export interface RotateKeyOptions extends WriteOptions {
  /** Name of the key to rotate (default `default`). */
  name?: string;
  /** Drop every role of the old key, so what only it signed stops verifying. */
  revoke?: boolean;
}

/** What {@linkcode rotateKey} did. */
export interface RotateKeyReport {
  /** Key name, now holding the fresh key. */
  name: string;
  /** Key id replaced. */
  oldKeyId: string;
  /** Key id of the fresh key. */
  newKeyId: string;
  /** Name the old private key is kept under. */
  retiredName: string;
  /** Whether the old key lost every role. */
  revoked: boolean;
  /** Trust root version written. */
  version: number;
}

/**
 * Replaces a key with a fresh one that takes over its roles; the old key
 * keeps only its non-root roles, or none with `revoke`.
 * @throws {VerificationError} when the key is not in the trust root.
 */
export async function rotateKey(
  ws: Workspace,
  options: RotateKeyOptions = {},
): Promise<RotateKeyReport> {
  const name = options.name ?? security.DEFAULT_KEY;
  const r = await underWorkspaceLock(
    ws,
    "keys rotate",
    () => security.rotateKey(ws, name, { revoke: options.revoke, hooks: options.hooks }),
    { hooks: options.hooks },
  );
  return {
    name,
    oldKeyId: r.oldKeyId,
    newKeyId: r.newKeyId,
    retiredName: r.retiredName,
    revoked: !!options.revoke,
    version: r.root.signed.version,
  };
}

/** Options for {@linkcode setThreshold}. */
export interface SetThresholdOptions extends TrustChangeOptions {
  /** Root-key signatures a trust-root change needs (at least 1, at most the root keys). */
  threshold: number;
}

/** The trust root after {@linkcode setThreshold} or {@linkcode renewTrustRoot}. */
export interface TrustRootReport {
  /** Trust root version written. */
  version: number;
  /** Its threshold. */
  threshold: number;
  /** Its expiry (ISO 8601). */
  expires: string;
}

/**
 * Sets how many root-key signatures a trust-root change needs. The change
 * must meet the old and the new threshold, so raising it takes that many
 * keys in `signWith`.
 * @throws {UsageError} below 1; {VerificationError} above the number of root
 * keys or when the signers do not meet a threshold.
 */
export async function setThreshold(
  ws: Workspace,
  options: SetThresholdOptions,
): Promise<TrustRootReport> {
  const root = await underWorkspaceLock(
    ws,
    "keys threshold",
    () =>
      security.setThreshold(ws, options.threshold, {
        signWith: options.signWith,
        hooks: options.hooks,
      }),
    { hooks: options.hooks },
  );
  return trustRootReport(root);
}

/**
 * Extends the trust root's expiry (version N+1 with the same keys). Works on
 * an expired root too.
 */
export async function renewTrustRoot(
  ws: Workspace,
  options: TrustChangeOptions = {},
): Promise<TrustRootReport> {
  const root = await underWorkspaceLock(
    ws,
    "keys renew",
    () => security.renewTrustRoot(ws, { signWith: options.signWith, hooks: options.hooks }),
    { hooks: options.hooks },
  );
  return trustRootReport(root);
}

function trustRootReport(root: security.TrustRoot): TrustRootReport {
  return {
    version: root.signed.version,
    threshold: root.signed.threshold,
    expires: root.signed.expires,
  };
}
