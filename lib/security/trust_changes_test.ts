import assert from "node:assert/strict";
import { signPayload, VerificationError, workspaceAt } from "../core/mod.ts";
import { tempDir } from "../testing/mod.ts";
import { generateKey, loadKey, publicKeyPath } from "./keys.ts";
import { createTrustRoot, loadTrustRoot, verifyTrusted } from "./trust.ts";
import { renewTrustRoot, rotateKey, trustKey, untrustKey } from "./trust_changes.ts";
import { MissingInputError } from "../core/mod.ts";

Deno.test("untrustKey() refuses to remove the last root key", async () => {
  await using dir = await tempDir();
  const ws = workspaceAt(dir.path);
  const k = await generateKey(ws);
  await createTrustRoot(ws, k);
  await assert.rejects(() => untrustKey(ws, k.keyId), VerificationError);
  await assert.rejects(() => untrustKey(ws, "ed25519:0000000000000000"), MissingInputError);
  assert.equal((await loadTrustRoot(ws)).signed.version, 1);
});

Deno.test("trustKey() writes nothing when the key already holds the roles", async () => {
  await using dir = await tempDir();
  const ws = workspaceAt(dir.path);
  await createTrustRoot(ws, await generateKey(ws));
  await generateKey(ws, "ci");
  const first = await trustKey(ws, publicKeyPath(ws, "ci"), { roles: ["manifests"] });
  const second = await trustKey(ws, publicKeyPath(ws, "ci"), { roles: ["manifests"] });
  assert.deepEqual([first.changed, second.changed, second.root.signed.version], [true, false, 2]);
});

Deno.test("rotateKey() hands the roles to a new key; --revoke makes old signatures fail", async () => {
  await using dir = await tempDir();
  const ws = workspaceAt(dir.path);
  const old = await generateKey(ws);
  await createTrustRoot(ws, old);
  const sig = await signPayload(old, "manifest", { a: 1 });
  const r = await rotateKey(ws, "default", { revoke: true });
  assert.equal((await loadKey(ws)).keyId, r.newKeyId);
  assert.equal((await loadKey(ws, r.retiredName)).keyId, old.keyId);
  const trust = await loadTrustRoot(ws);
  assert.deepEqual(trust.signed.keys[r.newKeyId].roles, ["root", "manifests", "plans"]);
  await assert.rejects(
    () => verifyTrusted(trust, "manifests", "manifest", { a: 1 }, sig, { what: "m" }),
    /unknown key/,
  );
});

Deno.test("renewTrustRoot() revives an expired root with a fresh expiry", async () => {
  await using dir = await tempDir();
  const ws = workspaceAt(dir.path);
  await createTrustRoot(ws, await generateKey(ws), { now: new Date("2020-01-01T00:00:00Z") });
  await assert.rejects(() => loadTrustRoot(ws), /expired/);
  const root = await renewTrustRoot(ws);
  assert.equal(root.signed.version, 2);
  assert.ok(Date.parse(root.signed.expires) > Date.now());
  assert.equal((await loadTrustRoot(ws)).signed.version, 2);
});
