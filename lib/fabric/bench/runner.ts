/**
 * Runs the fabric benchmark: checks the options (the only place they are checked), measures
 * each lane against its own peer process and adds the ratios to uds from the same run.
 *
 * @module
 */
import {
  crc32cImplementation,
  machineFingerprint,
  pinThread,
  threadAffinity,
} from "../../../ffi/mod.ts";
import { isLane, LANES, UsageError } from "../../core/mod.ts";
import type { LaneKind } from "../lane/mod.ts";
import { DEFAULT_MAX_PAYLOAD } from "../frame/mod.ts";
import { shmAvailability } from "../shm/mod.ts";
import { echo, measureCrc, throughput } from "./_measure.ts";
import { type BenchPeerSpec, runBenchPeer } from "./_peer.ts";
import { defaultPeerCommand, serveWithPeer } from "./_spawn.ts";
import {
  FABRIC_BENCH_DEFAULTS as DEFAULTS,
  type FabricBenchOptions,
  type FabricBenchResult,
  type FabricBenchRow,
  type PeerCommand,
  PIN_MODES,
  type PinMode,
} from "./types.ts";

/** Largest payload the bench sends: the frame codec's default limit (1 MiB). */
const MAX_BENCH_PAYLOAD = DEFAULT_MAX_PAYLOAD;

/** Longest single measurement, so a typo cannot hold the machine for hours. */
const MAX_BENCH_SECONDS = 600;

/** Largest busy-poll budget the native ring accepts (u32 nanoseconds). */
const MAX_SPIN_NS = 0xffff_ffff;

/** {@linkcode FabricBenchOptions} with defaults applied, every value checked. */
interface Settings {
  requested: LaneKind[];
  sizes: number[];
  seconds: number;
  spinNs: number;
  pin: PinMode;
}

function refuse(what: string): never {
  throw new UsageError(`Cannot run fabric bench: ${what}`);
}

function isWhole(n: number, min: number, max: number): boolean {
  return Number.isInteger(n) && n >= min && n <= max;
}

// The one place the bench's inputs are checked, so the CLI and any other caller refuse the
// same values with the same words.
function settingsOf(options: FabricBenchOptions): Settings {
  const requested = [...(options.lanes ?? DEFAULTS.lanes)];
  if (requested.length === 0) refuse(`no lanes given (expected some of ${LANES.join(", ")})`);
  for (const l of requested) {
    if (!isLane(l)) refuse(`unknown lane "${l}" (expected ${LANES.join(", ")})`);
  }
  const sizes = [...(options.sizes ?? DEFAULTS.sizes)];
  if (sizes.length === 0) refuse("no payload sizes given");
  for (const s of sizes) {
    if (!isWhole(s, 1, MAX_BENCH_PAYLOAD)) {
      refuse(
        `payload size ${s} is not a whole number of bytes from 1 to ${MAX_BENCH_PAYLOAD} (1 MiB)`,
      );
    }
  }
  const seconds = options.seconds ?? DEFAULTS.seconds;
  if (!(seconds > 0 && seconds <= MAX_BENCH_SECONDS)) {
    refuse(`${seconds} seconds per measurement is not above 0 and at most ${MAX_BENCH_SECONDS}`);
  }
  const spinNs = options.spinNs ?? DEFAULTS.spinNs;
  if (!isWhole(spinNs, 0, MAX_SPIN_NS)) {
    refuse(`spin ${spinNs} ns is not a whole number of nanoseconds from 0 to ${MAX_SPIN_NS}`);
  }
  const pin: PinMode = options.pin ?? DEFAULTS.pin;
  if (!PIN_MODES.includes(pin)) refuse(`pin mode "${pin}" is not one of ${PIN_MODES.join(", ")}`);
  return { requested, sizes, seconds, spinNs, pin };
}

/** Runs the peer side of the benchmark (for `rtt-deno bench fabric --peer`, compiled mode). */
export async function runFabricBenchPeer(specJson: string): Promise<void> {
  let spec: BenchPeerSpec;
  try {
    spec = JSON.parse(specJson);
  } catch (err) {
    throw new UsageError(`Cannot run fabric bench peer: its spec is not JSON`, { cause: err });
  }
  await runBenchPeer(spec);
}

