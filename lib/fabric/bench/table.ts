/**
 * The human table of a {@linkcode FabricBenchResult}.
 *
 * @module
 */
import type { FabricBenchResult } from "./types.ts";

function fmt(n: number, digits = 1): string {
  return n.toFixed(digits);
}

function ratio(r: number | null, digits: number): string {
  return r === null ? "-" : `${fmt(r, digits)}x`;
}

const HEAD = [
  "lane",
  "size",
  "echo p50 us",
  "p99 us",
  "p99.9 us",
  "vs uds p50",
  "GB/s",
  "Mframes/s",
  "vs uds tput",
];

function table(result: FabricBenchResult): string[] {
  const body = result.rows.map((r) => [
    r.lane,
    String(r.size),
    fmt(r.echo.p50Us, 2),
    fmt(r.echo.p99Us, 2),
    fmt(r.echo.p999Us, 2),
    ratio(r.p50SpeedupVsUds, 1),
    fmt(r.throughput.gbPerSec, 3),
    fmt(r.throughput.framesPerSec / 1e6, 3),
    ratio(r.throughputVsUds, 2),
  ]);
  const widths = HEAD.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  // The lane name reads left to right; every figure lines up on its last digit.
  const line = (cells: string[]) =>
    cells.map((c, i) => (i < 1 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
  return [line(HEAD), line(widths.map((w) => "-".repeat(w))), ...body.map(line)];
}

/** Renders a result as the human table `rtt-deno bench fabric` prints. */
export function formatFabricBench(result: FabricBenchResult): string {
  const { machine, crc32c, options } = result;
  const out = [
    `machine: ${machine.cpu_model}, ${machine.logical_cpus} CPUs, ${machine.numa_nodes} NUMA node(s)`,
    `crc32c (${crc32c.implementation}) on 64 KiB: ${fmt(crc32c.gbPerSec64KiB, 2)} GB/s`,
    `${options.seconds} s per measurement, spin ${options.spinNs} ns, pinned: ${
      options.pinned.join(",") || "none"
    }`,
    "",
    ...table(result),
  ];
  for (const s of result.skipped) out.push(``, `${s.lane} skipped: ${s.reason}`);
  return out.join("\n");
}
