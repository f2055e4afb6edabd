/**
 * SHA-256 helpers. RTT names content as `sha256:<hex>`.
 *
 * WebCrypto is used for anything large (native, ~6x faster than JS at 1 MiB);
 * the synchronous variant exists for hot loops over small inputs where an
 * await per item costs more than the hash.
 *
 * @module
 */
import { sha256 } from "@noble/hashes/sha2.js";
import { canonicalBytes } from "./canonical_json.ts";

/** SHA-256 of bytes as hex, via WebCrypto. */
export async function sha256Hex(data: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", data as Uint8Array<ArrayBuffer>);
  return new Uint8Array(digest).toHex();
}

/** SHA-256 of bytes as hex, synchronously (pure JS). */
export function sha256HexSync(data: Uint8Array): string {
  return sha256(data).toHex();
}

/** Raw SHA-256 digest bytes, synchronously. */
export function sha256Bytes(data: Uint8Array): Uint8Array {
  return sha256(data);
}

/** `sha256:<hex>` of the canonical JSON of a value. */
export function hashJson(value: unknown): string {
  return `sha256:${sha256HexSync(canonicalBytes(value))}`;
}

/** Pattern of a content reference `sha256:<64 hex>`. */
export const HASH_REF = /^sha256:[0-9a-f]{64}$/;
