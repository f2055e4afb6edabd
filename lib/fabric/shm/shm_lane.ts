/**
 * The shared-memory lane: a link is two native SPSC rings under /dev/shm,
 * one per direction, with rings of dead processes swept before a new one is
 * created.
 *
 * @module
 */
import {
  NativeError,
  nativeStatus,
  PeerGoneError,
  RingNotReadyError,
  ShmRing,
} from "../../../ffi/mod.ts";
import { NativeStatus } from "../../../ffi/symbols.ts";
import { DEFAULT_MAX_PAYLOAD, type Frame, FrameFlags, type FrameHeader } from "../frame/mod.ts";
import {
  Backpressure,
  type CloseReason,
  type Lane,
  type LaneOptions,
  LinkBrokenError,
  type LinkCounters,
  newCounters,
  type ReceiveOptions,
  type SendStatus,
  snapshotCounters,
} from "../lane/mod.ts";

/** Every ring the fabric creates is named `rtt.<link>.<direction>` under /dev/shm. */
export const SHM_PREFIX = "rtt.";

/** Options of {@linkcode openShmLane}. */
export interface ShmLaneOptions extends LaneOptions {
  /** `create` makes both rings (one per direction); `attach` opens the peer's. */
  role: "create" | "attach";
  /** Bytes per ring, a power of two (default 4 MiB). */
  capacity?: number;
  /** Busy-poll budget before parking on the futex, in ns (default 20 000). */
  spinNs?: number;
  /** `attach`: how long to wait for the creator, in ms (default 5000). */
  openTimeoutMs?: number;
}

/** Whether the shm lane can be used here, and why not when it cannot. */
export function shmAvailability(): { available: true } | { available: false; reason: string } {
  const st = nativeStatus();
  return st.available ? { available: true } : {
    available: false,
    reason: `shm lane unavailable: ${st.reason}`,
  };
}

/**
 * Removes rings left under /dev/shm by processes that died without closing them (their
 * creator pid is in the ring header). Returns how many were removed; 0 without native.
 */
export function sweepStaleRings(): number {
  return shmAvailability().available ? ShmRing.sweep(SHM_PREFIX) : 0;
}

const NAME_RE = /^[A-Za-z0-9_-]{1,100}$/;
const POLL_SLICE_MS = 50;
const PEER_CHECK_MS = 5;

function ringNames(name: string): { c2a: string; a2c: string } {
  return { c2a: `${SHM_PREFIX}${name}.c2a`, a2c: `${SHM_PREFIX}${name}.a2c` };
}

/**
 * Opens a shared-memory link named `name`: one SPSC ring per direction. The creator also
 * sweeps stale rings of dead processes first. Throws NativeUnavailableError (with every
 * path tried) when the native library is not loaded.
 */
export async function openShmLane(name: string, options: ShmLaneOptions): Promise<Lane> {
  const ctx = `Cannot open shm lane "${name}"`;
  if (!NAME_RE.test(name)) {
    throw new TypeError(`${ctx}: name must match ${NAME_RE.source}`);
  }
  const { c2a, a2c } = ringNames(name);
  if (options.role === "create") {
    const capacity = options.capacity ?? 4 << 20;
    if (!Number.isInteger(capacity) || capacity <= 0 || (capacity & (capacity - 1)) !== 0) {
      throw new RangeError(`${ctx}: capacity ${capacity} is not a power of two`);
    }
    sweepStaleRings();
    const limit = capacity / 2 - 32;
    const maxPayload = options.maxPayload ?? Math.min(DEFAULT_MAX_PAYLOAD, limit);
    if (maxPayload > limit) {
      throw new RangeError(
        `${ctx}: maxPayload ${maxPayload} exceeds ${limit} for a ring of ${capacity} bytes`,
      );
    }
    const tx = ShmRing.create(c2a, { capacity, maxPayload, role: "producer" });
    let rx: ShmRing;
    try {
      rx = ShmRing.create(a2c, { capacity, maxPayload, role: "consumer" });
    } catch (e) {
      tx.close();
      ShmRing.unlink(c2a);
      throw e;
    }
    return new ShmLane(name, tx, rx, options, true);
  }
  if (options.role !== "attach") {
    throw new TypeError(`${ctx}: role must be "create" or "attach", got ${String(options.role)}`);
  }
  const deadline = Date.now() + (options.openTimeoutMs ?? 5000);
  for (;;) {
    try {
      const rx = ShmRing.open(c2a, { role: "consumer" });
      let tx: ShmRing;
      try {
        tx = ShmRing.open(a2c, { role: "producer" });
      } catch (e) {
        rx.close();
        throw e;
      }
      // Both ends are mapped now; the names are no longer needed.
      for (const n of [c2a, a2c]) {
        try {
          ShmRing.unlink(n);
        } catch { /* the creator may have removed it already */ }
      }
      return new ShmLane(name, tx, rx, options, false);
    } catch (e) {
      const retry = e instanceof Deno.errors.NotFound || e instanceof RingNotReadyError;
      if (!retry) throw e;
      if (Date.now() >= deadline) {
        throw new Deno.errors.TimedOut(
          `${ctx}: no creator within ${options.openTimeoutMs ?? 5000} ms`,
          {
            cause: e,
          },
        );
      }
      await new Promise((r) => setTimeout(r, 5));
    }
  }
}

