import assert from "node:assert/strict";
import { workspaceAt } from "../core/mod.ts";
import { ingestedSample, tempDir } from "../testing/mod.ts";
import { initWorkspace } from "./init.ts";
import { exportRegistry, importRegistry } from "./bundle.ts";

Deno.test("exportRegistry() then importRegistry() into a fresh workspace adds everything once", async () => {
  await using a = await tempDir();
  const { ws: from } = await ingestedSample(a.path);
  await using b = await tempDir();
  const to = workspaceAt(b.path);
  await initWorkspace(to);
  const file = `${b.path}/sample.bundle`;
  const exported = await exportRegistry(from, { file });
  assert.equal(exported.objects, 9);
  const trustKeyFile = `${from.keys}/default.pub.json`;
  const first = await importRegistry(to, { file, trustKeyFile });
  assert.deepEqual([first.added, first.entriesAdded, first.signer], [9, 9, exported.signer]);
  const second = await importRegistry(to, { file, trustKeyFile });
  assert.deepEqual([second.added, second.entriesAdded], [0, 0]);
});
