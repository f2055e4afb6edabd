import assert from "node:assert/strict";
import { workspaceAt } from "../core/mod.ts";
import { copySample, manifest, tempDir, writeTree } from "../testing/mod.ts";
import { runPipeline, type StageResult } from "./run_pipeline.ts";

Deno.test("runPipeline() runs stages 00-50 in order and reports each as it ends", async () => {
  await using dir = await tempDir();
  await copySample(dir.path);
  const seen: StageResult[] = [];
  const r = await runPipeline(workspaceAt(dir.path), { sign: true }, {
    onStage: (s) => seen.push(s),
  });
  assert.equal(r.ok, true, JSON.stringify(r.stages.map((s) => [s.stage, s.exit_code])));
  assert.deepEqual(seen.map((s) => s.stage), ["00", "10", "20", "30", "40", "50"]);
  assert.deepEqual(seen, r.stages);
  const apply = r.stages[5].reports.apply;
  assert.ok(apply && !apply.dry_run && apply.result.status === "applied");
  assert.equal(r.stages[3].reports.verify?.ok, true);
});

Deno.test("runPipeline() stops at the failing stage with its exit code and error", async () => {
  await using dir = await tempDir();
  await copySample(dir.path);
  const refused = await runPipeline(workspaceAt(dir.path));
  assert.equal(refused.ok, false);
  assert.equal(refused.failed_stage, "30");
  assert.equal(refused.exit_code, 77);
  assert.match(refused.stages.at(-1)!.error!.message, /strict_manifests is on/);
  assert.equal(refused.stages.length, 4);

  await using bad = await tempDir();
  await writeTree(bad.path, {
    ".rtt/manifests/x.json": manifest("rtt://a/api/x", "1.0.0", {
      requires: [{ saddr: "rtt://a/api/y", version: "*" }],
    }),
    ".rtt/manifests/y.json": manifest("rtt://a/api/y", "1.0.0", {
      requires: [{ saddr: "rtt://a/api/x", version: "*" }],
    }),
  });
  const cycle = await runPipeline(workspaceAt(bad.path), { sign: true });
  assert.equal(cycle.failed_stage, "20");
  assert.equal(cycle.exit_code, 3);
  assert.equal(cycle.stages.at(-1)!.error, undefined);
});
