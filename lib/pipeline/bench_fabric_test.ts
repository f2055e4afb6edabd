import assert from "node:assert/strict";
import { UsageError } from "../core/mod.ts";
import { benchFabric } from "./bench_fabric.ts";

Deno.test("benchFabric() reports each measurement as it starts and returns rows for the requested lanes", async () => {
  const progress: string[] = [];
  const report = await benchFabric(
    { lanes: ["tcp"], sizes: [64], seconds: 0.05 },
    (m) => progress.push(m),
  );
  assert.deepEqual(progress, [
    "crc32c 64 KiB",
    "uds 64 B echo",
    "uds 64 B throughput",
    "tcp 64 B echo",
    "tcp 64 B throughput",
  ]);
  assert.deepEqual(report.rows.map((r) => `${r.lane}/${r.size}`), ["tcp/64"]);
  assert.ok(report.rows[0].p50SpeedupVsUds !== null && report.rows[0].p50SpeedupVsUds > 0);
  assert.deepEqual(report.options.lanes, ["tcp"]);
});

Deno.test("benchFabric() refuses an out-of-range size with a UsageError", async () => {
  await assert.rejects(benchFabric({ sizes: [0] }), UsageError);
});
