/**
 * {@linkcode ShmRing}: one end of a shared-memory single-producer single-consumer ring of
 * RTT frames, implemented natively (`ffi/src/ring.rs`; layout in ARCHITECTURE.md, "Shared-memory
 * ring").
 *
 * @module
 */
import { NativeUnavailableError, statusError } from "./errors.ts";
import { lastNativeError, native, nativeStatus } from "./load.ts";
import type { NativeLibrary } from "./symbols.ts";
import { NativeStatus } from "./symbols.ts";

/** Which end of a ring this handle is. */
export type RingRole = "producer" | "consumer";

/** Why a frame popped from a ring was not delivered. */
export type RingDropReason = "bad_magic" | "bad_length" | "bad_crc";

/** Options for {@linkcode ShmRing.create}. */
export interface RingCreateOptions {
  /** Data area in bytes: a power of two in 4096..2^30. */
  capacity: number;
  /** Largest payload accepted (default and maximum: about half the capacity). */
  maxPayload?: number;
  /** Role of the creating process. */
  role: RingRole;
}

/** Frame header fields for {@linkcode ShmRing.push}. */
export interface PushHeader {
  /** Route the frame belongs to. */
  routeId: number;
  /** Sequence number within the route. */
  frameId: number;
  /** 16-bit flags (see lib/fabric frame flags). */
  flags?: number;
}

/** Wait tuning: spin briefly (cheap wake-up), then park on a futex (no CPU burnt). */
export interface WaitOptions {
  /** Busy-poll budget before parking, in nanoseconds (default 20 000). */
  spinNs?: number;
  /** Give up after this many milliseconds (default 1000). */
  timeoutMs?: number;
}

/** Process-local counters of one ring handle. */
export interface RingStats {
  /** Frames queued by this handle. */
  pushed: number;
  /** Frames delivered to this handle. */
  popped: number;
  /** Payload bytes queued. */
  bytesPushed: number;
  /** Payload bytes delivered. */
  bytesPopped: number;
  /** Frames dropped at pop, by reason. */
  drops: Record<RingDropReason, number>;
  /** Pushes refused because the ring was full. */
  fullEvents: number;
}

/** Peer liveness as read from the shared header (pid + closed flags). */
export type PeerState = "alive" | "gone" | "closed" | "unattached";

const enc = new TextEncoder();
const ROLE = { producer: 0, consumer: 1 } as const;

function requireLib(what: string): NativeLibrary {
  const lib = native();
  if (lib !== null) return lib;
  const st = nativeStatus();
  throw new NativeUnavailableError(st.available ? [] : st.error.attempts, {
    cause: new Error(`${what} needs the native library`),
  });
}

function checkRole(role: unknown, context: string): asserts role is RingRole {
  if (role !== "producer" && role !== "consumer") {
    throw new TypeError(`${context}: role must be "producer" or "consumer", got ${String(role)}`);
  }
}

// Wait budgets are clamped to whole u32s: Deno's FFI rejects a fractional u32 argument.
function budget(v: number | undefined, fallback: number): number {
  const n = v ?? fallback;
  return Number.isFinite(n) ? Math.min(0xffff_ffff, Math.max(0, Math.ceil(n))) : fallback;
}

function u32(v: number, what: string, context: string): number {
  if (!Number.isInteger(v) || v < 0 || v > 0xffff_ffff) {
    throw new RangeError(`${context}: ${what} ${v} is not a u32`);
  }
  return v;
}

/**
 * One end of a shared-memory SPSC ring (native). Frames are verified (magic, length, crc32c)
 * as they are copied out, so a corrupted frame is counted and never returned. Close it (or
 * use `using`) to unmap; closing twice is harmless.
 */
export class ShmRing implements Disposable {
  /** Object name under /dev/shm. */
  readonly name: string;
  /** This end's role. */
  readonly role: RingRole;
  /** Data area in bytes. */
  readonly capacity: number;
  /** Largest payload accepted. */
  readonly maxPayload: number;
  #lib: NativeLibrary;
  #h: number;
  #statsBuf = new BigUint64Array(8);

