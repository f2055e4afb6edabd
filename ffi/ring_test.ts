import assert from "node:assert/strict";
import { ShmRing } from "./ring.ts";
import { nativeStatus } from "./load.ts";
import { NativeUnavailableError, PeerGoneError } from "./errors.ts";
import { crc32cPortable } from "./crc32c.ts";

const st = nativeStatus();
const ignore = !st.available;
if (ignore) console.log(`ShmRing tests skipped: ${st.reason}`);

function uniq(tag: string): string {
  return `rtt-t-${tag}-${Deno.pid}-${crypto.randomUUID().slice(0, 8)}`;
}

Deno.test({
  name: "ShmRing.create() refuses when the native library is unavailable, with the reason",
  ignore: !ignore,
  fn() {
    assert.throws(
      () => ShmRing.create(uniq("x"), { capacity: 4096, role: "producer" }),
      NativeUnavailableError,
    );
  },
});

Deno.test({
  name: "ShmRing.push() and pop() round-trip a verified frame",
  ignore,
  fn() {
    const name = uniq("rt");
    using p = ShmRing.create(name, { capacity: 8192, role: "producer" });
    using c = ShmRing.open(name, { role: "consumer" });
    ShmRing.unlink(name);
    const payload = new TextEncoder().encode("payload");
    assert.ok(p.push(payload, { routeId: 5, frameId: 6, flags: 1 }) > 0);
    assert.equal(c.peek(), 24 + payload.length);
    const out = new Uint8Array(256);
    const n = c.pop(out);
    assert.equal(n, 31);
    const dv = new DataView(out.buffer);
    assert.equal(dv.getUint32(0, true), 0x31545452);
    assert.equal(dv.getUint16(4, true), 1);
    assert.equal(dv.getUint32(8, true), 5);
    assert.equal(dv.getUint32(12, true), 6);
    assert.equal(dv.getUint32(16, true), payload.length);
    assert.equal(dv.getUint32(20, true), crc32cPortable(payload));
    assert.deepEqual(out.subarray(24, 31), payload);
    assert.equal(c.pop(out), 0);
    assert.equal(p.stats().pushed, 1);
    assert.equal(c.stats().popped, 1);
  },
});

Deno.test({
  name: "ShmRing.create() rejects a capacity that is not a power of two",
  ignore,
  fn() {
    assert.throws(
      () => ShmRing.create(uniq("cap"), { capacity: 1000, role: "producer" }),
      (e: Error) =>
        e instanceof RangeError && /capacity 1000 is not a power of two/.test(e.message),
    );
  },
});

Deno.test({
  name: "ShmRing.close() twice is harmless and later calls report a bad handle",
  ignore,
  fn() {
    const name = uniq("dbl");
    const p = ShmRing.create(name, { capacity: 4096, role: "producer" });
    ShmRing.unlink(name);
    p.close();
    p.close();
    assert.equal(p.closed, true);
    assert.throws(() => p.push(new Uint8Array(1), { routeId: 0, frameId: 0 }), /not open/);
  },
});

Deno.test({
  name: "ShmRing.push() beyond the max payload is a RangeError and nothing is queued",
  ignore,
  fn() {
    const name = uniq("big");
    using p = ShmRing.create(name, { capacity: 4096, role: "producer" });
    ShmRing.unlink(name);
    assert.throws(() => p.push(new Uint8Array(4096), { routeId: 0, frameId: 0 }), RangeError);
    assert.equal(p.used(), 0);
  },
});

Deno.test({
  name: "ShmRing.waitDataAsync() reports the producer's close as PeerGoneError",
  ignore,
  async fn() {
    const name = uniq("peer");
    const p = ShmRing.create(name, { capacity: 4096, role: "producer" });
    using c = ShmRing.open(name, { role: "consumer" });
    ShmRing.unlink(name);
    assert.equal(p.peerState(), "alive");
    const waiting = c.waitDataAsync({ timeoutMs: 5000 });
    p.close();
    await assert.rejects(waiting, PeerGoneError);
    assert.equal(c.peerState(), "closed");
  },
});

Deno.test({
  name: "ShmRing.open() of a missing ring is Deno.errors.NotFound",
  ignore,
  fn() {
    assert.throws(() => ShmRing.open(uniq("none"), { role: "consumer" }), Deno.errors.NotFound);
  },
});

Deno.test({
  name: "ShmRing.waitData() accepts fractional budgets and times out on an empty ring",
  ignore,
  fn() {
    const name = uniq("frac");
    using p = ShmRing.create(name, { capacity: 4096, role: "producer" });
    using c = ShmRing.open(name, { role: "consumer" });
    ShmRing.unlink(name);
    assert.equal(c.waitData({ spinNs: 10.7, timeoutMs: 0.5 }), false);
    p.push(new Uint8Array(3), { routeId: 0, frameId: 0 });
    assert.equal(c.waitData({ spinNs: 0, timeoutMs: 0 }), true);
  },
});
