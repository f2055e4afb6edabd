/**
 * Changes to the trust root that people make: trust or untrust a key, rotate
 * a signing key, renew before (or after) expiry, and list what is trusted.
 * Every change goes through {@linkcode updateTrustRoot}, so it becomes version
 * N+1 signed by a threshold of version N's root keys and never skips a check.
 *
 * @module
 */
import { compareStrings, type Hooks, VerificationError, type Workspace } from "../core/mod.ts";
import {
  generateKey,
  listKeyNames,
  loadKey,
  privateKeyPath,
  publicKeyPath,
  readPublicKeyFile,
} from "./keys.ts";
import { loadTrustRoot, type Role, ROLES, type TrustRoot, updateTrustRoot } from "./trust.ts";
import type { KeyPair } from "../core/mod.ts";
import { MissingInputError } from "../core/mod.ts";
import { UsageError } from "../core/mod.ts";

/** Signing options shared by every trust change. */
export interface TrustChangeOptions {
  /** Names of the workspace keys that sign the new version (default: ["default"]). */
  signWith?: string[];
  /** Clock (tests). */
  now?: Date;
  /** Test hooks for the trust-root writes. */
  hooks?: Hooks;
}

async function signers(ws: Workspace, options: TrustChangeOptions): Promise<KeyPair[]> {
  const names = options.signWith?.length ? options.signWith : ["default"];
  return await Promise.all(names.map((n) => loadKey(ws, n)));
}

/** Checks role names given on a command line. @throws {UsageError} on an unknown role. */
export function parseRoles(roles: readonly string[]): Role[] {
  const out: Role[] = [];
  for (const r of roles.flatMap((x) => x.split(",")).map((x) => x.trim()).filter(Boolean)) {
    if (!(ROLES as readonly string[]).includes(r)) {
      throw new UsageError(`Unknown role "${r}": expected one of ${ROLES.join(", ")}`);
    }
    if (!out.includes(r as Role)) out.push(r as Role);
  }
  if (!out.length) throw new UsageError(`No role given: expected one of ${ROLES.join(", ")}`);
  return out;
}

/**
 * Trusts the public key in `pubFile` for `roles` (added to any roles it
 * already has). Returns the new trust root, or the current one unchanged
 * when the key already holds every role (nothing is written).
 */
export async function trustKey(
  ws: Workspace,
  pubFile: string,
  options: TrustChangeOptions & { roles: Role[]; name?: string },
): Promise<{ keyId: string; changed: boolean; root: TrustRoot }> {
  const { keyId, publicKey } = await readPublicKeyFile(pubFile);
  const current = await loadTrustRoot(ws, { now: options.now, hooks: options.hooks });
  const have = current.signed.keys[keyId]?.roles ?? [];
  if (options.roles.every((r) => have.includes(r))) {
    return { keyId, changed: false, root: current };
  }
  const root = await updateTrustRoot(
    ws,
    (body) => {
      const prev = body.keys[keyId];
      const roles = ROLES.filter((r) => options.roles.includes(r) || prev?.roles.includes(r));
      const name = options.name ?? prev?.name;
      body.keys[keyId] = { public: publicKey.toBase64(), roles, ...(name ? { name } : {}) };
    },
    await signers(ws, options),
    { now: options.now, hooks: options.hooks },
  );
  return { keyId, changed: true, root };
}

/**
 * Removes a key from the trust root (or only some of its roles).
 * @throws {Deno.errors.NotFound} when the key is not trusted; {VerificationError}
 * when the change would leave fewer root keys than the threshold.
 */
export async function untrustKey(
  ws: Workspace,
  keyId: string,
  options: TrustChangeOptions & { roles?: Role[] } = {},
): Promise<TrustRoot> {
  const current = await loadTrustRoot(ws, { now: options.now, hooks: options.hooks });
  const entry = current.signed.keys[keyId];
  if (!entry) {
    throw new MissingInputError(
      `Key ${keyId} is not in trust root v${current.signed.version} (see "rtt-deno keys list")`,
    );
  }
  return await updateTrustRoot(
    ws,
    (body) => {
      const left = options.roles ? entry.roles.filter((r) => !options.roles!.includes(r)) : [];
      if (left.length) body.keys[keyId] = { ...entry, roles: left };
      else delete body.keys[keyId];
    },
    await signers(ws, options),
    { now: options.now, hooks: options.hooks },
  );
}

/** What {@linkcode rotateKey} did. */
export interface RotateResult {
  /** Key id that was replaced. */
  oldKeyId: string;
  /** Key id of the fresh key now stored under the name. */
  newKeyId: string;
  /** Name the old private key was kept under. */
  retiredName: string;
  /** Trust root after the rotation. */
  root: TrustRoot;
}

/**
 * Replaces the key named `name` with a fresh one: the new key receives the
 * old key's roles; the old key loses the root role (it can no longer change
 * trust) and, with `revoke`, every role, so what only it signed stops
 * verifying. The new version is signed by the old key (threshold of version
 * N) and the new one. The old private key is kept as `<name>.retired-<id>`.
 */
