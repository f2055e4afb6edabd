import assert from "node:assert/strict";
import { VerificationError, workspaceAt } from "../core/mod.ts";
import { tempDir } from "../testing/mod.ts";
import { generateKey, loadKey, readPublicKeyFile } from "./keys.ts";
import { createTrustRoot, loadTrustRoot, updateTrustRoot, verifyTrusted } from "./trust.ts";
import { signPayload } from "../core/sign.ts";
import { InputError, MissingInputError, SchemaError } from "../core/mod.ts";

Deno.test("loadTrustRoot() accepts v1 and refuses a copied-back older version", async () => {
  await using dir = await tempDir();
  const ws = workspaceAt(dir.path);
  const k = await generateKey(ws, "a");
  await createTrustRoot(ws, k);
  const v1 = await Deno.readTextFile(`${ws.trust}/root.json`);
  const k2 = await generateKey(ws, "b");
  await updateTrustRoot(ws, (b) => {
    b.keys[k2.keyId] = { public: k2.publicKey.toBase64(), roles: ["manifests"] };
  }, [k]);
  assert.equal((await loadTrustRoot(ws)).signed.version, 2);
  await Deno.writeTextFile(`${ws.trust}/root.json`, v1);
  await assert.rejects(
    () => loadTrustRoot(ws),
    (e: unknown) => e instanceof VerificationError && /rollback/.test(e.message),
  );
});

Deno.test("updateTrustRoot() needs a threshold of the previous root keys", async () => {
  await using dir = await tempDir();
  const ws = workspaceAt(dir.path);
  const k = await generateKey(ws, "a");
  const stranger = await generateKey(ws, "s");
  await createTrustRoot(ws, k);
  await assert.rejects(
    () => updateTrustRoot(ws, (b) => void (b.threshold = 1), [stranger]),
    VerificationError,
  );
  assert.equal((await loadTrustRoot(ws)).signed.version, 1);
});

Deno.test("loadTrustRoot() refuses an expired root", async () => {
  await using dir = await tempDir();
  const ws = workspaceAt(dir.path);
  await createTrustRoot(ws, await generateKey(ws), { now: new Date("2020-01-01T00:00:00Z") });
  await assert.rejects(() => loadTrustRoot(ws), /expired at 2020-12-31/);
});

Deno.test("verifyTrusted() checks role, signer and signature", async () => {
  await using dir = await tempDir();
  const ws = workspaceAt(dir.path);
  const k = await generateKey(ws);
  const trust = await createTrustRoot(ws, k);
  const other = await generateKey(ws, "other");
  const sig = await signPayload(k, "plan", { p: 1 });
  await verifyTrusted(trust, "plans", "plan", { p: 1 }, sig, { what: "plan x" });
  await assert.rejects(
    () => verifyTrusted(trust, "plans", "plan", { p: 2 }, sig, { what: "plan x" }),
    /invalid signature/,
  );
  await assert.rejects(
    () => verifyTrusted(trust, "plans", "plan", { p: 1 }, undefined, { what: "plan x" }),
    /unsigned/,
  );
  const foreign = await signPayload(other, "plan", { p: 1 });
  await assert.rejects(
    () => verifyTrusted(trust, "plans", "plan", { p: 1 }, foreign, { what: "plan x" }),
    /unknown key/,
  );
  assert.equal((await loadKey(ws)).keyId, k.keyId);
});

Deno.test("readPublicKeyFile() names the file when it is missing or not a key", async () => {
  await using dir = await tempDir();
  await assert.rejects(
    () => readPublicKeyFile(`${dir.path}/none.pub.json`),
    (e: unknown) =>
      e instanceof MissingInputError && /none\.pub\.json": file not found/.test(e.message),
  );
  await Deno.writeTextFile(`${dir.path}/x.txt`, "# not a key");
  await assert.rejects(
    () => readPublicKeyFile(`${dir.path}/x.txt`),
    (e: unknown) =>
      e instanceof InputError && /x\.txt": expected a \*\.pub\.json file/.test(e.message),
  );
  await Deno.writeTextFile(`${dir.path}/short.pub.json`, JSON.stringify({ public: btoa("abc") }));
  await assert.rejects(
    () => readPublicKeyFile(`${dir.path}/short.pub.json`),
    /expected 32 bytes, got 3/,
  );
});

