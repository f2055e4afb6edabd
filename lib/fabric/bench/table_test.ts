import assert from "node:assert/strict";
import { type FabricBenchResult, type FabricBenchRow, formatFabricBench } from "./mod.ts";

function row(lane: FabricBenchRow["lane"], p50Us: number, gbPerSec: number): FabricBenchRow {
  return {
    lane,
    size: 64,
    echo: {
      count: 10,
      p50Us,
      p99Us: p50Us * 2,
      p999Us: p50Us * 3,
      maxUs: p50Us * 4,
      meanUs: p50Us,
    },
    throughput: { frames: 1e6, bytes: 64e6, seconds: 1, gbPerSec, framesPerSec: 1e6 },
    p50SpeedupVsUds: 100 / p50Us,
    throughputVsUds: gbPerSec / 0.01,
  };
}

const result: FabricBenchResult = {
  machine: { cpu_model: "Test CPU", logical_cpus: 2, numa_nodes: 1, layout: "", key: "", id: "" },
  crc32c: { implementation: "portable", gbPerSec64KiB: 1.234 },
  rows: [row("uds", 100, 0.01), row("tcp", 125, 0.02)],
  skipped: [{ lane: "shm", reason: "shm lane unavailable: native off" }],
  options: { lanes: ["tcp", "shm"], sizes: [64], seconds: 1, spinNs: 50000, pinned: [] },
};

Deno.test("formatFabricBench() prints the machine, a right-aligned table with ratios to uds, and what was skipped", () => {
  const lines = formatFabricBench(result).split("\n");
  assert.deepEqual(lines.slice(0, 3), [
    "machine: Test CPU, 2 CPUs, 1 NUMA node(s)",
    "crc32c (portable) on 64 KiB: 1.23 GB/s",
    "1 s per measurement, spin 50000 ns, pinned: none",
  ]);
  assert.ok(lines[4].startsWith("lane  size  echo p50 us  p99 us  p99.9 us  vs uds p50"), lines[4]);
  assert.equal(
    lines[6],
    "uds     64       100.00  200.00    300.00        1.0x  0.010      1.000        1.00x",
  );
  assert.equal(
    lines[7],
    "tcp     64       125.00  250.00    375.00        0.8x  0.020      1.000        2.00x",
  );
  assert.deepEqual(lines.slice(-2), ["", "shm skipped: shm lane unavailable: native off"]);
});
