import assert from "node:assert/strict";
import { generateKeyPair, keyIdOf, signPayload, verifyPayload } from "./sign.ts";

Deno.test("signPayload() signatures verify only in their own domain", async () => {
  const k = await generateKeyPair();
  const payload = { saddr: "rtt://a/api/b", version: "1.0.0" };
  const sig = await signPayload(k, "manifest", payload);
  assert.equal(await verifyPayload(k.publicKey, "manifest", payload, sig), true);
  for (const other of ["plan", "trust-root", "bundle-index", "cap-token"] as const) {
    assert.equal(await verifyPayload(k.publicKey, other, payload, sig), false, other);
  }
});

Deno.test("verifyPayload() rejects tampered payloads, other keys and malformed signatures", async () => {
  const k = await generateKeyPair();
  const k2 = await generateKeyPair();
  const sig = await signPayload(k, "plan", { a: 1 });
  assert.equal(await verifyPayload(k.publicKey, "plan", { a: 2 }, sig), false);
  assert.equal(await verifyPayload(k2.publicKey, "plan", { a: 1 }, sig), false);
  assert.equal(await verifyPayload(k.publicKey, "plan", { a: 1 }, { ...sig, sig: "!!" }), false);
  assert.equal(
    await verifyPayload(k.publicKey, "plan", { a: 1 }, { ...sig, sig: btoa("short") }),
    false,
  );
  assert.equal(sig.key_id, keyIdOf(k.publicKey));
});

Deno.test("signPayload() signs canonical bytes, so key order does not matter", async () => {
  const k = await generateKeyPair();
  const sig = await signPayload(k, "manifest", { b: 1, a: 2 });
  assert.equal(await verifyPayload(k.publicKey, "manifest", { a: 2, b: 1 }, sig), true);
});
