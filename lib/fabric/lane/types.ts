/**
 * The {@linkcode Lane} interface every transport implements, with its options, outcomes and
 * counters.
 *
 * @module
 */
import type { Lane as CoreLane } from "../../core/mod.ts";
import type { Frame, FrameDropReason, FrameHeader } from "../frame/mod.ts";

/**
 * Transport under a link: the {@linkcode CoreLane} name (see `LANES` in core). Called a kind here
 * because in the fabric a {@linkcode Lane} is the open transport object.
 */
export type LaneKind = CoreLane;

/**
 * What a link does with a frame when its ring or socket is full (the seed's explicit
 * policies): `taildrop` drops it; `mark` drops it too but flags the next frame delivered and
 * flags frames while the queue is above its high-water mark, so the receiver sees the
 * congestion; `nack` refuses it back to the caller; `buffer` parks it in a bounded local
 * queue that is drained as room appears (and drops once that queue is full).
 */
export type BackpressurePolicy = "taildrop" | "mark" | "nack" | "buffer";

/** Outcome of {@linkcode Lane.send}. */
export type SendStatus = "sent" | "marked" | "buffered" | "dropped" | "nacked";

/** Why a link dropped a frame. */
export type LinkDropReason = FrameDropReason | "taildrop" | "buffer_full";

/** Counters of one link end, cumulative since open. */
export interface LinkCounters {
  /** Frames handed to the transport. */
  sent: number;
  /** Frames delivered to the receiver (verified). */
  received: number;
  /** Payload bytes handed to the transport. */
  bytesSent: number;
  /** Payload bytes delivered. */
  bytesReceived: number;
  /** Frames sent with the MARK flag. */
  marked: number;
  /** Sends refused under the nack policy. */
  nacked: number;
  /** Frames that went through the local buffer. */
  buffered: number;
  /** Frames dropped, by reason (send side: taildrop, buffer_full; receive side: the rest). */
  drops: Record<LinkDropReason, number>;
}

/** How a link ended. */
export type CloseReason = "local" | "peer_closed" | "peer_gone" | "protocol_error";

/** Options every lane accepts. */
export interface LaneOptions {
  /** Full-queue policy (default `taildrop`). */
  policy?: BackpressurePolicy;
  /** Largest payload accepted and delivered (default 1 MiB; bounded by the ring for shm). */
  maxPayload?: number;
  /** `buffer` policy: most frames held locally (default 1024). */
  bufferFrames?: number;
  /** `buffer` policy: most payload bytes held locally (default 16 MiB). */
  bufferBytes?: number;
  /** `mark` policy: occupancy fraction above which frames are flagged (default 0.5). */
  markThreshold?: number;
  /**
   * Deliver payloads as views into one lane-owned buffer, valid only until the next
   * receive call (default false: every frame owns its payload). Saves an allocation per
   * frame, which at 64 KiB frames is what drives garbage-collection pauses; for hot loops
   * that consume or forward each frame before asking for the next. Socket lanes accept
   * the option and still hand out owned payloads, which satisfies the same contract.
   */
  reuseReceiveBuffer?: boolean;
}

/** Options of {@linkcode Lane.receive}. */
export interface ReceiveOptions {
  /** Reject with Deno.errors.TimedOut after this many ms (default: wait indefinitely). */
  timeoutMs?: number;
}

/**
 * One end of a point-to-point link. `send` never blocks (the policy applies when full),
 * `write` waits for room instead (lossless streams), `receive` yields verified frames in
 * order and null once the peer has closed or died and everything queued was delivered.
 */
export interface Lane extends AsyncDisposable {
  /** Transport. */
  readonly kind: LaneKind;
  /** Full-queue policy. */
  readonly policy: BackpressurePolicy;
  /** Largest payload accepted. */
  readonly maxPayload: number;
  /** Set once the link has ended. */
  readonly closeReason: CloseReason | null;
  /** Queues a frame without waiting; applies the policy when the transport is full. */
  send(payload: Uint8Array, header: FrameHeader): SendStatus;
  /** Queues a frame, waiting for room rather than dropping. */
  write(payload: Uint8Array, header: FrameHeader): Promise<void>;
  /** Resolves when the local buffer and (for sockets) pending writes are handed to the OS. */
  flush(): Promise<void>;
  /** Next frame if one is already there (no waiting), else null. */
  tryReceive(): Frame | null;
  /** Next frame, waiting for it; null at end of stream. */
  receive(options?: ReceiveOptions): Promise<Frame | null>;
  /** Snapshot of the counters. */
  counters(): LinkCounters;
  /** Closes this end; the peer sees end of stream. Safe to call twice. */
  close(): Promise<void>;
}

/** Accepts the one connection of a socket link. */
export interface LaneListener extends AsyncDisposable {
  /** Socket path (uds) or `127.0.0.1:port` (tcp). */
  readonly address: string;
  /** TCP port (0 for uds). */
  readonly port: number;
  /** Waits for the peer and returns the link. */
  accept(): Promise<Lane>;
  /** Stops listening (an accepted lane stays open). */
  close(): void;
}
