/**
 * A lane over any connected stream socket: length-prefixed RTT frames,
 * checked on receipt. The uds and tcp lanes only open the socket.
 *
 * @module
 */
import {
  decodeFrame,
  DEFAULT_MAX_PAYLOAD,
  encodeFrameInto,
  type Frame,
  FRAME_HEADER_SIZE,
  FrameFlags,
  type FrameHeader,
} from "../frame/mod.ts";
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

/** Options of a socket lane. */
export interface StreamLaneOptions extends LaneOptions {
  /**
   * Bytes handed to the lane but not yet to the kernel beyond which the link counts as
   * full and the policy applies (default 1 MiB).
   */
  capacityBytes?: number;
  /** Received frames held before reading pauses, pushing back on the sender (default 4096). */
  receiveQueueFrames?: number;
}

/** Each frame on the wire is preceded by its length (u32 LE) so the reader can resync-check. */
const PREFIX = 4;
const COALESCE = 256 * 1024;

type Waiter = { resolve: () => void; reject: (e: unknown) => void };

/**
 * A Lane over a connected stream socket (Unix or TCP): length-prefixed RTT frames, verified
 * on receipt. A length prefix that cannot be a frame ends the link (protocol_error), since
 * a byte stream cannot be resynchronised after it.
 */
export function streamLane(
  conn: Deno.Conn,
  kind: "uds" | "tcp",
  options: StreamLaneOptions & { label: string },
): Lane {
  return new StreamLane(conn, kind, options);
}

class StreamLane implements Lane {
  readonly kind: "uds" | "tcp";
  readonly policy;
  readonly maxPayload: number;
  readonly #label: string;
  readonly #conn: Deno.Conn;
  readonly #bp: Backpressure;
  readonly #c = newCounters();
  readonly #capacity: number;
  readonly #rqLimit: number;
  #closeReason: CloseReason | null = null;
  #brokenCause: unknown;
  // send side
  #outq: Uint8Array[] = [];
  #pending = 0;
  #pumping = false;
  #spaceWaiters: Waiter[] = [];
  // receive side
  #rq: Frame[] = [];
  #rqHead = 0;
  #ended = false;
  #recvWaiters: Waiter[] = [];
  #resumeRead: (() => void) | null = null;
  #readError: unknown = null;

  constructor(
    conn: Deno.Conn,
    kind: "uds" | "tcp",
    options: StreamLaneOptions & { label: string },
  ) {
    this.kind = kind;
    this.#conn = conn;
    this.#label = options.label;
    const ctx = `Cannot open ${kind} lane ${options.label}`;
    this.#bp = new Backpressure(options, this.#c, ctx);
    this.policy = this.#bp.policy;
    this.maxPayload = options.maxPayload ?? DEFAULT_MAX_PAYLOAD;
    if (
      !Number.isInteger(this.maxPayload) || this.maxPayload < 0 || this.maxPayload > 0x7fff_0000
    ) {
      throw new RangeError(`${ctx}: maxPayload ${this.maxPayload} is out of range`);
    }
    this.#capacity = options.capacityBytes ?? 1 << 20;
    this.#rqLimit = options.receiveQueueFrames ?? 4096;
    this.#readLoop();
  }

  get closeReason(): CloseReason | null {
    return this.#closeReason;
  }

  #brokenError(): LinkBrokenError {
    const r = this.#closeReason;
    const reason = r === "peer_closed" || r === "peer_gone" || r === "protocol_error" ? r : "local";
    return new LinkBrokenError(
      `Cannot send on ${this.kind} lane ${this.#label}: link ended (${reason})`,
      reason,
      { cause: this.#brokenCause },
    );
  }

  #ensureOpen(): void {
    if (this.#closeReason === "local") {
      throw new TypeError(`Cannot use ${this.kind} lane ${this.#label}: it is closed`);
    }
    if (this.#closeReason !== null) throw this.#brokenError();
  }

