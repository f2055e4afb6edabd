import assert from "node:assert/strict";
import fc from "fast-check";
import reference from "canonicalize";
import {
  canonicalize,
  generateKeyPair,
  type SignatureDomain,
  signPayload,
  verifyPayload,
} from "../lib/core/mod.ts";
import { symbolHash } from "../lib/symbols/mod.ts";
import { encodeBundle, encodeObject, encodePack, openBundle } from "../lib/registry/mod.ts";
import { manifest } from "./_helpers.ts";

function shuffleKeys(value: unknown, rand: () => number): unknown {
  if (Array.isArray(value)) return value.map((v) => shuffleKeys(v, rand));
  if (value && typeof value === "object") {
    const keys = Object.keys(value);
    for (let i = keys.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [keys[i], keys[j]] = [keys[j], keys[i]];
    }
    const out: Record<string, unknown> = {};
    for (const k of keys) out[k] = shuffleKeys((value as Record<string, unknown>)[k], rand);
    return out;
  }
  return value;
}

const json = fc.jsonValue({ maxDepth: 4 });

Deno.test("canonical JSON is stable under key reordering and matches the RFC 8785 reference", () => {
  fc.assert(
    fc.property(json, fc.integer(), (value, seed) => {
      let s = seed >>> 0;
      const rand = () => ((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32);
      const a = canonicalize(value);
      assert.equal(canonicalize(shuffleKeys(value, rand)), a);
      assert.equal(a, reference(value));
    }),
    { numRuns: 300 },
  );
});

Deno.test("symbolHash() is the same for reordered manifests with any unicode text", () => {
  fc.assert(
    fc.property(
      fc.string({ unit: "grapheme" }),
      fc.dictionary(fc.string({ unit: "binary", minLength: 1 }), fc.string({ unit: "binary" })),
      (description, labels) => {
        const m = manifest("rtt://u/api/text", "1.0.0", { description, labels });
        const reordered = shuffleKeys(m, Math.random) as typeof m;
        assert.equal(symbolHash(reordered as never), symbolHash(m as never));
        assert.equal(canonicalize(m), reference(m));
      },
    ),
    { numRuns: 200 },
  );
});

Deno.test("a signature in one domain never verifies in another", async () => {
  const key = await generateKeyPair();
  const domains: SignatureDomain[] = [
    "manifest",
    "plan",
    "trust-root",
    "bundle-index",
    "cap-token",
  ];
  await fc.assert(
    fc.asyncProperty(json, fc.constantFrom(...domains), async (payload, domain) => {
      const sig = await signPayload(key, domain, payload);
      for (const other of domains) {
        assert.equal(await verifyPayload(key.publicKey, other, payload, sig), other === domain);
      }
    }),
    { numRuns: 40 },
  );
});

Deno.test("every single-byte corruption of a bundle is detected", async () => {
  const key = await generateKeyPair();
  const objs = [manifest("rtt://a/api/x"), manifest("rtt://a/api/y", "2.0.0")].map((m) => ({
    hash: symbolHash(m as never),
    bytes: encodeObject({ manifest: m as never, signatures: [] }),
  }));
  const { pack, lut } = await encodePack(objs);
  const files = new Map([
    ["registry/pack/agents.pack", pack],
    ["registry/pack/index.lut", lut],
    ["registry/index.json", new TextEncoder().encode('{"index_version":1,"symbols":{}}')],
  ]);
  const bundle = await encodeBundle(files, key);
  await openBundle(bundle, "ok.rttb");
  for (let i = 0; i < bundle.length; i++) {
    const bad = bundle.slice();
    bad[i] ^= 1 << (i % 8);
    await assert.rejects(
      () => openBundle(bad, "bad.rttb"),
      (e: unknown) => e instanceof Error && /bundle "bad\.rttb"/.test(e.message),
      `flipping byte ${i} of ${bundle.length} went unnoticed`,
    );
  }
});
