/**
 * The trust root: a versioned, signed list of trusted public keys with their
 * roles and a signature threshold, modelled on TUF's root metadata.
 *
 * Version N+1 is only accepted when signed by a threshold of version N's
 * root keys and by a threshold of its own root keys, so a stolen workspace
 * cannot quietly swap the keys. Each version is kept as
 * `trust/root.<N>.json`; `trust/root.json` is the current one; the highest
 * version ever accepted is remembered in `trust/seen.json` so an older root
 * copied back over the new one is refused (anti-rollback).
 *
 * @module
 */
import {
  exists,
  type Hooks,
  type KeyPair,
  relativePath,
  type SignatureBlock,
  type SignatureDomain,
  signPayload,
  VerificationError,
  verifyPayload,
  type Workspace,
  writeJsonAtomic,
} from "../core/mod.ts";
import { InputError, IoError, isNotFound, MissingInputError, UsageError } from "../core/mod.ts";
import { readInternalJsonIfExists } from "../config/mod.ts";

/** What a key may sign. `root` keys sign new trust roots. */
export type Role = "root" | "manifests" | "plans";

/** Every role. */
export const ROLES: readonly Role[] = ["root", "manifests", "plans"];

/** The signed part of a trust root. */
export interface TrustRootBody {
  /** Document type tag (fixed; the schema refuses any other). */
  _type: "rtt/trust-root";
  /** 1 for the first root; each accepted change adds exactly 1. */
  version: number;
  /** ISO-8601 UTC instant after which the root is refused. */
  expires: string;
  /** Signatures of root-role keys needed to accept the next version. */
  threshold: number;
  /** Trusted keys by key id: base64 public key, its roles and optional name. */
  keys: Record<string, { public: string; roles: Role[]; name?: string }>;
}

/** A trust root with its signatures. */
export interface TrustRoot {
  /** The body the signatures cover. */
  signed: TrustRootBody;
  /** Signatures over `signed` by root-role keys, of this version and (after v1) the previous one. */
  signatures: SignatureBlock[];
}

/** Default validity of a new trust root version. */
export const TRUST_ROOT_LIFETIME_DAYS = 365;

function rootPath(ws: Workspace, version?: number): string {
  return version === undefined ? `${ws.trust}/root.json` : `${ws.trust}/root.${version}.json`;
}

async function readRoot(path: string, ws: Workspace): Promise<TrustRoot> {
  const display = relativePath(ws.root, path);
  const root = await readInternalJsonIfExists<TrustRoot>(path, "trustRoot", { display });
  if (!root) {
    throw new MissingInputError(`No trust root at "${display}": run "rtt-deno init"`, {
      file: display,
    });
  }
  return root;
}

/** Key ids of `body` holding `role`. */
export function keysWithRole(body: TrustRootBody, role: Role): string[] {
  return Object.entries(body.keys).filter(([, k]) => k.roles.includes(role)).map(([id]) => id)
    .sort();
}

/** Counts distinct valid signatures over `body` by root-role keys of `by`. */
async function countRootSignatures(by: TrustRootBody, root: TrustRoot): Promise<number> {
  const ok = new Set<string>();
  for (const sig of root.signatures) {
    const k = by.keys[sig.key_id];
    if (!k || !k.roles.includes("root") || ok.has(sig.key_id)) continue;
    if (await verifyPayload(Uint8Array.fromBase64(k.public), "trust-root", root.signed, sig)) {
      ok.add(sig.key_id);
    }
  }
  return ok.size;
}

async function checkVersion(
  prev: TrustRootBody | undefined,
  root: TrustRoot,
  label: string,
): Promise<void> {
  const self = await countRootSignatures(root.signed, root);
  if (self < root.signed.threshold) {
    throw new VerificationError(
      `Trust root ${label} v${root.signed.version} has ${self} valid root signature(s) of its own keys; threshold is ${root.signed.threshold}`,
    );
  }
  if (prev) {
    if (root.signed.version !== prev.version + 1) {
      throw new VerificationError(
        `Trust root ${label} chain broken: v${prev.version} is followed by v${root.signed.version}`,
      );
    }
    const n = await countRootSignatures(prev, root);
    if (n < prev.threshold) {
      throw new VerificationError(
        `Trust root v${root.signed.version} is signed by ${n} root key(s) of v${prev.version}; threshold is ${prev.threshold}`,
      );
    }
  }
}

/**
 * Verifies a trust-root chain held in memory (e.g. one carried in a bundle):
 * consecutive versions from 1, each signed by a threshold of its own and of
 * the previous version's root keys. Expiry is not checked: an old chain
 * still proves who vouched for whom.
 * @throws {VerificationError} naming the first broken link.
 */
