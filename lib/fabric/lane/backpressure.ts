/**
 * The four backpressure policies (`taildrop`, `mark`, `nack`, `buffer`), implemented once
 * for every lane: what a send does when the transport is full.
 *
 * @module
 */
import { FrameFlags, type FrameHeader } from "../frame/mod.ts";
import type { BackpressurePolicy, LaneOptions, LinkCounters, SendStatus } from "./types.ts";

/** A frame held by the `buffer` policy until the transport has room. */
export interface Pending {
  /** Private copy of the payload. */
  payload: Uint8Array;
  /** Header fields to send it with. */
  header: FrameHeader;
}

const POLICIES: readonly BackpressurePolicy[] = ["taildrop", "mark", "nack", "buffer"];

/** Validates a policy name (default `taildrop`). */
export function checkPolicy(p: unknown, context: string): BackpressurePolicy {
  if (p === undefined) return "taildrop";
  if (!POLICIES.includes(p as BackpressurePolicy)) {
    throw new TypeError(`${context}: policy ${String(p)} is not one of ${POLICIES.join(", ")}`);
  }
  return p as BackpressurePolicy;
}

/**
 * Full-queue bookkeeping shared by every lane, so the four policies behave identically
 * whatever the transport; the lane only says when its transport is full.
 */
export class Backpressure {
  /** Policy in force. */
  readonly policy: BackpressurePolicy;
  /** Frames held by the `buffer` policy, oldest first. */
  readonly queue: Pending[] = [];
  /** Payload bytes in {@linkcode Backpressure.queue}. */
  queuedBytes = 0;
  /** Next frame gets the MARK flag (set after a drop or above the high-water mark). */
  markNext = false;
  /** Occupancy fraction above which the mark policy flags frames. */
  readonly markThreshold: number;
  readonly #maxFrames: number;
  readonly #maxBytes: number;
  readonly #c: LinkCounters;

  /** Reads the policy options; `counters` is the lane's own, updated in place. */
  constructor(options: LaneOptions, counters: LinkCounters, context: string) {
    this.policy = checkPolicy(options.policy, context);
    this.#maxFrames = options.bufferFrames ?? 1024;
    this.#maxBytes = options.bufferBytes ?? 16 << 20;
    this.markThreshold = options.markThreshold ?? 0.5;
    if (!(this.markThreshold > 0 && this.markThreshold <= 1)) {
      throw new RangeError(`${context}: markThreshold ${this.markThreshold} is not in (0, 1]`);
    }
    if (!Number.isInteger(this.#maxFrames) || this.#maxFrames < 1) {
      throw new RangeError(
        `${context}: bufferFrames ${this.#maxFrames} must be a positive integer`,
      );
    }
    this.#c = counters;
  }

  /** Flags to put on the outgoing frame (adds MARK when the mark policy owes one). */
  flagsFor(header: FrameHeader): number {
    const f = header.flags ?? 0;
    return this.markNext ? f | FrameFlags.MARK : f;
  }

  /**
   * Records a frame the transport accepted; `fill` is the queue occupancy after it
   * (0..1), which arms the mark for the next frame under the mark policy.
   */
  onSent(flags: number, payloadLength: number, fill: number): void {
    const c = this.#c;
    c.sent++;
    c.bytesSent += payloadLength;
    if (flags & FrameFlags.MARK) c.marked++;
    this.markNext = this.policy === "mark" && fill >= this.markThreshold;
  }

  /** Applies the policy to a frame the transport had no room for. */
  onFull(payload: Uint8Array, header: FrameHeader): SendStatus {
    switch (this.policy) {
      case "taildrop":
        this.#c.drops.taildrop++;
        return "dropped";
      case "mark":
        this.#c.drops.taildrop++;
        this.markNext = true;
        return "dropped";
      case "nack":
        this.#c.nacked++;
        return "nacked";
      case "buffer":
        return this.enqueue(payload, header);
    }
  }

  /** Holds a copy of the frame, or drops it (buffer_full) when the bound is reached. */
  enqueue(payload: Uint8Array, header: FrameHeader): SendStatus {
    if (
      this.queue.length >= this.#maxFrames || this.queuedBytes + payload.length > this.#maxBytes
    ) {
      this.#c.drops.buffer_full++;
      return "dropped";
    }
    // Copy: the caller may reuse its buffer as soon as send() returns.
    this.queue.push({ payload: payload.slice(), header: { ...header } });
    this.queuedBytes += payload.length;
    this.#c.buffered++;
    return "buffered";
  }

  /** Forgets the oldest held frame once the transport took it. */
  shift(): void {
    const p = this.queue.shift();
    if (p) this.queuedBytes -= p.payload.length;
  }
}
