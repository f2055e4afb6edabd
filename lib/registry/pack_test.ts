import assert from "node:assert/strict";
import fc from "fast-check";
import { sha256Hex, VerificationError, workspaceAt } from "../core/mod.ts";
import { tempDir } from "../testing/mod.ts";
import { encodePack, type PackRecord } from "./build_pack.ts";
import { Pack } from "./pack.ts";
import { InputError } from "../core/mod.ts";

const enc = new TextEncoder();

function records(n: number): PackRecord[] {
  return Array.from({ length: n }, (_, i) => ({
    hash: `sha256:${i.toString(16).padStart(2, "0").repeat(32)}`,
    bytes: enc.encode(JSON.stringify({ manifest: { saddr: `rtt://a/api/x${i}` }, i })),
  }));
}

Deno.test("Pack finds every record by hash and nothing else", async () => {
  const recs = records(40);
  const { pack, lut } = await encodePack(recs);
  const p = await Pack.fromBytes(pack, lut);
  assert.equal(p.count, 40);
  for (const r of recs) assert.deepEqual(p.get(r.hash), r.bytes);
  assert.equal(p.get(`sha256:${"ff".repeat(32)}`), undefined);
  assert.equal(p.get("sha256:zz"), undefined);
  assert.deepEqual(p.hashes(), recs.map((r) => r.hash).sort());
});

Deno.test("encodePack() is deterministic whatever the input order", async () => {
  await fc.assert(
    fc.asyncProperty(fc.shuffledSubarray(records(12), { minLength: 0 }), async (subset) => {
      const a = await encodePack(subset);
      const b = await encodePack([...subset].reverse());
      assert.deepEqual(a.pack, b.pack);
      assert.deepEqual(a.lut, b.lut);
    }),
    { numRuns: 25 },
  );
});

Deno.test("Pack.open() reads only through a verified pack on disk", async () => {
  await using dir = await tempDir();
  const ws = workspaceAt(dir.path);
  await Deno.mkdir(ws.pack, { recursive: true });
  const recs = records(5);
  const { pack, lut } = await encodePack(recs);
  await Deno.writeFile(`${ws.pack}/agents.pack`, pack);
  await Deno.writeFile(`${ws.pack}/index.lut`, lut);
  using p = await Pack.open(ws);
  assert.deepEqual(p.get(recs[3].hash), recs[3].bytes);
  // A record changed after opening is caught by its CRC-32 and never returned.
  const f = await Deno.open(`${ws.pack}/agents.pack`, { write: true });
  await f.seek(13, Deno.SeekMode.Start);
  await f.write(new Uint8Array([0x21]));
  f.close();
  assert.throws(() => p.get(recs[0].hash), VerificationError);
});

Deno.test("every single-byte corruption of a pack or its LUT is detected on open", async () => {
  const { pack, lut } = await encodePack(records(3));
  for (const [which, bytes] of [["pack", pack], ["lut", lut]] as const) {
    for (let i = 0; i < bytes.length; i++) {
      const bad = bytes.slice();
      bad[i] ^= 0x01;
      await assert.rejects(
        () => which === "pack" ? Pack.fromBytes(bad, lut) : Pack.fromBytes(pack, bad),
        (e: unknown) => e instanceof VerificationError || e instanceof InputError,
        `${which} byte ${i} flipped was not detected`,
      );
    }
  }
});

Deno.test("a truncated pack or LUT is named as truncated", async () => {
  const { pack, lut } = await encodePack(records(3));
  await assert.rejects(() => Pack.fromBytes(pack.subarray(0, pack.length - 10), lut), {
    name: "InputError",
    message: /Pack "agents\.pack" is truncated: \d+ bytes, its index "index\.lut" expects \d+/,
  });
  await assert.rejects(() => Pack.fromBytes(pack, lut.subarray(0, 100)), /is truncated/);
});

Deno.test("a LUT with unsorted names is refused even with a valid checksum", async () => {
  const { pack, lut } = await encodePack(records(3));
  const bad = lut.slice();
  // Put two names in bucket 0x00 in descending order, keep the fanout consistent, re-seal.
  const names = 12 + 1024;
  bad.set(Uint8Array.fromHex("00" + "02".repeat(31)), names);
  bad.set(Uint8Array.fromHex("00" + "01".repeat(31)), names + 32);
  const fan = new DataView(bad.buffer);
  fan.setUint32(12 + 0 * 4, 2, true); // two names start with 0x00
  const sumAt = bad.length - 32;
  bad.set(Uint8Array.fromHex(await sha256Hex(bad.subarray(0, sumAt))), sumAt);
  await assert.rejects(() => Pack.fromBytes(pack, bad), {
    name: "InputError",
    message: /unsorted names: entry 1 does not sort after entry 0/,
  });
});
