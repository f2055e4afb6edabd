// Behaviour every lane must share, run against all three transports in one process.
import assert from "node:assert/strict";
import { openPair } from "../../testing/mod.ts";
import { shmAvailability } from "../shm/mod.ts";
import type { LaneKind } from "./mod.ts";
import { FrameFlags } from "../frame/mod.ts";
import { LANES } from "../../core/mod.ts";

const shm = shmAvailability();
if (!shm.available) console.log(`shm lane tests skipped: ${shm.reason}`);
const kinds = LANES;

function payload(i: number, len: number): Uint8Array {
  const p = new Uint8Array(len);
  for (let k = 0; k < len; k++) p[k] = (i + k) & 0xff;
  return p;
}

async function fillUntilFull(
  kind: LaneKind,
  a: import("./mod.ts").Lane,
  max: number,
  yieldEvery = 8,
): Promise<{ statuses: string[]; firstFull: number }> {
  const statuses: string[] = [];
  let firstFull = -1;
  for (let i = 0; i < max; i++) {
    const s = a.send(payload(i, 1000), { routeId: 1, frameId: i });
    statuses.push(s);
    if (s !== "sent" && s !== "marked" && firstFull < 0) firstFull = i;
    // Let socket pumps run so the kernel buffers really fill.
    if (kind !== "shm" && yieldEvery > 0 && i % yieldEvery === 0) {
      await new Promise((r) => setTimeout(r, 1));
    }
  }
  return { statuses, firstFull };
}

