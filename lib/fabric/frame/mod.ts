/** RTT frame codec (DESIGN.md §5): encode, decode and verify the 24-byte-header frames. */
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
