import assert from "node:assert/strict";
import { exists, workspaceAt } from "../core/mod.ts";
import { tempDir } from "../testing/mod.ts";
import { initWorkspace } from "./init.ts";

Deno.test("initWorkspace() creates what is missing, then nothing, and releases the lock", async () => {
  await using dir = await tempDir();
  const ws = workspaceAt(dir.path);
  const first = await initWorkspace(ws);
  assert.deepEqual(
    [first.createdFiles.length, first.createdKey, first.createdTrustRoot],
    [3, true, true],
  );
  const second = await initWorkspace(ws);
  assert.deepEqual(
    [second.createdDirs, second.createdFiles, second.createdKey, second.createdTrustRoot],
    [[], [], false, false],
  );
  assert.equal(second.keptFiles.length, 3);
  assert.equal(second.keyId, first.keyId);
  assert.equal(await exists(`${ws.rtt}/lock`), false);
});
