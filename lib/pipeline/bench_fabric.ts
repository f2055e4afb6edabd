/**
 * Use case behind `rtt-deno bench fabric`: measure the fabric lanes of this machine across two
 * processes and return the figures as a typed report.
 *
 * @module
 */
import type { FabricBenchOptions, FabricBenchResult } from "../fabric/bench/mod.ts";

// The defaults and the table format are light (no histogram library): the CLI needs them at start.
export { FABRIC_BENCH_DEFAULTS, PIN_MODES } from "../fabric/bench/types.ts";
export { formatFabricBench } from "../fabric/bench/table.ts";

/** Options of {@linkcode benchFabric}: lanes, sizes, seconds, spin and pin mode. */
export type BenchFabricOptions = FabricBenchOptions;

/** What {@linkcode benchFabric} measured: one row per lane and size, plus what was skipped. */
export type BenchFabricReport = FabricBenchResult;

// Loaded on first use: every command imports the pipeline, only this one needs the
// histogram library and the peer-process machinery.
const bench = () => import("../fabric/bench/mod.ts");

/**
 * Measures echo latency and one-way throughput per lane and payload size, each lane as a ratio
 * to uds from the same run. Options are checked before anything runs.
 *
 * @param onProgress called with a short label as each measurement starts
 * @throws {UsageError} when an option is out of range (exit 64)
 * @example
 * ```ts
 * const report = await benchFabric({ lanes: ["tcp"], sizes: [64], seconds: 0.2 });
 * console.log(report.rows[0].p50SpeedupVsUds);
 * ```
 */
export async function benchFabric(
  options: BenchFabricOptions = {},
  onProgress?: (message: string) => void,
): Promise<BenchFabricReport> {
  return (await bench()).runFabricBench(options, onProgress);
}

/**
 * The far end of {@linkcode benchFabric}, for a compiled binary that starts its peer by
 * re-running itself (`bench fabric --peer <spec>`).
 */
export async function benchFabricPeer(specJson: string): Promise<void> {
  return (await bench()).runFabricBenchPeer(specJson);
}
