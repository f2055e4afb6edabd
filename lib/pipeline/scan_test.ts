import assert from "node:assert/strict";
import { workspaceAt } from "../core/mod.ts";
import { manifest, tempDir, writeTree } from "../testing/mod.ts";
import { scanWorkspace } from "./scan.ts";

Deno.test("scanWorkspace() reports invalid files and counts symbols instead of throwing", async () => {
  await using dir = await tempDir();
  await writeTree(dir.path, {
    ".rtt/manifests/a.json": manifest("rtt://core/api/a"),
    ".rtt/manifests/a2.json": manifest("rtt://core/api/a", "2.0.0"),
    ".rtt/manifests/bad.json": '{"saddr": "rtt://core/api/bad", "kind": "api", "version": 2}',
  });
  const seen: number[] = [];
  const r = await scanWorkspace(workspaceAt(dir.path), {
    onProgress: (done) => seen.push(done),
  });
  assert.deepEqual([r.ok, r.manifests.length, r.symbols, r.invalid.length], [false, 2, 1, 1]);
  assert.equal(r.invalid[0].file, ".rtt/manifests/bad.json");
  assert.ok(seen.length > 0);
});