Deno.test("loadTrustRoot() keeps refusing a rollback when seen.json is deleted or corrupt", async () => {
  await using dir = await tempDir();
  const ws = workspaceAt(dir.path);
  const k = await generateKey(ws, "a");
  await createTrustRoot(ws, k);
  const v1 = await Deno.readTextFile(`${ws.trust}/root.json`);
  await updateTrustRoot(ws, (b) => void (b.threshold = 1), [k]);
  await Deno.writeTextFile(`${ws.trust}/root.json`, v1);
  await Deno.remove(`${ws.trust}/seen.json`);
  await assert.rejects(() => loadTrustRoot(ws), /v2 was already accepted \(rollback\)/);
  await Deno.writeTextFile(`${ws.trust}/seen.json`, "garbage");
  await assert.rejects(
    () => loadTrustRoot(ws),
    (e: unknown) => e instanceof VerificationError && /seen\.json" is corrupt/.test(e.message),
  );
  assert.equal(await Deno.readTextFile(`${ws.trust}/seen.json`), "garbage");
});

Deno.test("loadKey() names the key file and field when the seed is damaged", async () => {
  await using dir = await tempDir();
  const ws = workspaceAt(dir.path);
  await generateKey(ws);
  const path = `${ws.keys}/default.key.json`;
  const raw = JSON.parse(await Deno.readTextFile(path));
  await Deno.writeTextFile(path, JSON.stringify({ ...raw, seed: raw.seed.slice(0, 20) }));
  await assert.rejects(
    () => loadKey(ws),
    (e: unknown) =>
      e instanceof InputError &&
      /\.rtt\/keys\/default\.key\.json": field "seed" must hold 32 bytes/.test(e.message),
  );
});

Deno.test("loadTrustRoot() reports a damaged root.json at its position (65)", async () => {
  await using dir = await tempDir();
  const ws = workspaceAt(dir.path);
  await createTrustRoot(ws, await generateKey(ws));
  const path = `${ws.trust}/root.json`;
  const text = await Deno.readTextFile(path);
  await Deno.writeTextFile(path, text.replace('"threshold": 1', '"threshold": "one"'));
  const line = text.split("\n").findIndex((l) => l.includes('"threshold"')) + 1;
  await assert.rejects(
    () => loadTrustRoot(ws),
    (e: unknown) =>
      e instanceof SchemaError && e.exitCode === 65 &&
      e.message ===
        `Invalid ".rtt/registry/trust/root.json:${line}:5" at /signed/threshold: expected integer`,
  );
});

Deno.test("loadKey() and readPublicKeyFile() report a damaged key file at its position (65)", async () => {
  await using dir = await tempDir();
  const ws = workspaceAt(dir.path);
  await generateKey(ws);
  const priv = `${ws.keys}/default.key.json`;
  const raw = JSON.parse(await Deno.readTextFile(priv));
  await Deno.writeTextFile(priv, JSON.stringify({ ...raw, seed: 42 }, null, 2));
  await Deno.chmod(priv, 0o600);
  await assert.rejects(
    () => loadKey(ws),
    (e: unknown) =>
      e instanceof SchemaError && e.exitCode === 65 &&
      /^Invalid "\.rtt\/keys\/default\.key\.json:\d+:3" at \/seed: expected string/.test(
        e.message,
      ),
  );
  const pub = `${ws.keys}/default.pub.json`;
  await Deno.writeTextFile(pub, '{\n  "alg": "rsa",\n  "public": "AAAA"\n}\n');
  await assert.rejects(
    () => readPublicKeyFile(pub),
    (e: unknown) =>
      e instanceof SchemaError && e.problems[0].pointer === "/alg" && e.problems[0].line === 2,
  );
});