// Each lane in its turn against its own peer process; uds is in `lanes` (the baseline).
async function measureLanes(
  lanes: readonly LaneKind[],
  settings: Settings,
  pinned: readonly LaneKind[],
  peerCommand: PeerCommand,
  progress: (message: string) => void,
): Promise<{ rows: FabricBenchRow[]; skipped: FabricBenchResult["skipped"] }> {
  const shm = shmAvailability();
  const affinity = threadAffinity();
  const maxPayload = Math.max(1024, ...settings.sizes);
  const rows: FabricBenchRow[] = [];
  const skipped: FabricBenchResult["skipped"] = [];
  for (const kind of lanes) {
    if (kind === "shm" && !shm.available) {
      skipped.push({ lane: kind, reason: shm.reason });
      continue;
    }
    const pin = pinned.includes(kind);
    if (pin) pinThread([0]);
    const served = await serveWithPeer(
      kind,
      { spinNs: settings.spinNs, maxPayload, pinCpu: pin ? 1 : undefined },
      peerCommand,
    );
    try {
      for (const size of settings.sizes) {
        progress(`${kind} ${size} B echo`);
        const e = await echo(served.lane, size, settings.seconds);
        progress(`${kind} ${size} B throughput`);
        const t = await throughput(served.lane, size, settings.seconds);
        rows.push({
          lane: kind,
          size,
          echo: e,
          throughput: t,
          p50SpeedupVsUds: null,
          throughputVsUds: null,
        });
      }
    } finally {
      await served.close();
      if (pin) pinThread(affinity);
    }
  }
  return { rows, skipped };
}

// Ratios against uds at the same size from the same run, never from another machine or day.
function addRatios(rows: FabricBenchRow[]): void {
  for (const r of rows) {
    const base = rows.find((b) => b.lane === "uds" && b.size === r.size);
    if (base) {
      r.p50SpeedupVsUds = base.echo.p50Us / r.echo.p50Us;
      r.throughputVsUds = r.throughput.gbPerSec / base.throughput.gbPerSec;
    }
  }
}

/**
 * Measures each lane across two processes: echo round-trip latency (p50/p99/p99.9 from an
 * HDR histogram) and one-way throughput per payload size, plus crc32c speed. uds is always
 * measured, since every other lane is reported as a ratio to it from the same run.
 *
 * @throws {UsageError} when an option is out of range (before anything is measured)
 * @example
 * ```ts
 * const r = await runFabricBench({ lanes: ["shm"], sizes: [64], seconds: 0.5 });
 * console.log(formatFabricBench(r));
 * ```
 */
export async function runFabricBench(
  options: FabricBenchOptions = {},
  onProgress: (message: string) => void = () => {},
): Promise<FabricBenchResult> {
  const settings = settingsOf(options);
  const { requested } = settings;
  const lanes = LANES.filter((l) => l === "uds" || requested.includes(l));
  const canPin = shmAvailability().available && navigator.hardwareConcurrency >= 2;
  const pinned = canPin
    ? lanes.filter((l) => settings.pin === "all" || (settings.pin === "shm" && l === "shm"))
    : [];

  onProgress("crc32c 64 KiB");
  const crc = {
    implementation: crc32cImplementation(),
    gbPerSec64KiB: measureCrc(Math.min(settings.seconds, 1)),
  };
  const peerCommand = options.peerCommand ?? defaultPeerCommand;
  const { rows, skipped } = await measureLanes(lanes, settings, pinned, peerCommand, onProgress);
  addRatios(rows);
  return {
    machine: machineFingerprint(),
    crc32c: crc,
    rows: rows.filter((r) => requested.includes(r.lane)),
    skipped,
    options: {
      lanes: requested,
      sizes: settings.sizes,
      seconds: settings.seconds,
      spinNs: settings.spinNs,
      pinned,
    },
  };
}
