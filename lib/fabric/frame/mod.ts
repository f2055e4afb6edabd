/**
 * RTT frame codec: encode, decode and verify the 24-byte-header frames (layout in
 * ARCHITECTURE.md, "RTT frame").
 *
 * @example
 * ```ts
 * import { decodeFrame, encodeFrame } from "./mod.ts";
 * const bytes = encodeFrame(new Uint8Array([1, 2, 3]), { routeId: 1, frameId: 0 });
 * const r = decodeFrame(bytes, { exact: true });
 * if (!r.ok) throw new Error(r.reason);
 * ```
 *
 * @module
 */
export {
  decodeFrame,
  type DecodeOptions,
  type DecodeResult,
  DEFAULT_MAX_PAYLOAD,
  encodeFrame,
  encodeFrameInto,
  type Frame,
  FRAME_HEADER_SIZE,
  FRAME_MAGIC,
  type FrameDropReason,
  FrameFlags,
  type FrameHeader,
  verifyFrame,
} from "./codec.ts";
