/**
 * Options, defaults and result shapes of the fabric benchmark. Light on purpose (no lane code,
 * no histogram library): the CLI imports it to build its options when it starts.
 *
 * @module
 */
import type { MachineFingerprint } from "../../../ffi/mod.ts";
import { LANES } from "../../core/mod.ts";
import type { LaneKind } from "../lane/mod.ts";

/** Which lanes run with the bench pinned to CPU 0 and the peer to CPU 1. */
export const PIN_MODES = ["shm", "all", "none"] as const;

/** One of {@linkcode PIN_MODES}. */
export type PinMode = (typeof PIN_MODES)[number];

/** How to start the peer process, given its spec as JSON. */
export type PeerCommand = (specJson: string) => { command: string; args: string[] };

/** What {@linkcode runFabricBench} uses for an option left out. */
export const FABRIC_BENCH_DEFAULTS = {
  lanes: LANES,
  sizes: [64, 4096, 65536],
  seconds: 1,
  spinNs: 50_000,
  pin: "shm",
} as const satisfies Required<Omit<FabricBenchOptions, "peerCommand">>;

/** Options of {@linkcode runFabricBench}; each is checked there (a bad one is a `UsageError`). */
export interface FabricBenchOptions {
  /** Lanes to measure (default shm, uds, tcp; uds is always measured as the baseline). */
  lanes?: readonly LaneKind[];
  /** Payload sizes in bytes, each from 1 to 1 MiB (default 64, 4096, 65536). */
  sizes?: readonly number[];
  /** Seconds per measurement (echo and throughput each, per lane and size; default 1). */
  seconds?: number;
  /**
   * Busy-poll budget before parking, in whole ns (default 50 000). Bounded so that with two
   * processes on a 2-vCPU machine neither can starve the other for long.
   */
  spinNs?: number;
  /**
   * Which lanes run with the bench pinned to CPU 0 and the peer to CPU 1 (needs 2+ CPUs and
   * the native library). Default `shm`: busy-polling only pays off when the two pollers
   * cannot land on one CPU, while socket lanes, woken by the kernel, measured slower pinned.
   */
  pin?: PinMode;
  /** How to start the peer process; the default runs this module's peer with Deno. */
  peerCommand?: PeerCommand;
}

/** Latency summary of echo round trips, in microseconds. */
export interface EchoStats {
  /** Round trips measured (after warm-up). */
  count: number;
  /** Median round trip. */
  p50Us: number;
  /** 99th percentile. */
  p99Us: number;
  /** 99.9th percentile. */
  p999Us: number;
  /** Slowest round trip. */
  maxUs: number;
  /** Mean round trip. */
  meanUs: number;
}

/** One-way throughput, measured until the peer confirmed receipt of every frame. */
export interface ThroughputStats {
  /** Frames sent (all confirmed received). */
  frames: number;
  /** Payload bytes received by the peer. */
  bytes: number;
  /** From the first write to the peer's confirmation. */
  seconds: number;
  /** Payload gigabytes (1e9) per second. */
  gbPerSec: number;
  /** Frames per second. */
  framesPerSec: number;
}

/** One lane at one size. */
export interface FabricBenchRow {
  /** Lane measured. */
  lane: LaneKind;
  /** Payload bytes per frame. */
  size: number;
  /** Echo round-trip latency. */
  echo: EchoStats;
  /** One-way throughput. */
  throughput: ThroughputStats;
  /** uds p50 / this lane's p50 in the same run (2 = twice as fast); null without uds. */
  p50SpeedupVsUds: number | null;
  /** This lane's throughput / uds throughput in the same run. */
  throughputVsUds: number | null;
}

/** Everything one run measured. */
export interface FabricBenchResult {
  /** Machine the figures belong to. */
  machine: MachineFingerprint;
  /** crc32c path in use and its speed on 64 KiB called from Deno. */
  crc32c: { implementation: string; gbPerSec64KiB: number };
  /** One row per lane and size. */
  rows: FabricBenchRow[];
  /** Lanes that could not run, with the reason. */
  skipped: { lane: LaneKind; reason: string }[];
  /** Settings the run used. */
  options: {
    lanes: LaneKind[];
    sizes: number[];
    seconds: number;
    spinNs: number;
    /** Lanes that ran pinned. */
    pinned: LaneKind[];
  };
}