class ShmLane implements Lane {
  readonly kind = "shm" as const;
  readonly policy;
  readonly maxPayload: number;
  readonly #name: string;
  readonly #tx: ShmRing;
  readonly #rx: ShmRing;
  readonly #bp: Backpressure;
  readonly #c = newCounters();
  readonly #spinNs: number;
  readonly #capacity: number;
  readonly #creator: boolean;
  #closeReason: CloseReason | null = null;
  #lastPeerCheck = 0;
  readonly #rbuf: Uint8Array | null;
  readonly #hdr = { routeId: 0, frameId: 0, flags: 0 };

  constructor(name: string, tx: ShmRing, rx: ShmRing, options: ShmLaneOptions, creator: boolean) {
    this.#name = name;
    this.#tx = tx;
    this.#rx = rx;
    this.#creator = creator;
    this.#bp = new Backpressure(options, this.#c, `Cannot open shm lane "${name}"`);
    this.policy = this.#bp.policy;
    this.maxPayload = Math.min(options.maxPayload ?? tx.maxPayload, tx.maxPayload);
    this.#spinNs = options.spinNs ?? 20_000;
    this.#capacity = tx.capacity;
    this.#rbuf = options.reuseReceiveBuffer ? new Uint8Array(rx.maxPayload + 24) : null;
  }

  get closeReason(): CloseReason | null {
    return this.#closeReason;
  }

