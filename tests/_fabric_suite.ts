// Cross-process behaviour every lane must have; each tests/fabric_<lane>_test.ts runs it.
import assert from "node:assert/strict";
import {
  FrameFlags,
  type Lane,
  type LaneKind,
  LinkBrokenError,
  openShmLane,
  type SendStatus,
} from "../lib/fabric/mod.ts";
import { type DoneEvent, type Endpoint, payloadOf, Peer, serve, until } from "./_fabric_harness.ts";

export const MILLION = 1_000_000;

/** Streams `count` frames lossless through `kind` to a receiving peer and checks its report. */
export async function streamToPeer(
  kind: LaneKind,
  count: number,
  opts: { capacity?: number } = {},
): Promise<DoneEvent> {
  const srv = await serve(kind, opts);
  const peer = new Peer({ mode: "receive", endpoint: srv.peer, count });
  let lane: Lane | undefined;
  try {
    lane = await srv.accept();
    await until(peer, "ready");
    let bytes = 0;
    for (let i = 0; i < count; i++) {
      const p = payloadOf(i);
      bytes += p.length;
      await lane.write(p, { routeId: 7, frameId: i });
    }
    await lane.flush();
    const done = (await until(peer, "done")) as unknown as DoneEvent;
    assert.equal(await peer.finish(), 0);
    assert.equal(lane.counters().sent, count);
    assert.equal(lane.counters().bytesSent, bytes);
    return done;
  } finally {
    peer.kill();
    await lane?.close();
    await srv.cleanup();
  }
}

/** Asserts a peer report shows every frame delivered intact, verified and in order. */
export function assertIntact(done: DoneEvent, count: number): void {
  assert.equal(done.errors, 0, done.firstError);
  assert.equal(done.received, count);
  assert.equal(done.counters.received, count);
  assert.deepEqual(done.counters.drops, {
    bad_magic: 0,
    bad_length: 0,
    bad_crc: 0,
    taildrop: 0,
    buffer_full: 0,
  });
}

/** Kills the consumer mid-stream and returns how the producer learnt of it. */
export async function killConsumer(kind: LaneKind): Promise<{ error: unknown; ms: number }> {
  const srv = await serve(kind);
  const peer = new Peer({ mode: "receive", endpoint: srv.peer });
  let lane: Lane | undefined;
  try {
    lane = await srv.accept();
    await until(peer, "ready");
    let i = 0;
    // Stream until the peer has taken 1000 frames, then kill it while frames are in flight.
    const progress = until(peer, "progress");
    let seen = false;
    progress.then(() => (seen = true), () => {});
    while (!seen) {
      await lane.write(payloadOf(i), { routeId: 7, frameId: i });
      i++;
      if (i % 256 === 0) await new Promise((r) => setTimeout(r, 0));
    }
    peer.kill();
    await peer.child.status;
    const t0 = performance.now();
    // Bounded: give up after 30 s (a hang here is the failure this test exists for).
    while (performance.now() - t0 < 30_000) {
      try {
        await lane.write(payloadOf(i), { routeId: 7, frameId: i });
        i++;
        if (i % 256 === 0) await new Promise((r) => setTimeout(r, 0));
      } catch (e) {
        return { error: e, ms: performance.now() - t0 };
      }
    }
    return { error: null, ms: performance.now() - t0 };
  } finally {
    peer.kill();
    await lane?.close();
    await srv.cleanup();
  }
}

