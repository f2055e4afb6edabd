import assert from "node:assert/strict";
import { MissingInputError } from "../core/mod.ts";
import { ingestedSample, tempDir } from "../testing/mod.ts";
import { ingest } from "./ingest.ts";
import { catRegistry, gcRegistry, listRegistry, packRegistry, verifyRegistry } from "./registry.ts";

Deno.test("ingest(), listRegistry(), catRegistry() and verifyRegistry() agree on the sample", async () => {
  await using dir = await tempDir();
  const { ws, ingested } = await ingestedSample(dir.path);
  assert.deepEqual([ingested.added.length, ingested.indexWritten], [9, true]);
  const again = await ingest(ws, { sign: true });
  assert.deepEqual([again.added.length, again.unchanged.length], [0, 9]);

  const { entries } = await listRegistry(ws);
  assert.equal(entries.length, 9);
  const bySaddr = await catRegistry(ws, { ref: entries[0].saddr });
  const byHash = await catRegistry(ws, { ref: bySaddr.hash });
  assert.deepEqual(byHash.object.manifest, bySaddr.object.manifest);
  await assert.rejects(
    () => catRegistry(ws, { ref: `sha256:${"0".repeat(64)}` }),
    MissingInputError,
  );

  const packed = await packRegistry(ws);
  assert.deepEqual([packed.objects, packed.written], [9, true]);
  const verified = await verifyRegistry(ws);
  assert.deepEqual([verified.ok, verified.objects, verified.packed], [true, 9, 9]);
  const gc = await gcRegistry(ws, { dryRun: true });
  assert.deepEqual([gc.dryRun, gc.removed, gc.kept], [true, [], 9]);
});