  #checkSize(payload: Uint8Array): void {
    if (payload.length > this.maxPayload) {
      throw new RangeError(
        `Cannot send on ${this.kind} lane ${this.#label}: payload ${payload.length} exceeds max ${this.maxPayload}`,
      );
    }
  }

  #fits(len: number): boolean {
    // An idle link always takes one frame, however large, so progress is guaranteed.
    return this.#pending === 0 ||
      this.#pending + PREFIX + FRAME_HEADER_SIZE + len <= this.#capacity;
  }

  /** Encodes and queues for the pump; returns 2 when the frame carried MARK. */
  #enqueue(payload: Uint8Array, header: FrameHeader): number {
    const flags = this.#bp.flagsFor(header);
    const rec = new Uint8Array(PREFIX + FRAME_HEADER_SIZE + payload.length);
    new DataView(rec.buffer).setUint32(0, FRAME_HEADER_SIZE + payload.length, true);
    encodeFrameInto(payload, { routeId: header.routeId, frameId: header.frameId, flags }, {
      out: rec,
      offset: PREFIX,
    });
    this.#outq.push(rec);
    this.#pending += rec.length;
    this.#bp.onSent(flags, payload.length, this.#pending / this.#capacity);
    if (!this.#pumping) this.#pump();
    return flags & FrameFlags.MARK ? 2 : 1;
  }

  #drainBuffered(): void {
    const q = this.#bp.queue;
    while (q.length > 0 && this.#fits(q[0].payload.length)) {
      this.#enqueue(q[0].payload, q[0].header);
      this.#bp.shift();
    }
  }

  async #pump(): Promise<void> {
    this.#pumping = true;
    try {
      while (this.#outq.length > 0 && this.#closeReason === null) {
        let buf: Uint8Array;
        if (this.#outq.length === 1 || this.#outq[0].length >= COALESCE) {
          buf = this.#outq.shift()!;
        } else {
          let n = 0;
          let k = 0;
          while (k < this.#outq.length && n + this.#outq[k].length <= COALESCE) {
            n += this.#outq[k++].length;
          }
          buf = new Uint8Array(n);
          let off = 0;
          for (const b of this.#outq.splice(0, k)) {
            buf.set(b, off);
            off += b.length;
          }
        }
        let off = 0;
        while (off < buf.length) off += await this.#conn.write(buf.subarray(off));
        this.#pending -= buf.length;
        this.#drainBuffered();
        this.#wake(this.#spaceWaiters);
      }
    } catch (e) {
      if (this.#closeReason === null) {
        this.#closeReason = e instanceof Deno.errors.BrokenPipe ? "peer_closed" : "peer_gone";
        this.#brokenCause = e;
      }
      this.#fail(this.#spaceWaiters, this.#brokenError());
    } finally {
      this.#pumping = false;
    }
    this.#wake(this.#spaceWaiters);
  }

  #wake(ws: Waiter[]): void {
    for (const w of ws.splice(0)) w.resolve();
  }

  #fail(ws: Waiter[], e: unknown): void {
    for (const w of ws.splice(0)) w.reject(e);
  }

  #waitOn(ws: Waiter[]): Promise<void> {
    return new Promise((resolve, reject) => ws.push({ resolve, reject }));
  }

  send(payload: Uint8Array, header: FrameHeader): SendStatus {
    this.#ensureOpen();
    this.#checkSize(payload);
    const bp = this.#bp;
    if (bp.queue.length > 0) {
      this.#drainBuffered();
      if (bp.queue.length > 0) return bp.enqueue(payload, header);
    }
    if (this.#fits(payload.length)) return this.#enqueue(payload, header) === 2 ? "marked" : "sent";
    return bp.onFull(payload, header);
  }

  async write(payload: Uint8Array, header: FrameHeader): Promise<void> {
    this.#checkSize(payload);
    for (;;) {
      this.#ensureOpen();
      this.#drainBuffered();
      if (this.#bp.queue.length === 0 && this.#fits(payload.length)) {
        this.#enqueue(payload, header);
        return;
      }
      await this.#waitOn(this.#spaceWaiters);
    }
  }

  async flush(): Promise<void> {
    for (;;) {
      this.#ensureOpen();
      this.#drainBuffered();
      if (this.#bp.queue.length === 0 && this.#pending === 0) return;
      await this.#waitOn(this.#spaceWaiters);
    }
  }

  async #readLoop(): Promise<void> {
    let buf = new Uint8Array(256 * 1024);
    let start = 0;
    let end = 0;
    const maxRec = PREFIX + FRAME_HEADER_SIZE + this.maxPayload;
    try {
      for (;;) {
        if (this.#rq.length - this.#rqHead >= this.#rqLimit) {
          await new Promise<void>((r) => (this.#resumeRead = r));
          this.#resumeRead = null;
          if (this.#closeReason === "local") return;
        }
        if (end === buf.length) {
          // Make room: compact, or grow up to one whole record.
          if (start > 0) {
            buf.copyWithin(0, start, end);
            end -= start;
            start = 0;
          } else {
            const bigger = new Uint8Array(Math.min(buf.length * 2, Math.max(maxRec, buf.length)));
            if (bigger.length <= buf.length) throw new Error("record larger than buffer");
            bigger.set(buf.subarray(0, end));
            buf = bigger;
          }
        }
        const n = await this.#conn.read(buf.subarray(end));
        if (n === null) break;
        end += n;
        const dv = new DataView(buf.buffer);
        let delivered = false;
        while (end - start >= PREFIX) {
          const len = dv.getUint32(start, true);
          if (len < FRAME_HEADER_SIZE || len > FRAME_HEADER_SIZE + this.maxPayload) {
            this.#c.drops.bad_length++;
            this.#closeReason ??= "protocol_error";
            this.#brokenCause = new SyntaxError(
              `${this.kind} lane ${this.#label}: length prefix ${len} cannot be a frame (max payload ${this.maxPayload})`,
            );
            try {
              this.#conn.close();
            } catch { /* already closed */ }
            return;
          }
          if (end - start < PREFIX + len) {
            if (PREFIX + len > buf.length - start && start > 0) {
              buf.copyWithin(0, start, end);
              end -= start;
              start = 0;
            }
            if (PREFIX + len > buf.length) {
              const bigger = new Uint8Array(Math.max(PREFIX + len, buf.length * 2));
              bigger.set(buf.subarray(start, end));
              end -= start;
              start = 0;
              buf = bigger;
            }
            break;
          }
          const rec = buf.subarray(start + PREFIX, start + PREFIX + len);
          const r = decodeFrame(rec, { maxPayload: this.maxPayload, exact: true });
          start += PREFIX + len;
          if (!r.ok) {
            this.#c.drops[r.reason]++;
          } else {
            // Copy out: the read buffer is reused.
            const f = r.frame;
            this.#rq.push({ ...f, payload: f.payload.slice() });
            this.#c.received++;
            this.#c.bytesReceived += f.payload.length;
            delivered = true;
          }
        }
        if (start === end) start = end = 0;
        if (delivered) this.#wake(this.#recvWaiters);
      }
      if (this.#closeReason === null) this.#closeReason = "peer_closed";
    } catch (e) {
      if (this.#closeReason === null) {
        this.#closeReason = "peer_gone";
        this.#brokenCause = e;
      }
      this.#readError = e;
    } finally {
      this.#ended = true;
      this.#wake(this.#recvWaiters);
      this.#fail(this.#spaceWaiters, this.#brokenError());
    }
  }

  tryReceive(): Frame | null {
    if (this.#rqHead >= this.#rq.length) return null;
    const f = this.#rq[this.#rqHead];
    this.#rq[this.#rqHead++] = undefined as unknown as Frame;
    if (this.#rqHead >= 1024 && this.#rqHead * 2 >= this.#rq.length) {
      this.#rq = this.#rq.slice(this.#rqHead);
      this.#rqHead = 0;
    }
    if (this.#resumeRead && this.#rq.length - this.#rqHead < this.#rqLimit / 2) this.#resumeRead();
    return f;
  }

  async receive(options: ReceiveOptions = {}): Promise<Frame | null> {
    const deadline = options.timeoutMs === undefined
      ? Infinity
      : performance.now() + options.timeoutMs;
    for (;;) {
      const f = this.tryReceive();
      if (f !== null) return f;
      if (this.#ended || this.#closeReason === "local") return null;
      const left = deadline - performance.now();
      if (left <= 0) {
        throw new Deno.errors.TimedOut(
          `Cannot receive on ${this.kind} lane ${this.#label}: nothing within ${options.timeoutMs} ms`,
        );
      }
      if (left === Infinity) {
        await this.#waitOn(this.#recvWaiters);
      } else {
        let timer: ReturnType<typeof setTimeout> | undefined;
        await Promise.race([
          this.#waitOn(this.#recvWaiters),
          new Promise<void>((r) => (timer = setTimeout(r, left))),
        ]);
        clearTimeout(timer);
      }
    }
  }

  counters(): LinkCounters {
    return snapshotCounters(this.#c);
  }

  close(): Promise<void> {
    if (this.#closeReason !== "local") {
      this.#closeReason = "local";
      try {
        this.#conn.close();
      } catch { /* already closed by the peer */ }
      this.#resumeRead?.();
      this.#wake(this.#recvWaiters);
      this.#fail(this.#spaceWaiters, this.#brokenError());
    }
    return Promise.resolve();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /** For diagnostics: the error that ended the read loop, if any. */
  get readError(): unknown {
    return this.#readError;
  }
}
