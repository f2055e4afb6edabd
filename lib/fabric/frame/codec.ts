/**
 * The RTT frame: a 24-byte little-endian header (magic, flags, reserved, route_id, frame_id,
 * len, crc32c of the payload) and the payload. Byte table in ARCHITECTURE.md, "RTT frame".
 *
 * @module
 */
import { crc32c } from "../../../ffi/crc32c.ts";

/** "RTT1" read as a little-endian u32. */
export const FRAME_MAGIC = 0x31545452;
/** Bytes before the payload: magic, flags, reserved, route_id, frame_id, len, crc32c. */
export const FRAME_HEADER_SIZE = 24;
/** Default largest payload a link accepts (frames beyond it are dropped as bad_length). */
export const DEFAULT_MAX_PAYLOAD = 1 << 20;

/** Bits of the `flags` field that the fabric itself sets. */
export const FrameFlags = {
  /** Congestion experienced: the sender's queue was above its high-water mark, or frames
   * were dropped just before this one (policy "mark"). */
  MARK: 1 << 0,
} as const;

/** Header fields of a frame to send. */
export interface FrameHeader {
  /** Route the frame belongs to (u32). */
  routeId: number;
  /** Sequence number within the route (u32). */
  frameId: number;
  /** 16-bit flags. */
  flags?: number;
}

/** A decoded, verified frame. */
export interface Frame {
  /** 16-bit flags. */
  flags: number;
  /** Route id. */
  routeId: number;
  /** Frame id. */
  frameId: number;
  /** Payload bytes (a view; owned by the receiver). */
  payload: Uint8Array;
}

/** Why a frame was not delivered. */
export type FrameDropReason = "bad_magic" | "bad_length" | "bad_crc";

/** Result of {@linkcode decodeFrame}. */
export type DecodeResult =
  | { ok: true; frame: Frame; size: number }
  | { ok: false; reason: FrameDropReason; size: number };

/** Limits applied while decoding. */
export interface DecodeOptions {
  /** Payloads longer than this are dropped as `bad_length` (default 1 MiB). */
  maxPayload?: number;
  /**
   * The bytes are exactly one frame (a record whose length the transport knows): a header
   * length that disagrees is `bad_length`, checked before the crc.
   */
  exact?: boolean;
}

function checkHeader(h: FrameHeader, context: string): void {
  const { routeId, frameId, flags = 0 } = h;
  if (!Number.isInteger(routeId) || routeId < 0 || routeId > 0xffff_ffff) {
    throw new RangeError(`${context}: route_id ${routeId} is not a u32`);
  }
  if (!Number.isInteger(frameId) || frameId < 0 || frameId > 0xffff_ffff) {
    throw new RangeError(`${context}: frame_id ${frameId} is not a u32`);
  }
  if (!Number.isInteger(flags) || flags < 0 || flags > 0xffff) {
    throw new RangeError(`${context}: flags ${flags} do not fit in 16 bits`);
  }
}

/**
 * Writes the frame for `payload` at `offset` of `out` and returns the bytes written. Lets
 * stream lanes build one write buffer for many frames without intermediate copies.
 */
export function encodeFrameInto(
  payload: Uint8Array,
  header: FrameHeader,
  target: { out: Uint8Array; offset: number },
): number {
  checkHeader(header, "Cannot encode frame");
  const { out, offset } = target;
  const size = FRAME_HEADER_SIZE + payload.length;
  if (offset < 0 || offset + size > out.length) {
    throw new RangeError(
      `Cannot encode frame: ${size} bytes do not fit at offset ${offset} of ${out.length}`,
    );
  }
  const dv = new DataView(out.buffer, out.byteOffset + offset, FRAME_HEADER_SIZE);
  dv.setUint32(0, FRAME_MAGIC, true);
  dv.setUint16(4, header.flags ?? 0, true);
  dv.setUint16(6, 0, true);
  dv.setUint32(8, header.routeId, true);
  dv.setUint32(12, header.frameId, true);
  dv.setUint32(16, payload.length, true);
  dv.setUint32(20, crc32c(payload), true);
  out.set(payload, offset + FRAME_HEADER_SIZE);
  return size;
}

/** Encodes one frame (24-byte little-endian header + payload) with its crc32c. */
export function encodeFrame(payload: Uint8Array, header: FrameHeader): Uint8Array {
  const out = new Uint8Array(FRAME_HEADER_SIZE + payload.length);
  encodeFrameInto(payload, header, { out, offset: 0 });
  return out;
}

/**
 * Checks a frame at the start of `bytes` without copying: returns the drop reason, or null
 * when the frame is well formed and its crc matches. `bytes` may hold more after it.
 */
export function verifyFrame(
  bytes: Uint8Array,
  options: DecodeOptions = {},
): FrameDropReason | null {
  const r = decodeFrame(bytes, options);
  return r.ok ? null : r.reason;
}

/**
 * Decodes and verifies the frame at the start of `bytes`. A wrong magic, a length beyond
 * `maxPayload` or beyond the bytes given, or a crc mismatch yields `{ok: false, reason}`;
 * `size` is then how many bytes the header claims (0 when it cannot be trusted), so stream
 * readers can decide whether they can skip it. The payload is a view into `bytes`.
 */
export function decodeFrame(bytes: Uint8Array, options: DecodeOptions = {}): DecodeResult {
  const max = options.maxPayload ?? DEFAULT_MAX_PAYLOAD;
  if (bytes.length < FRAME_HEADER_SIZE) return { ok: false, reason: "bad_length", size: 0 };
  const dv = new DataView(bytes.buffer, bytes.byteOffset, FRAME_HEADER_SIZE);
  if (dv.getUint32(0, true) !== FRAME_MAGIC) return { ok: false, reason: "bad_magic", size: 0 };
  const len = dv.getUint32(16, true);
  if (
    len > max || FRAME_HEADER_SIZE + len > bytes.length ||
    (options.exact && FRAME_HEADER_SIZE + len !== bytes.length)
  ) {
    return { ok: false, reason: "bad_length", size: 0 };
  }
  const size = FRAME_HEADER_SIZE + len;
  const payload = bytes.subarray(FRAME_HEADER_SIZE, size);
  if (crc32c(payload) !== dv.getUint32(20, true)) return { ok: false, reason: "bad_crc", size };
  return {
    ok: true,
    size,
    frame: {
      flags: dv.getUint16(4, true),
      routeId: dv.getUint32(8, true),
      frameId: dv.getUint32(12, true),
      payload,
    },
  };
}
