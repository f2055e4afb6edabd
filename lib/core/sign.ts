/**
 * Domain-separated Ed25519 signatures.
 *
 * The signed message is `"rtt-sig/v1\0" + domain + "\0" + canonical(payload)`,
 * so a signature over a manifest can never verify as one over a plan, a trust
 * root or a bundle index even when the payload bytes coincide.
 *
 * Signing and verification use WebCrypto's native Ed25519 (interoperable with
 * RFC 8032 and much faster than JS); key generation and public-key derivation
 * use `@noble/ed25519`.
 *
 * @module
 */
import * as ed from "@noble/ed25519";
import { canonicalBytes } from "./canonical_json.ts";
import { sha256HexSync } from "./hash.ts";

/** What a signature is about. Part of the signed bytes. */
export type SignatureDomain = "manifest" | "plan" | "trust-root" | "bundle-index" | "cap-token";

/** The signature block stored next to signed content (`sign` in plans). */
export interface SignatureBlock {
  /** Always "ed25519". */
  alg: "ed25519";
  /** Signer's key id (derived from the public key). */
  key_id: string;
  /** Base64 signature (64 bytes). */
  sig: string;
}

/** A key pair usable for signing. */
export interface KeyPair {
  /** Key id derived from the public key. */
  keyId: string;
  /** 32-byte public key. */
  publicKey: Uint8Array;
  /** 32-byte private seed. */
  seed: Uint8Array;
}

const encoder = new TextEncoder();
const PREFIX = "rtt-sig/v1\0";

function b64url(bytes: Uint8Array): string {
  return bytes.toBase64({ alphabet: "base64url", omitPadding: true });
}

/** Key id of a public key: `ed25519:` + first 16 hex digits of its SHA-256. */
export function keyIdOf(publicKey: Uint8Array): string {
  return `ed25519:${sha256HexSync(publicKey).slice(0, 16)}`;
}

/** Creates a fresh key pair from the system CSPRNG. */
export async function generateKeyPair(): Promise<KeyPair> {
  const seed = crypto.getRandomValues(new Uint8Array(32));
  return await keyPairFromSeed(seed);
}

/** Rebuilds a key pair from its 32-byte seed. */
export async function keyPairFromSeed(seed: Uint8Array): Promise<KeyPair> {
  if (seed.length !== 32) throw new RangeError(`Ed25519 seed must be 32 bytes, got ${seed.length}`);
  const publicKey = await ed.getPublicKeyAsync(seed);
  return { keyId: keyIdOf(publicKey), publicKey, seed };
}

/** The exact bytes that get signed for `payload` in `domain`. */
export function signedMessage(domain: SignatureDomain, payload: unknown): Uint8Array {
  const head = encoder.encode(PREFIX + domain + "\0");
  const body = canonicalBytes(payload);
  const msg = new Uint8Array(head.length + body.length);
  msg.set(head, 0);
  msg.set(body, head.length);
  return msg;
}

const privateKeys = new WeakMap<KeyPair, Promise<CryptoKey>>();
const publicKeys = new Map<string, Promise<CryptoKey>>();

function importPrivate(pair: KeyPair): Promise<CryptoKey> {
  let k = privateKeys.get(pair);
  if (!k) {
    k = crypto.subtle.importKey(
      "jwk",
      { kty: "OKP", crv: "Ed25519", d: b64url(pair.seed), x: b64url(pair.publicKey) },
      { name: "Ed25519" },
      false,
      ["sign"],
    );
    privateKeys.set(pair, k);
  }
  return k;
}

function importPublic(publicKey: Uint8Array): Promise<CryptoKey> {
  const id = publicKey.toBase64();
  let k = publicKeys.get(id);
  if (!k) {
    k = crypto.subtle.importKey(
      "raw",
      publicKey as Uint8Array<ArrayBuffer>,
      { name: "Ed25519" },
      false,
      ["verify"],
    );
    publicKeys.set(id, k);
  }
  return k;
}

/** Signs `payload` for `domain`; returns the block to store with it. */
export async function signPayload(
  pair: KeyPair,
  domain: SignatureDomain,
  payload: unknown,
): Promise<SignatureBlock> {
  const key = await importPrivate(pair);
  const msg = signedMessage(domain, payload);
  const sig = new Uint8Array(
    await crypto.subtle.sign("Ed25519", key, msg as Uint8Array<ArrayBuffer>),
  );
  return { alg: "ed25519", key_id: pair.keyId, sig: sig.toBase64() };
}

/**
 * True when `block.sig` is a valid signature by `publicKey` over `payload` in
 * `domain`. Never throws on a malformed signature: that is simply invalid.
 */
export function verifyPayload(
  publicKey: Uint8Array,
  domain: SignatureDomain,
  payload: unknown,
  block: SignatureBlock,
): Promise<boolean> {
  return verifyMessage(publicKey, signedMessage(domain, payload), block);
}

/**
 * Like {@linkcode verifyPayload} over an already built {@linkcode signedMessage},
 * for callers checking several signatures over the same bytes (the message is
 * canonicalised once).
 */
export async function verifyMessage(
  publicKey: Uint8Array,
  message: Uint8Array,
  block: SignatureBlock,
): Promise<boolean> {
  if (block?.alg !== "ed25519" || typeof block.sig !== "string") return false;
  let sig: Uint8Array;
  try {
    sig = Uint8Array.fromBase64(block.sig);
  } catch {
    return false;
  }
  if (sig.length !== 64 || publicKey.length !== 32) return false;
  const key = await importPublic(publicKey);
  return await crypto.subtle.verify(
    "Ed25519",
    key,
    sig as Uint8Array<ArrayBuffer>,
    message as Uint8Array<ArrayBuffer>,
  );
}