/** Fills a link whose receiver does not read, under `policy`, then drains and checks. */
export async function fullLink(
  kind: LaneKind,
  policy: "taildrop" | "mark" | "nack" | "buffer",
): Promise<{ statuses: SendStatus[]; done: DoneEvent; lane: Lane }> {
  const laneOpts = { policy, capacityBytes: 64 * 1024, bufferFrames: 64, capacity: 64 * 1024 };
  const srv = await serve(kind, laneOpts);
  const peer = new Peer({
    mode: "hold",
    endpoint: srv.peer,
    size: 1000,
    opts: { receiveQueueFrames: 16 },
  });
  let lane: Lane | undefined;
  try {
    lane = await srv.accept();
    await until(peer, "ready");
    const statuses: SendStatus[] = [];
    let fullAt = -1;
    for (let i = 0; i < 50_000; i++) {
      const s = lane.send(payloadOf(i, 1000), { routeId: 7, frameId: i });
      statuses.push(s);
      if (s !== "sent" && s !== "marked" && fullAt < 0) fullAt = i;
      if (fullAt >= 0 && i >= fullAt + 200) break;
      // Sockets: let the pump hand data to the kernel until its buffers are full too.
      if (fullAt < 0 && i % 32 === 0) await new Promise((r) => setTimeout(r, 0));
    }
    assert.ok(fullAt >= 0, "the link never became full");
    await peer.tell("go");
    await lane.flush();
    await lane.close();
    const done = (await until(peer, "done")) as unknown as DoneEvent;
    assert.equal(await peer.finish(), 0);
    return { statuses, done, lane };
  } finally {
    peer.kill();
    await lane?.close();
    await srv.cleanup();
  }
}

/** Has a peer write three corrupted frames then three good ones; returns what arrived. */
export async function corrupted(
  kind: LaneKind,
): Promise<{ ids: number[]; lane: Lane }> {
  let endpoint: Endpoint;
  let accept: () => Promise<Lane>;
  let cleanup = () => Promise.resolve();
  if (kind === "shm") {
    const name = `c-${Deno.pid}-${crypto.randomUUID().slice(0, 8)}`;
    endpoint = { kind, name, role: "create" };
    accept = () => openShmLane(name, { role: "attach" });
  } else {
    const srv = await serve(kind);
    endpoint = srv.peer;
    accept = srv.accept;
    cleanup = srv.cleanup;
  }
  const peer = new Peer({ mode: "corrupt", endpoint });
  let lane: Lane | undefined;
  try {
    if (kind === "shm") await until(peer, "ready");
    lane = await accept();
    if (kind !== "shm") await until(peer, "ready");
    const ids: number[] = [];
    while (ids.length < 3) {
      const f = await lane.receive({ timeoutMs: 10_000 });
      assert.ok(f, "stream ended early");
      ids.push(f.frameId);
    }
    await peer.tell("go");
    assert.equal(await peer.finish(), 0);
    return { ids, lane };
  } finally {
    peer.kill();
    await lane?.close();
    await cleanup();
  }
}

/** Kills the producer mid-stream; returns what the receiver saw afterwards. */
export async function killProducer(
  kind: LaneKind,
): Promise<{ received: number; end: null | "timeout"; reason: string | null }> {
  const srv = await serve(kind);
  const peer = new Peer({ mode: "send", endpoint: srv.peer, count: 100_000_000 });
  let lane: Lane | undefined;
  try {
    lane = await srv.accept();
    await until(peer, "ready");
    let received = 0;
    while (received < 1000) {
      const f = await lane.receive({ timeoutMs: 10_000 });
      assert.ok(f, "stream ended before the kill");
      received++;
    }
    peer.kill();
    await peer.child.status;
    // Whatever was queued still arrives, then end of stream; bounded by a 30 s timeout.
    for (;;) {
      try {
        const f = await lane.receive({ timeoutMs: 30_000 });
        if (f === null) return { received, end: null, reason: lane.closeReason };
        received++;
      } catch (e) {
        if (e instanceof Deno.errors.TimedOut) {
          return { received, end: "timeout", reason: lane.closeReason };
        }
        throw e;
      }
    }
  } finally {
    peer.kill();
    await lane?.close();
    await srv.cleanup();
  }
}

