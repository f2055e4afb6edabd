import assert from "node:assert/strict";
import fc from "fast-check";
import {
  decodeFrame,
  encodeFrame,
  encodeFrameInto,
  FRAME_HEADER_SIZE,
  FRAME_MAGIC,
  verifyFrame,
} from "./codec.ts";
import { crc32cPortable } from "../../../ffi/crc32c.ts";

Deno.test("encodeFrame() writes the little-endian header of ARCHITECTURE.md (RTT frame)", () => {
  const payload = new Uint8Array([1, 2, 3]);
  const f = encodeFrame(payload, { routeId: 0x01020304, frameId: 7, flags: 0x0102 });
  assert.equal(f.length, 27);
  const dv = new DataView(f.buffer);
  assert.equal(dv.getUint32(0, true), FRAME_MAGIC);
  assert.deepEqual([...f.subarray(0, 4)], [0x52, 0x54, 0x54, 0x31]); // "RTT1"
  assert.equal(dv.getUint16(4, true), 0x0102);
  assert.equal(dv.getUint16(6, true), 0);
  assert.equal(dv.getUint32(8, true), 0x01020304);
  assert.equal(dv.getUint32(12, true), 7);
  assert.equal(dv.getUint32(16, true), 3);
  assert.equal(dv.getUint32(20, true), crc32cPortable(payload));
});

Deno.test("decodeFrame() round-trips any frame encodeFrame() produces", () => {
  fc.assert(
    fc.property(
      fc.uint8Array({ maxLength: 5000 }),
      fc.nat(0xffff_ffff),
      fc.nat(0xffff_ffff),
      fc.nat(0xffff),
      (payload, routeId, frameId, flags) => {
        const r = decodeFrame(encodeFrame(payload, { routeId, frameId, flags }));
        assert.ok(r.ok);
        assert.equal(r.size, FRAME_HEADER_SIZE + payload.length);
        assert.deepEqual(r.frame, { flags, routeId, frameId, payload });
      },
    ),
    { numRuns: 300 },
  );
});

Deno.test("decodeFrame() reports a flipped payload bit as bad_crc", () => {
  fc.assert(
    fc.property(
      fc.uint8Array({ minLength: 1, maxLength: 2000 }),
      fc.nat(),
      fc.nat(7),
      (p, i, b) => {
        const f = encodeFrame(p, { routeId: 1, frameId: 2 });
        f[FRAME_HEADER_SIZE + (i % p.length)] ^= 1 << b;
        assert.equal(verifyFrame(f), "bad_crc");
      },
    ),
    { numRuns: 200 },
  );
});

Deno.test("decodeFrame() reports a wrong magic as bad_magic", () => {
  const f = encodeFrame(new Uint8Array(4), { routeId: 1, frameId: 2 });
  f[0] = 0;
  assert.deepEqual(decodeFrame(f), { ok: false, reason: "bad_magic", size: 0 });
});

Deno.test("decodeFrame() reports a length beyond the configured max as bad_length", () => {
  const f = encodeFrame(new Uint8Array(100), { routeId: 1, frameId: 2 });
  assert.equal(verifyFrame(f, { maxPayload: 99 }), "bad_length");
  assert.equal(verifyFrame(f, { maxPayload: 100 }), null);
});

Deno.test("decodeFrame() reports a header claiming more bytes than given as bad_length", () => {
  const f = encodeFrame(new Uint8Array(10), { routeId: 1, frameId: 2 });
  assert.equal(verifyFrame(f.subarray(0, 30)), "bad_length");
  assert.equal(verifyFrame(f.subarray(0, 10)), "bad_length");
});

Deno.test("encodeFrame() rejects out-of-range header fields with RangeError", () => {
  const p = new Uint8Array(1);
  assert.throws(() => encodeFrame(p, { routeId: -1, frameId: 0 }), RangeError);
  assert.throws(() => encodeFrame(p, { routeId: 0, frameId: 2 ** 32 }), RangeError);
  assert.throws(() => encodeFrame(p, { routeId: 0, frameId: 0, flags: 0x10000 }), RangeError);
});

Deno.test("encodeFrameInto() refuses to write past the end of the buffer", () => {
  const out = new Uint8Array(30);
  assert.throws(
    () => encodeFrameInto(new Uint8Array(10), { routeId: 0, frameId: 0 }, { out, offset: 0 }),
    /do not fit/,
  );
  assert.equal(
    encodeFrameInto(new Uint8Array(6), { routeId: 0, frameId: 0 }, { out, offset: 0 }),
    30,
  );
});

Deno.test("decodeFrame() with exact reports a header length that disagrees as bad_length", () => {
  const f = encodeFrame(new Uint8Array(10), { routeId: 1, frameId: 2 });
  new DataView(f.buffer).setUint32(16, 9, true);
  assert.equal(verifyFrame(f), "bad_crc");
  assert.equal(verifyFrame(f, { exact: true }), "bad_length");
});