  private constructor(lib: NativeLibrary, name: string, role: RingRole, handle: number) {
    this.#lib = lib;
    this.name = name;
    this.role = role;
    this.#h = handle;
    const info = new Uint32Array(2);
    this.#check(lib.symbols.rtt_ring_info(handle, new Uint8Array(info.buffer)), "read info");
    this.capacity = info[0];
    this.maxPayload = info[1];
  }

  /**
   * Creates the shared object. A leftover object whose creator process is dead is replaced;
   * one whose creator is alive is refused with Deno.errors.AlreadyExists.
   */
  static create(name: string, options: RingCreateOptions): ShmRing {
    const ctx = `Cannot create ring "${name}"`;
    checkRole(options?.role, ctx);
    const cap = options.capacity;
    if (!Number.isInteger(cap) || cap <= 0 || (cap & (cap - 1)) !== 0) {
      throw new RangeError(`${ctx}: capacity ${cap} is not a power of two`);
    }
    const lib = requireLib(ctx);
    const n = enc.encode(name);
    const max = u32(options.maxPayload ?? 0, "max payload", ctx);
    const h = lib.symbols.rtt_ring_create(n, n.length, cap, max, ROLE[options.role]);
    if (h < 0) throw statusError(ctx, h, lastNativeError(lib));
    return new ShmRing(lib, name, options.role, h);
  }

  /** Attaches to a ring another process created; throws RingNotReadyError while it initialises. */
  static open(name: string, options: { role: RingRole }): ShmRing {
    const ctx = `Cannot open ring "${name}"`;
    checkRole(options?.role, ctx);
    const lib = requireLib(ctx);
    const n = enc.encode(name);
    const h = lib.symbols.rtt_ring_open(n, n.length, ROLE[options.role]);
    if (h < 0) throw statusError(ctx, h, lastNativeError(lib));
    return new ShmRing(lib, name, options.role, h);
  }

  /** Removes the name (mappings already open stay valid). */
  static unlink(name: string): void {
    const ctx = `Cannot unlink ring "${name}"`;
    const lib = requireLib(ctx);
    const n = enc.encode(name);
    const r = lib.symbols.rtt_ring_unlink(n, n.length);
    if (r < 0) throw statusError(ctx, r, lastNativeError(lib));
  }

  /** Unlinks rings named `prefix*` left by dead processes; returns how many were removed. */
  static sweep(prefix: string): number {
    const ctx = `Cannot sweep rings "${prefix}*"`;
    const lib = requireLib(ctx);
    const n = enc.encode(prefix);
    const r = lib.symbols.rtt_shm_sweep(n, n.length);
    if (r < 0) throw statusError(ctx, r, lastNativeError(lib));
    return r;
  }

  #check(r: number, what: string): number {
    if (r < 0) {
      throw statusError(`Cannot ${what} on ring "${this.name}"`, r, lastNativeError(this.#lib));
    }
    return r;
  }

  /** Whether close() has run. */
  get closed(): boolean {
    return this.#h === 0;
  }

  /**
   * Queues one frame, computing its crc while copying. Returns the bytes queued afterwards,
   * or 0 when the ring is full (the caller's backpressure policy decides what happens next).
   */
  push(payload: Uint8Array, header: PushHeader): number {
    const r = this.#lib.symbols.rtt_ring_push(
      this.#h,
      payload,
      payload.length,
      header.routeId,
      header.frameId,
      header.flags ?? 0,
    );
    return r < 0 ? this.#check(r, "push") : r;
  }

