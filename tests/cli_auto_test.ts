import assert from "node:assert/strict";
import { copySample, manifest, rtt, rttJson, tempDir, writeTree } from "./_helpers.ts";

Deno.test("rtt-deno auto runs stages 00-50 with structured log lines and commits the plan", async () => {
  await using dir = await tempDir();
  await copySample(dir.path);
  const r = await rtt(["-w", dir.path, "auto", "--sign"]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const stages = [...r.stdout.matchAll(/^\[(\d\d)\] \[(INFO|WARN|ERROR|NOTE)\]/gm)].map((m) =>
    m[1]
  );
  assert.deepEqual([...new Set(stages)], ["00", "10", "20", "30", "40", "50"]);
  assert.match(r.stdout, /\[50\] \[INFO\] Pipeline complete/);
  const status = await rttJson<{ committed: { seq: number; routes: number } }>([
    "-w",
    dir.path,
    "status",
  ]);
  assert.equal(status.code, 0);
  assert.equal(status.json.committed.routes, 5);
});

Deno.test("rtt-deno auto stops at stage 30 with exit 77 when strict mode refuses unsigned manifests", async () => {
  await using dir = await tempDir();
  await copySample(dir.path);
  const r = await rttJson<{ ok: boolean; failed_stage: string; stages: Array<{ stage: string }> }>([
    "-w",
    dir.path,
    "auto",
  ]);
  assert.equal(r.code, 77);
  assert.equal(r.json.ok, false);
  assert.equal(r.json.failed_stage, "30");
  assert.deepEqual(r.json.stages.map((s) => s.stage), ["00", "10", "20", "30"]);
  assert.match(r.stderr, /unsigned and strict_manifests is on/);
  await assert.rejects(Deno.stat(`${dir.path}/plans/LATEST`), Deno.errors.NotFound);
});

Deno.test("rtt-deno auto exits with the doctor's code when stage 20 fails", async () => {
  await using dir = await tempDir();
  await writeTree(dir.path, {
    ".rtt/manifests/x.json": manifest("rtt://a/api/x", "1.0.0", {
      requires: [{ saddr: "rtt://a/api/y", version: "^2.0.0" }],
    }),
    ".rtt/manifests/y.json": manifest("rtt://a/api/y", "1.0.0"),
  });
  const r = await rtt(["-w", dir.path, "auto", "--sign"]);
  assert.equal(r.code, 2);
  assert.match(
    r.stdout,
    /\[20\] \[ERROR\] stage 20 \(doctor\) failed with exit 2; pipeline stopped/,
  );
  assert.doesNotMatch(r.stdout, /\[30\]/);
});
