/**
 * The two-process fabric benchmark behind `rtt-deno bench fabric`: echo latency and one-way
 * throughput per lane and payload size, each lane as a ratio to uds from the same run.
 *
 * Kept out of `fabric/mod.ts`: it pulls in the histogram library and spawns processes, which
 * code that only opens lanes does not need.
 *
 * @module
 */
export { runFabricBench, runFabricBenchPeer } from "./runner.ts";
export { formatFabricBench } from "./table.ts";
export * from "./types.ts";