/** Registers the whole cross-process suite for one lane. */
export function laneSuite(kind: LaneKind, ignore: boolean): void {
  Deno.test({
    name: `${kind} lane carries 1,000,000 mixed-size frames across processes intact and in order`,
    ignore,
    async fn() {
      assertIntact(await streamToPeer(kind, MILLION), MILLION);
    },
  });

  Deno.test({
    name: `${kind} lane producer notices a consumer killed mid-stream`,
    ignore,
    async fn() {
      const { error, ms } = await killConsumer(kind);
      assert.ok(error instanceof LinkBrokenError, `no LinkBrokenError within 30 s: ${error}`);
      assert.ok(["peer_gone", "peer_closed"].includes(error.reason));
      console.log(`  ${kind}: producer noticed the dead consumer after ${ms.toFixed(1)} ms`);
    },
  });

  Deno.test({
    name: `${kind} lane receiver sees end of stream when the producer is killed mid-stream`,
    ignore,
    async fn() {
      const { received, end, reason } = await killProducer(kind);
      assert.equal(end, null, "receive() never reported the end of stream");
      assert.ok(received >= 1000);
      // A killed process and a clean close look alike on a socket; shm reads the pid.
      if (kind === "shm") assert.equal(reason, "peer_gone");
      else assert.ok(reason === "peer_closed" || reason === "peer_gone", String(reason));
    },
  });

  Deno.test({
    name: `${kind} lane counts corrupted frames as drops and delivers only good ones`,
    ignore,
    async fn() {
      const { ids, lane } = await corrupted(kind);
      assert.deepEqual(ids, [0, 1, 2]);
      const d = lane.counters().drops;
      assert.equal(d.bad_crc, 1);
      assert.equal(d.bad_magic, 1);
      assert.equal(d.bad_length, 1);
      assert.equal(lane.counters().received, 3);
    },
  });

  Deno.test({
    name: `${kind} lane full under taildrop drops newest frames, delivers the rest in order`,
    ignore,
    async fn() {
      const { statuses, done, lane } = await fullLink(kind, "taildrop");
      const c = lane.counters();
      assert.ok(c.drops.taildrop > 0);
      assert.equal(c.drops.taildrop, statuses.filter((s) => s === "dropped").length);
      assert.equal(done.errors, 0, done.firstError);
      assert.equal(done.received, c.sent);
    },
  });

  Deno.test({
    name: `${kind} lane full under nack refuses frames to the sender and loses none it accepted`,
    ignore,
    async fn() {
      const { statuses, done, lane } = await fullLink(kind, "nack");
      const c = lane.counters();
      assert.ok(c.nacked > 0);
      assert.equal(c.nacked, statuses.filter((s) => s === "nacked").length);
      assert.equal(c.drops.taildrop, 0);
      assert.equal(done.errors, 0, done.firstError);
      assert.equal(done.received, c.sent);
    },
  });

  Deno.test({
    name: `${kind} lane full under mark flags the frame after each drop`,
    ignore,
    async fn() {
      const { statuses, done, lane } = await fullLink(kind, "mark");
      const c = lane.counters();
      assert.ok(c.drops.taildrop > 0);
      // Every frame accepted right after a drop must arrive marked.
      for (let i = 1; i < statuses.length; i++) {
        if (statuses[i - 1] === "dropped" && statuses[i] !== "dropped") {
          assert.ok(done.marks.includes(i), `frame ${i} after a drop was not marked`);
        }
      }
      assert.equal(done.marks.length, c.marked);
      assert.equal(done.errors, 0, done.firstError);
      assert.equal(done.received, c.sent);
      assert.equal(FrameFlags.MARK, 1);
    },
  });

  Deno.test({
    name: `${kind} lane full under buffer holds a bounded backlog and delivers it after draining`,
    ignore,
    async fn() {
      const { statuses, done, lane } = await fullLink(kind, "buffer");
      const c = lane.counters();
      assert.ok(statuses.includes("buffered"));
      assert.ok(c.drops.buffer_full > 0, "the 64-frame bound was reached");
      assert.equal(c.buffered, statuses.filter((s) => s === "buffered").length);
      assert.equal(done.errors, 0, done.firstError);
      assert.equal(done.received, c.sent);
      assert.equal(c.sent + c.drops.buffer_full, statuses.length);
    },
  });
}