  /**
   * Queues encoded frames laid end to end, as many as fit, with one wake-up. With
   * `fillCrc` the crc field is computed natively. Returns how many frames were queued.
   */
  pushBatch(frames: Uint8Array, options: { fillCrc?: boolean } = {}): number {
    const r = this.#lib.symbols.rtt_ring_push_batch(
      this.#h,
      frames,
      frames.length,
      options.fillCrc ? 1 : 0,
    );
    return r < 0 ? this.#check(r, "push batch") : r;
  }

  /** Queues bytes as one record without any check: lets tests inject corrupted frames. */
  pushRaw(bytes: Uint8Array): boolean {
    return this.#check(
      this.#lib.symbols.rtt_ring_push_raw(this.#h, bytes, bytes.length),
      "push raw",
    ) === 1;
  }

  /** Length (header included) of the next frame, 0 when empty. */
  peek(): number {
    const r = this.#lib.symbols.rtt_ring_peek(this.#h);
    return r < 0 ? this.#check(r, "peek") : r;
  }

  /**
   * Copies the next frame (24-byte header + payload) into `out`. Returns its length, 0 when
   * the ring is empty, or the reason it was dropped (consumed, counted, not copied).
   */
  pop(out: Uint8Array): number | RingDropReason {
    const r = this.#lib.symbols.rtt_ring_pop(this.#h, out, out.length);
    if (r >= 0) return r;
    if (r === NativeStatus.DROP_CRC) return "bad_crc";
    if (r === NativeStatus.DROP_MAGIC) return "bad_magic";
    if (r === NativeStatus.DROP_LENGTH) return "bad_length";
    return this.#check(r, "pop");
  }

  /** Copies up to `max` verified frames end to end into `out`; returns how many. */
  popBatch(out: Uint8Array, max: number): number {
    const r = this.#lib.symbols.rtt_ring_pop_batch(this.#h, out, out.length, max);
    return r < 0 ? this.#check(r, "pop batch") : r;
  }

  /**
   * Blocks the calling thread until data is queued: true when data is there, false on
   * timeout; throws PeerGoneError once the producer has left and the ring is drained.
   */
  waitData(options: WaitOptions = {}): boolean {
    const r = this.#lib.symbols.rtt_ring_wait_data(
      this.#h,
      budget(options.spinNs, 20_000),
      budget(options.timeoutMs, 1000),
    );
    return this.#check(r, "wait for data") === 1;
  }

  /** Like {@linkcode ShmRing.waitData} but parks off the JS thread, so the event loop keeps running. */
  async waitDataAsync(options: WaitOptions = {}): Promise<boolean> {
    const r = await this.#lib.symbols.rtt_ring_wait_data_async(
      this.#h,
      budget(options.spinNs, 0),
      budget(options.timeoutMs, 1000),
    );
    return this.#check(r, "wait for data") === 1;
  }

  /** Blocks until a frame with a `payloadLength` payload fits; false on timeout. */
  waitSpace(payloadLength: number, options: WaitOptions = {}): boolean {
    const r = this.#lib.symbols.rtt_ring_wait_space(
      this.#h,
      payloadLength,
      budget(options.spinNs, 20_000),
      budget(options.timeoutMs, 1000),
    );
    return this.#check(r, "wait for space") === 1;
  }

  /** Like {@linkcode ShmRing.waitSpace} but parks off the JS thread. */
  async waitSpaceAsync(payloadLength: number, options: WaitOptions = {}): Promise<boolean> {
    const r = await this.#lib.symbols.rtt_ring_wait_space_async(
      this.#h,
      payloadLength,
      budget(options.spinNs, 0),
      budget(options.timeoutMs, 1000),
    );
    return this.#check(r, "wait for space") === 1;
  }

  /** Whether the process at the other end is alive, dead, closed its end, or not attached. */
  peerState(): PeerState {
    const r = this.#check(this.#lib.symbols.rtt_ring_peer_state(this.#h), "read peer state");
    return (["gone", "alive", "unattached", "closed"] as const)[r] ?? "gone";
  }

  /** Bytes queued (records and padding). */
  used(): number {
    return this.#check(this.#lib.symbols.rtt_ring_used(this.#h), "read occupancy");
  }

  /** Counters of this handle. */
  stats(): RingStats {
    this.#check(
      this.#lib.symbols.rtt_ring_stats(this.#h, new Uint8Array(this.#statsBuf.buffer)),
      "read stats",
    );
    const s = Array.from(this.#statsBuf, Number);
    return {
      pushed: s[0],
      popped: s[1],
      bytesPushed: s[2],
      bytesPopped: s[3],
      drops: { bad_magic: s[4], bad_length: s[5], bad_crc: s[6] },
      fullEvents: s[7],
    };
  }

  /** Marks this end closed (the peer sees it) and unmaps; a second call does nothing. */
  close(): void {
    const h = this.#h;
    if (h === 0) return;
    this.#h = 0;
    this.#lib.symbols.rtt_ring_close(h);
  }

  /** Same as {@linkcode ShmRing.close}, for `using`. */
  [Symbol.dispose](): void {
    this.close();
  }
}