export async function verifyTrustChain(roots: TrustRoot[], what: string): Promise<TrustRoot> {
  if (!roots.length) throw new VerificationError(`${what} holds no trust root`);
  let prev: TrustRootBody | undefined;
  for (const [i, root] of roots.entries()) {
    if (root?.signed?.version !== i + 1 || !Array.isArray(root.signatures)) {
      throw new VerificationError(`${what}: trust root chain must run v1..v${roots.length}`);
    }
    await checkVersion(prev, root, what);
    prev = root.signed;
  }
  return roots[roots.length - 1];
}

/** Options for {@linkcode loadTrustRoot}. */
export interface LoadTrustOptions {
  /** Clock for expiry checks (tests). */
  now?: Date;
  /**
   * Accept an expired root (only to renew it: every other check still runs,
   * and the caller must write a fresh version at once).
   */
  allowExpired?: boolean;
  /** Test hooks for the `seen.json` write (`trust-seen:*`). */
  hooks?: Hooks;
}

/**
 * Loads and verifies the current trust root: the whole chain from v1, the
 * threshold at every step, anti-rollback and expiry.
 * @throws {VerificationError} on any failed check (exit 77).
 */
export async function loadTrustRoot(
  ws: Workspace,
  options: LoadTrustOptions = {},
): Promise<TrustRoot> {
  const current = await readRoot(rootPath(ws), ws);
  // The floor is the highest version ever accepted: seen.json, and every root.<N>.json kept
  // on disk (so deleting seen.json does not reopen a rollback).
  const seen = Math.max(await readSeen(ws), await highestKeptVersion(ws));
  if (current.signed.version < seen) {
    throw new VerificationError(
      `Refusing trust root v${current.signed.version}: v${seen} was already accepted (rollback)`,
    );
  }
  let prev: TrustRootBody | undefined;
  for (let v = 1; v <= current.signed.version; v++) {
    const path = rootPath(ws, v);
    const root = v === current.signed.version && !(await exists(path))
      ? current
      : await readRoot(path, ws);
    await checkVersion(prev, root, `"${relativePath(ws.root, path)}"`);
    prev = root.signed;
  }
  if (JSON.stringify(prev) !== JSON.stringify(current.signed)) {
    throw new VerificationError(
      `Trust root "root.json" differs from "root.${current.signed.version}.json"`,
    );
  }
  const now = options.now ?? new Date();
  if (!options.allowExpired && Date.parse(current.signed.expires) <= now.getTime()) {
    throw new VerificationError(
      `Trust root v${current.signed.version} expired at ${current.signed.expires}: renew it with "rtt-deno keys renew"`,
    );
  }
  if (current.signed.version > seen) await writeSeen(ws, current.signed.version, options.hooks);
  return current;
}

// A missing seen.json is a fresh workspace; a damaged one must not read as "nothing seen":
// it is a refusal (77) like the rollback it can no longer rule out, not mere bad input.
async function readSeen(ws: Workspace): Promise<number> {
  const path = `${ws.trust}/seen.json`;
  const display = relativePath(ws.root, path);
  try {
    const seen = await readInternalJsonIfExists<{ highest_version: number }>(path, "trustSeen", {
      display,
    });
    return seen?.highest_version ?? 0;
  } catch (err) {
    if (!(err instanceof InputError)) throw err;
    throw new VerificationError(
      `"${display}" is corrupt (expected {"highest_version": <integer>}): cannot rule out a trust-root rollback`,
      { file: display, cause: err },
    );
  }
}

async function highestKeptVersion(ws: Workspace): Promise<number> {
  let max = 0;
  try {
    for await (const e of Deno.readDir(ws.trust)) {
      const m = /^root\.(\d+)\.json$/.exec(e.name);
      if (e.isFile && m) max = Math.max(max, Number(m[1]));
    }
  } catch (err) {
    if (!(isNotFound(err))) throw err;
  }
  return max;
}

async function writeSeen(ws: Workspace, version: number, hooks?: Hooks): Promise<void> {
  await writeJsonAtomic(`${ws.trust}/seen.json`, { highest_version: version }, {
    label: "trust-seen",
    hooks,
  });
}

function expiry(now: Date): string {
  const d = new Date(now.getTime() + TRUST_ROOT_LIFETIME_DAYS * 86400_000);
  return d.toISOString().replace(/\.\d{3}Z$/, "Z");
}