export async function rotateKey(
  ws: Workspace,
  name = "default",
  options: { revoke?: boolean; now?: Date; hooks?: Hooks } = {},
): Promise<RotateResult> {
  const old = await loadKey(ws, name);
  const current = await loadTrustRoot(ws, { now: options.now, hooks: options.hooks });
  const entry = current.signed.keys[old.keyId];
  if (!entry) {
    throw new VerificationError(
      `Key "${name}" (${old.keyId}) is not in trust root v${current.signed.version}: nothing to rotate`,
    );
  }
  const tmpName = `${name}.rotating-${crypto.randomUUID().slice(0, 8)}`;
  const fresh = await generateKey(ws, tmpName, { hooks: options.hooks });
  let root: TrustRoot;
  try {
    root = await updateTrustRoot(
      ws,
      (body) => {
        body.keys[fresh.keyId] = {
          public: fresh.publicKey.toBase64(),
          roles: [...entry.roles],
          ...(entry.name ? { name: entry.name } : {}),
        };
        const kept = options.revoke ? [] : entry.roles.filter((r) => r !== "root");
        if (kept.length) body.keys[old.keyId] = { ...entry, roles: kept };
        else delete body.keys[old.keyId];
      },
      [old, fresh],
      { now: options.now, hooks: options.hooks },
    );
  } catch (err) {
    await Deno.remove(privateKeyPath(ws, tmpName)).catch(() => {});
    await Deno.remove(publicKeyPath(ws, tmpName)).catch(() => {});
    throw err;
  }
  const retiredName = `${name}.retired-${old.keyId.slice(8, 16)}`;
  await Deno.rename(privateKeyPath(ws, name), privateKeyPath(ws, retiredName));
  await Deno.rename(publicKeyPath(ws, name), publicKeyPath(ws, retiredName));
  await Deno.rename(privateKeyPath(ws, tmpName), privateKeyPath(ws, name));
  await Deno.rename(publicKeyPath(ws, tmpName), publicKeyPath(ws, name));
  return { oldKeyId: old.keyId, newKeyId: fresh.keyId, retiredName, root };
}

/**
 * Writes the next trust root version with the same keys and a fresh expiry.
 * Works on an expired root too (the only change an expired root accepts);
 * the chain, thresholds and anti-rollback are still checked.
 */
export async function renewTrustRoot(
  ws: Workspace,
  options: TrustChangeOptions = {},
): Promise<TrustRoot> {
  return await updateTrustRoot(ws, () => {}, await signers(ws, options), {
    now: options.now,
    allowExpired: true,
    hooks: options.hooks,
  });
}

/**
 * Sets how many root-key signatures the next trust-root change needs. The
 * change itself must meet both the old and the new threshold, so raising it
 * to 2 needs two root keys signing (`signWith`).
 * @throws {UsageError} below 1; {VerificationError} above the number of root keys
 * or when the signers do not meet a threshold.
 */
export async function setThreshold(
  ws: Workspace,
  threshold: number,
  options: TrustChangeOptions = {},
): Promise<TrustRoot> {
  if (!Number.isInteger(threshold) || threshold < 1) {
    throw new UsageError(`Invalid threshold "${threshold}": expected a whole number of at least 1`);
  }
  return await updateTrustRoot(
    ws,
    (body) => {
      body.threshold = threshold;
    },
    await signers(ws, options),
    { now: options.now, hooks: options.hooks },
  );
}

/** One trusted key as listed by {@linkcode listTrust}. */
export interface TrustedKeyInfo {
  /** The key's id in the trust root. */
  key_id: string;
  /** Name recorded with the key, when it has one. */
  name?: string;
  /** What the key may sign. */
  roles: Role[];
  /** Name of the private key in this workspace, when it holds one. */
  local?: string;
}

/** The verified trust root summarised for `keys list`. */
export async function listTrust(
  ws: Workspace,
  options: { now?: Date } = {},
): Promise<{ version: number; expires: string; threshold: number; keys: TrustedKeyInfo[] }> {
  const root = await loadTrustRoot(ws, options);
  const local = new Map<string, string>();
  for (const n of await listKeyNames(ws)) {
    try {
      local.set((await readPublicKeyFile(publicKeyPath(ws, n))).keyId, n);
    } catch { /* a private key without a readable public half is simply not matched */ }
  }
  const keys = Object.entries(root.signed.keys).sort(([a], [b]) => compareStrings(a, b)).map((
    [id, k],
  ) => ({
    key_id: id,
    ...(k.name ? { name: k.name } : {}),
    roles: k.roles,
    ...(local.has(id) ? { local: local.get(id) } : {}),
  }));
  return {
    version: root.signed.version,
    expires: root.signed.expires,
    threshold: root.signed.threshold,
    keys,
  };
}