for (const kind of kinds) {
  const ignore = kind === "shm" && !shm.available;

  Deno.test({
    name: `${kind} lane send() and receive() deliver frames in order with their header`,
    ignore,
    async fn() {
      const [a, b] = await openPair(kind);
      try {
        for (let i = 0; i < 100; i++) {
          assert.equal(a.send(payload(i, i * 3), { routeId: 9, frameId: i, flags: 4 }), "sent");
        }
        for (let i = 0; i < 100; i++) {
          const f = await b.receive({ timeoutMs: 5000 });
          assert.ok(f);
          assert.equal(f.frameId, i);
          assert.equal(f.routeId, 9);
          assert.equal(f.flags, 4);
          assert.deepEqual(f.payload, payload(i, i * 3));
        }
        assert.equal(a.counters().sent, 100);
        assert.equal(b.counters().received, 100);
      } finally {
        await a.close();
        await b.close();
      }
    },
  });

  Deno.test({
    name: `${kind} lane receive() returns null after the peer closes and all frames are read`,
    ignore,
    async fn() {
      const [a, b] = await openPair(kind);
      try {
        await a.write(payload(1, 10), { routeId: 1, frameId: 1 });
        await a.flush();
        await a.close();
        assert.equal((await b.receive({ timeoutMs: 5000 }))?.frameId, 1);
        assert.equal(await b.receive({ timeoutMs: 5000 }), null);
        assert.equal(b.closeReason, "peer_closed");
      } finally {
        await b.close();
      }
    },
  });

  Deno.test({
    name: `${kind} lane receive() times out with Deno.errors.TimedOut`,
    ignore,
    async fn() {
      const [a, b] = await openPair(kind);
      try {
        await assert.rejects(b.receive({ timeoutMs: 20 }), Deno.errors.TimedOut);
      } finally {
        await a.close();
        await b.close();
      }
    },
  });

  Deno.test({
    name: `${kind} lane send() beyond maxPayload is a RangeError`,
    ignore,
    async fn() {
      const [a, b] = await openPair(kind, { maxPayload: 1000 });
      try {
        assert.throws(() => a.send(new Uint8Array(1001), { routeId: 0, frameId: 0 }), RangeError);
      } finally {
        await a.close();
        await b.close();
      }
    },
  });

  Deno.test({
    name: `${kind} lane close() twice is harmless and send() after close is a TypeError`,
    ignore,
    async fn() {
      const [a, b] = await openPair(kind);
      await a.close();
      await a.close();
      await b.close();
      assert.throws(() => a.send(new Uint8Array(1), { routeId: 0, frameId: 0 }), TypeError);
    },
  });

  // Full-queue policies: fill the link with the receiver not reading, then check the outcome.
  const small = kind === "shm"
    ? { capacity: 8192, maxPayload: 1024 }
    : { capacityBytes: 4096, maxPayload: 1024, receiveQueueFrames: 4 };

  Deno.test({
    name: `${kind} lane taildrop policy drops and counts frames once full`,
    ignore,
    async fn() {
      const [a, b] = await openPair(kind, { ...small, policy: "taildrop" });
      try {
        const { statuses, firstFull } = await fillUntilFull(kind, a, 2000);
        assert.ok(firstFull > 0, "the link became full");
        const dropped = statuses.filter((s) => s === "dropped").length;
        assert.ok(dropped > 0);
        assert.equal(a.counters().drops.taildrop, dropped);
        assert.equal(a.counters().sent + dropped, 2000);
      } finally {
        await a.close();
        await b.close();
      }
    },
  });

  Deno.test({
    name: `${kind} lane nack policy refuses frames to the caller without dropping silently`,
    ignore,
    async fn() {
      const [a, b] = await openPair(kind, { ...small, policy: "nack" });
      try {
        const { statuses } = await fillUntilFull(kind, a, 2000);
        const nacked = statuses.filter((s) => s === "nacked").length;
        assert.ok(nacked > 0);
        assert.equal(a.counters().nacked, nacked);
        assert.equal(a.counters().drops.taildrop, 0);
        assert.ok(!statuses.includes("dropped"));
      } finally {
        await a.close();
        await b.close();
      }
    },
  });

  Deno.test({
    name: `${kind} lane mark policy flags the frame after a drop and above the high-water mark`,
    ignore,
    async fn() {
      const [a, b] = await openPair(kind, { ...small, policy: "mark", markThreshold: 0.5 });
      try {
        const { statuses } = await fillUntilFull(kind, a, 2000);
        assert.ok(statuses.includes("dropped"));
        // Drain, then send one more: it must carry MARK because frames were dropped.
        const seen: number[] = [];
        while (true) {
          const f = a.counters().sent === seen.length ? null : await b.receive({ timeoutMs: 5000 });
          if (f === null) break;
          seen.push(f.flags);
        }
        assert.ok(seen.some((fl) => (fl & FrameFlags.MARK) !== 0), "marked frames above threshold");
        assert.equal(a.send(payload(0, 10), { routeId: 1, frameId: 99999 }), "marked");
        const last = await b.receive({ timeoutMs: 5000 });
        assert.ok(last && (last.flags & FrameFlags.MARK) !== 0);
        assert.equal(a.counters().marked, seen.filter((fl) => fl & FrameFlags.MARK).length + 1);
      } finally {
        await a.close();
        await b.close();
      }
    },
  });

  Deno.test({
    name: `${kind} lane buffer policy holds frames up to its bound and delivers them in order`,
    ignore,
    async fn() {
      const [a, b] = await openPair(kind, { ...small, policy: "buffer", bufferFrames: 50 });
      try {
        const { statuses } = await fillUntilFull(kind, a, 400, 0);
        const buffered = statuses.filter((s) => s === "buffered").length;
        const dropped = statuses.filter((s) => s === "dropped").length;
        assert.ok(buffered > 0);
        assert.ok(dropped > 0, "bounded: drops once 50 frames are held");
        assert.equal(a.counters().drops.buffer_full, dropped);
        const flushed = a.flush();
        let last = -1;
        let got = 0;
        while (got < 400 - dropped) {
          const f = await b.receive({ timeoutMs: 5000 });
          assert.ok(f);
          assert.ok(f.frameId > last, "in order");
          last = f.frameId;
          got++;
        }
        await flushed;
        assert.equal(got, a.counters().sent);
      } finally {
        await a.close();
        await b.close();
      }
    },
  });
}

for (const kind of kinds) {
  Deno.test({
    name: `${kind} lane with reuseReceiveBuffer delivers each frame intact until the next receive`,
    ignore: kind === "shm" && !shm.available,
    async fn() {
      const [a, b] = await openPair(kind, { reuseReceiveBuffer: true });
      try {
        for (let i = 0; i < 50; i++) {
          await a.write(payload(i, 100 + i), { routeId: 3, frameId: i });
        }
        for (let i = 0; i < 50; i++) {
          const f = await b.receive({ timeoutMs: 5000 });
          assert.ok(f);
          assert.equal(f.frameId, i);
          assert.deepEqual(f.payload, payload(i, 100 + i));
        }
      } finally {
        await a.close();
        await b.close();
      }
    },
  });
}