async function writeRoot(ws: Workspace, root: TrustRoot, hooks?: Hooks): Promise<void> {
  await Deno.mkdir(ws.trustKeys, { recursive: true });
  for (const [id, k] of Object.entries(root.signed.keys)) {
    const p = `${ws.trustKeys}/${id.replace(":", "_")}.pub.json`;
    if (!(await exists(p))) {
      await writeJsonAtomic(p, {
        alg: "ed25519",
        key_id: id,
        public: k.public,
        ...(k.name ? { name: k.name } : {}),
      }, { hooks });
    }
  }
  await writeJsonAtomic(rootPath(ws, root.signed.version), root, { label: "trust-root", hooks });
  await writeJsonAtomic(rootPath(ws), root, { label: "trust-root", hooks });
  await writeSeen(ws, root.signed.version, hooks);
}

/**
 * Creates trust root v1 trusting `key` for every role.
 * @throws {Deno.errors.AlreadyExists} when a trust root exists.
 */
export async function createTrustRoot(
  ws: Workspace,
  key: KeyPair,
  options: { name?: string; now?: Date; hooks?: Hooks } = {},
): Promise<TrustRoot> {
  if (await exists(rootPath(ws))) {
    throw new IoError(
      `A trust root already exists in "${relativePath(ws.root, ws.trust)}"`,
    );
  }
  const signed: TrustRootBody = {
    _type: "rtt/trust-root",
    version: 1,
    expires: expiry(options.now ?? new Date()),
    threshold: 1,
    keys: {
      [key.keyId]: {
        public: key.publicKey.toBase64(),
        roles: [...ROLES],
        ...(options.name ? { name: options.name } : {}),
      },
    },
  };
  const root = { signed, signatures: [await signPayload(key, "trust-root", signed)] };
  await writeRoot(ws, root, options.hooks);
  return root;
}

/**
 * Writes trust root version N+1 = `change(copy of version N)`, signed by
 * `signers`. The signatures must meet the threshold of both version N's and
 * the new version's root keys.
 * @throws {VerificationError} when the signers do not meet a threshold.
 */
export async function updateTrustRoot(
  ws: Workspace,
  change: (body: TrustRootBody) => void,
  signers: KeyPair[],
  options: LoadTrustOptions = {},
): Promise<TrustRoot> {
  const current = await loadTrustRoot(ws, options);
  const body: TrustRootBody = structuredClone(current.signed);
  change(body);
  body.version = current.signed.version + 1;
  body.expires = expiry(options.now ?? new Date());
  if (!Number.isInteger(body.threshold) || body.threshold < 1) {
    throw new UsageError(`Trust root threshold must be at least 1, got ${body.threshold}`);
  }
  const roots = keysWithRole(body, "root");
  if (roots.length < body.threshold) {
    throw new VerificationError(
      `Trust root v${body.version} would have ${roots.length} root key(s) but threshold ${body.threshold}: it could never be updated again`,
    );
  }
  const signatures: SignatureBlock[] = [];
  const used = new Set<string>();
  for (const s of signers) {
    if (used.has(s.keyId)) continue;
    used.add(s.keyId);
    signatures.push(await signPayload(s, "trust-root", body));
  }
  const next = { signed: body, signatures };
  await checkVersion(current.signed, next, "update");
  await writeRoot(ws, next, options.hooks);
  return next;
}

/**
 * Verifies that `block` is a valid signature over `payload` (in `domain`) by
 * a key the trust root grants `role`.
 * @throws {VerificationError} naming the signer and what is wrong.
 */
export async function verifyTrusted(
  trust: TrustRoot,
  role: Role,
  domain: SignatureDomain,
  payload: unknown,
  block: SignatureBlock | undefined,
  options: { what: string },
): Promise<void> {
  if (!block || typeof block !== "object" || typeof block.key_id !== "string") {
    throw new VerificationError(`${options.what} is unsigned`);
  }
  const key = trust.signed.keys[block.key_id];
  if (!key) {
    throw new VerificationError(
      `${options.what} is signed by unknown key ${block.key_id} (not in trust root v${trust.signed.version})`,
    );
  }
  if (!key.roles.includes(role)) {
    throw new VerificationError(
      `${options.what} is signed by ${block.key_id}, which is not trusted for role "${role}" (roles: ${
        key.roles.join(", ")
      })`,
    );
  }
  if (!(await verifyPayload(Uint8Array.fromBase64(key.public), domain, payload, block))) {
    throw new VerificationError(`${options.what} has an invalid signature by ${block.key_id}`);
  }
}