  #broken(reason: "peer_gone" | "peer_closed", cause?: unknown): LinkBrokenError {
    this.#closeReason ??= reason;
    return new LinkBrokenError(
      `Cannot send on shm lane "${this.#name}": the peer ${
        reason === "peer_gone" ? "process is gone" : "closed its end"
      }`,
      reason,
      { cause },
    );
  }

  #ensureOpen(): void {
    const r = this.#closeReason;
    if (r === "local") throw new TypeError(`Cannot use shm lane "${this.#name}": it is closed`);
    if (r !== null) throw this.#broken(r === "peer_closed" ? "peer_closed" : "peer_gone");
  }

  /** 0 full, 1 sent, 2 sent with the MARK flag. */
  #push(payload: Uint8Array, header: FrameHeader): number {
    const flags = this.#bp.flagsFor(header);
    // One reused header object: fewer short-lived allocations means fewer GC pauses in
    // the latency tail.
    const h = this.#hdr;
    h.routeId = header.routeId;
    h.frameId = header.frameId;
    h.flags = flags;
    const used = this.#tx.push(payload, h);
    if (used === 0) return 0;
    this.#bp.onSent(flags, payload.length, used / this.#capacity);
    return flags & FrameFlags.MARK ? 2 : 1;
  }

  #drain(): void {
    const q = this.#bp.queue;
    while (q.length > 0 && this.#push(q[0].payload, q[0].header) !== 0) this.#bp.shift();
  }

  #checkPeer(force: boolean): void {
    const now = performance.now();
    if (!force && now - this.#lastPeerCheck < PEER_CHECK_MS) return;
    this.#lastPeerCheck = now;
    const st = this.#tx.peerState();
    if (st === "gone") throw this.#broken("peer_gone");
    if (st === "closed") throw this.#broken("peer_closed");
  }

  #checkSize(payload: Uint8Array): void {
    if (payload.length > this.maxPayload) {
      throw new RangeError(
        `Cannot send on shm lane "${this.#name}": payload ${payload.length} exceeds max ${this.maxPayload}`,
      );
    }
  }

  send(payload: Uint8Array, header: FrameHeader): SendStatus {
    this.#ensureOpen();
    this.#checkSize(payload);
    const bp = this.#bp;
    if (bp.queue.length > 0) {
      this.#drain();
      // Order is kept: while older frames wait, a new one queues behind them.
      if (bp.queue.length > 0) {
        this.#checkPeer(false);
        return bp.enqueue(payload, header);
      }
    }
    const r = this.#push(payload, header);
    if (r !== 0) return r === 2 ? "marked" : "sent";
    this.#checkPeer(false);
    return bp.onFull(payload, header);
  }

  async #waitSpace(len: number): Promise<void> {
    try {
      if (!this.#tx.waitSpace(len, { spinNs: this.#spinNs, timeoutMs: 0 })) {
        await this.#tx.waitSpaceAsync(len, { timeoutMs: POLL_SLICE_MS });
      }
    } catch (e) {
      if (e instanceof PeerGoneError) {
        throw this.#broken(e.status === NativeStatus.PEER_CLOSED ? "peer_closed" : "peer_gone", e);
      }
      throw e;
    }
  }

  async write(payload: Uint8Array, header: FrameHeader): Promise<void> {
    this.#checkSize(payload);
    for (;;) {
      this.#ensureOpen();
      if (this.#bp.queue.length > 0) {
        this.#drain();
        if (this.#bp.queue.length > 0) {
          await this.#waitSpace(this.#bp.queue[0].payload.length);
          continue;
        }
      }
      if (this.#push(payload, header) !== 0) return;
      await this.#waitSpace(payload.length);
    }
  }

  async flush(): Promise<void> {
    while (this.#bp.queue.length > 0) {
      this.#ensureOpen();
      this.#drain();
      if (this.#bp.queue.length > 0) await this.#waitSpace(this.#bp.queue[0].payload.length);
    }
  }

  tryReceive(): Frame | null {
    if (this.#closeReason === "local") return null;
    const rx = this.#rx;
    for (;;) {
      let buf = this.#rbuf;
      if (buf === null) {
        // Peek first so each frame gets a buffer of exactly its size.
        const len = rx.peek();
        if (len === 0) return null;
        buf = new Uint8Array(len);
      }
      const r = rx.pop(buf);
      if (typeof r === "number") {
        if (r === 0) return null;
        this.#c.received++;
        this.#c.bytesReceived += r - 24;
        // Header fields read byte-wise (little-endian) rather than through a new DataView.
        return {
          flags: buf[4] | (buf[5] << 8),
          routeId: (buf[8] | (buf[9] << 8) | (buf[10] << 16) | (buf[11] << 24)) >>> 0,
          frameId: (buf[12] | (buf[13] << 8) | (buf[14] << 16) | (buf[15] << 24)) >>> 0,
          payload: buf.subarray(24, r),
        };
      }
      this.#c.drops[r]++;
    }
  }

  async receive(options: ReceiveOptions = {}): Promise<Frame | null> {
    const deadline = options.timeoutMs === undefined
      ? Infinity
      : performance.now() + options.timeoutMs;
    for (;;) {
      if (this.#closeReason === "local") return null;
      const f = this.tryReceive();
      if (f !== null) return f;
      if (this.#closeReason !== null) return null;
      const left = deadline - performance.now();
      if (left <= 0) {
        throw new Deno.errors.TimedOut(
          `Cannot receive on shm lane "${this.#name}": nothing within ${options.timeoutMs} ms`,
        );
      }
      try {
        if (!this.#rx.waitData({ spinNs: this.#spinNs, timeoutMs: 0 })) {
          await this.#rx.waitDataAsync({
            timeoutMs: Math.ceil(Math.max(1, Math.min(POLL_SLICE_MS, left))),
          });
        }
      } catch (e) {
        if (this.#closeReason === "local") return null;
        if (e instanceof PeerGoneError) {
          // Everything the peer queued before leaving is still delivered first.
          if (this.#rx.peek() > 0) continue;
          this.#closeReason = e.status === NativeStatus.PEER_CLOSED ? "peer_closed" : "peer_gone";
          return null;
        }
        if (e instanceof NativeError && e.status === NativeStatus.CLOSED) return null;
        throw e;
      }
    }
  }

  counters(): LinkCounters {
    const c = snapshotCounters(this.#c);
    return c;
  }

  close(): Promise<void> {
    if (this.#closeReason !== "local") {
      this.#closeReason = "local";
      this.#tx.close();
      this.#rx.close();
      if (this.#creator) {
        const { c2a, a2c } = ringNames(this.#name);
        for (const n of [c2a, a2c]) {
          try {
            ShmRing.unlink(n);
          } catch { /* already removed by the attacher */ }
        }
      }
    }
    return Promise.resolve();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
