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
import { InputError } from "./errors.ts";

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

/** Lower-case hex of bytes. */
export function toHex(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i++) s += HEX[bytes[i]];
  return s;
}

/** Bytes of a lower-case or upper-case hex string. @throws {SyntaxError} on odd length or non-hex. */
export function fromHex(hex: string): Uint8Array {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) {
    throw new InputError(
      `Cannot decode hex "${hex.slice(0, 16)}...": expected an even number of hex digits`,
    );
  }
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/** SHA-256 of bytes as hex, via WebCrypto. */
export async function sha256Hex(data: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", data as Uint8Array<ArrayBuffer>);
  return toHex(new Uint8Array(digest));
}

/** SHA-256 of bytes as hex, synchronously (pure JS). */
export function sha256HexSync(data: Uint8Array): string {
  return toHex(sha256(data));
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
