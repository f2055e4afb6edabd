import assert from "node:assert/strict";
import { exists, IoError, workspaceAt } from "../core/mod.ts";
import { tempDir } from "../testing/mod.ts";
import { initWorkspace } from "./init.ts";
import {
  generateKey,
  listKeys,
  renewTrustRoot,
  rotateKey,
  setThreshold,
  trustKey,
  untrustKey,
} from "./keys.ts";

Deno.test("key use cases report each trust root version they write", async () => {
  await using dir = await tempDir();
  const ws = workspaceAt(dir.path);
  await initWorkspace(ws);
  const ci = await generateKey(ws, { name: "ci" });
  assert.equal(ci.publicKeyFile, ".rtt/keys/ci.pub.json");
  await assert.rejects(() => generateKey(ws, { name: "ci" }), IoError);

  const trusted = await trustKey(ws, {
    publicKeyFile: `${ws.root}/${ci.publicKeyFile}`,
    roles: ["manifests"],
  });
  assert.deepEqual([trusted.changed, trusted.version, trusted.roles], [true, 2, ["manifests"]]);
  const again = await trustKey(ws, {
    publicKeyFile: `${ws.root}/${ci.publicKeyFile}`,
    roles: ["manifests"],
  });
  assert.deepEqual([again.changed, again.version], [false, 2]);
  assert.deepEqual((await listKeys(ws)).keys.map((k) => k.local).sort(), ["ci", "default"]);

  const untrusted = await untrustKey(ws, { keyId: ci.keyId });
  assert.deepEqual([untrusted.version, untrusted.roles], [3, []]);
  assert.deepEqual(await setThreshold(ws, { threshold: 1 }).then((r) => r.version), 4);
  const renewed = await renewTrustRoot(ws);
  assert.deepEqual([renewed.version, renewed.threshold], [5, 1]);
  const rotated = await rotateKey(ws, {});
  assert.deepEqual([rotated.name, rotated.version, rotated.revoked], ["default", 6, false]);
  assert.notEqual(rotated.newKeyId, rotated.oldKeyId);
  assert.equal(await exists(`${ws.rtt}/lock`), false);
});
