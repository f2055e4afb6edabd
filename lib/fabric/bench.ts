import * as hdr from "hdr-histogram-js";
import {
  crc32c,
  crc32cImplementation,
  machineFingerprint,
  pinThread,
  threadAffinity,
} from "../../ffi/mod.ts";
import type { MachineFingerprint } from "../../ffi/mod.ts";
import type { Lane, LaneKind } from "./lane/mod.ts";
import { openShmLane, shmAvailability } from "./shm/mod.ts";
import { listenUds } from "./uds/mod.ts";
import { listenTcp } from "./tcp/mod.ts";
import {
  type BenchPeerSpec,
  ROUTE_CONTROL,
  ROUTE_ECHO,
  ROUTE_SINK,
  runBenchPeer,
} from "./_bench_peer.ts";
import { UsageError } from "../core/mod.ts";

/** Options of {@link runFabricBench}. */
export interface FabricBenchOptions {
  /** Lanes to measure (default shm, uds, tcp; uds is always measured as the baseline). */
  lanes?: LaneKind[];
  /** Payload sizes in bytes (default 64, 4096, 65536). */
  sizes?: number[];
  /** Seconds per measurement (echo and throughput each, per lane and size; default 1). */
  seconds?: number;
  /**
   * Busy-poll budget before parking, in ns (default 50 000). Bounded so that with two
   * processes on a 2-vCPU machine neither can starve the other for long.
   */
  spinNs?: number;
  /**
   * Which lanes run with the bench pinned to CPU 0 and the peer to CPU 1 (needs 2+ CPUs and
   * the native library). Default `shm`: busy-polling only pays off when the two pollers
   * cannot land on one CPU, while socket lanes, woken by the kernel, measured slower pinned.
   */
  pin?: "shm" | "all" | "none";
  /** How to start the peer process; the default runs this module's peer with Deno. */
  peerCommand?: (specJson: string) => { command: string; args: string[] };
  /** Progress lines, e.g. for a CLI spinner. */
  onProgress?: (message: string) => void;
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

const LANES: readonly LaneKind[] = ["shm", "uds", "tcp"];

/** Runs the peer side of the benchmark (for `rtt-deno bench fabric --peer`, compiled mode). */
export function runFabricBenchPeer(specJson: string): Promise<void> {
  return runBenchPeer(JSON.parse(specJson) as BenchPeerSpec);
}

function defaultPeerCommand(specJson: string): { command: string; args: string[] } {
  const exe = Deno.execPath();
  const peer = new URL("./_bench_peer.ts", import.meta.url);
  const base = exe.slice(exe.lastIndexOf("/") + 1);
  if (peer.protocol === "file:" && base.startsWith("deno")) {
    const config = decodeURIComponent(new URL("../../deno.json", import.meta.url).pathname);
    return {
      command: exe,
      args: [
        "run",
        "-q",
        "--config",
        config,
        "-P=rtt",
        decodeURIComponent(peer.pathname),
        specJson,
      ],
    };
  }
  // A compiled binary cannot run a script: it re-enters itself in peer mode.
  return { command: exe, args: ["bench", "fabric", "--peer", specJson] };
}

// Median of many short windows: one noisy window (a timer tick, a neighbour on the
// shared host) must not decide the figure.
function measureCrc(seconds: number): number {
  const buf = crypto.getRandomValues(new Uint8Array(65536));
  for (let i = 0; i < 200; i++) crc32c(buf); // JIT warm-up
  const rates: number[] = [];
  const end = performance.now() + seconds * 1000;
  while (performance.now() < end) {
    const t0 = performance.now();
    for (let i = 0; i < 100; i++) crc32c(buf);
    rates.push((100 * buf.length) / ((performance.now() - t0) / 1000) / 1e9);
  }
  rates.sort((a, b) => a - b);
  return rates[Math.floor(rates.length / 2)];
}

function histogram(): hdr.Histogram {
  try {
    hdr.initWebAssemblySync();
    return hdr.build({ useWebAssembly: true, numberOfSignificantValueDigits: 3 });
  } catch {
    return hdr.build({ numberOfSignificantValueDigits: 3 });
  }
}

async function echo(lane: Lane, size: number, seconds: number): Promise<EchoStats> {
  const payload = crypto.getRandomValues(new Uint8Array(size));
  const h = histogram();
  try {
    let id = 0;
    const warmEnd = performance.now() + Math.min(200, seconds * 200);
    const end = warmEnd + seconds * 1000;
    for (;;) {
      const t0 = performance.now();
      await lane.write(payload, { routeId: ROUTE_ECHO, frameId: id });
      const f = await lane.receive({ timeoutMs: 10_000 });
      const t1 = performance.now();
      if (f === null || f.frameId !== id || f.payload.length !== size) {
        throw new Error(`echo ${id} on ${lane.kind} came back wrong or not at all`);
      }
      id = (id + 1) >>> 0;
      if (t0 >= warmEnd) h.recordValue(Math.max(1, Math.round((t1 - t0) * 1e6)));
      if (t1 >= end) break;
    }
    const us = (v: number) => v / 1000;
    return {
      count: h.totalCount,
      p50Us: us(h.getValueAtPercentile(50)),
      p99Us: us(h.getValueAtPercentile(99)),
      p999Us: us(h.getValueAtPercentile(99.9)),
      maxUs: us(h.maxValue),
      meanUs: us(h.mean),
    };
  } finally {
    h.destroy();
  }
}

async function report(lane: Lane): Promise<{ frames: number; bytes: number }> {
  await lane.write(new TextEncoder().encode("report"), { routeId: ROUTE_CONTROL, frameId: 0 });
  for (;;) {
    const f = await lane.receive({ timeoutMs: 30_000 });
    if (f === null) throw new Error(`peer of ${lane.kind} lane left before reporting`);
    if (f.routeId === ROUTE_CONTROL) return JSON.parse(new TextDecoder().decode(f.payload));
  }
}

async function throughput(lane: Lane, size: number, seconds: number): Promise<ThroughputStats> {
  const payload = crypto.getRandomValues(new Uint8Array(size));
  await report(lane); // zero the peer's counters
  let frames = 0;
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  while (performance.now() < end) {
    for (let i = 0; i < 32; i++) {
      await lane.write(payload, { routeId: ROUTE_SINK, frameId: frames++ });
    }
  }
  await lane.flush();
  const got = await report(lane);
  const secs = (performance.now() - t0) / 1000;
  if (got.frames !== frames) {
    throw new Error(`throughput on ${lane.kind}: peer got ${got.frames} of ${frames} frames`);
  }
  return {
    frames,
    bytes: got.bytes,
    seconds: secs,
    gbPerSec: got.bytes / secs / 1e9,
    framesPerSec: frames / secs,
  };
}

interface Served {
  lane: Lane;
  close: () => Promise<void>;
}

async function serveWithPeer(
  kind: LaneKind,
  opts: { spinNs: number; maxPayload: number; pinCpu?: number },
  peerCommand: (spec: string) => { command: string; args: string[] },
): Promise<Served> {
  const laneOpts = {
    maxPayload: opts.maxPayload,
    spinNs: opts.spinNs,
    capacityBytes: 4 << 20,
    reuseReceiveBuffer: true,
  };
  let address: string;
  let accept: () => Promise<Lane>;
  let stopListening = () => {};
  let tmp: string | null = null;
  if (kind === "shm") {
    address = `bench-${Deno.pid}-${crypto.randomUUID().slice(0, 8)}`;
    const capacity = Math.max(4 << 20, 2 ** Math.ceil(Math.log2((opts.maxPayload + 64) * 4)));
    const lane = await openShmLane(address, { ...laneOpts, role: "create", capacity });
    accept = () => Promise.resolve(lane);
  } else if (kind === "uds") {
    tmp = await Deno.makeTempDir({ prefix: "rtt-bench-" });
    const l = listenUds(`${tmp}/bench.sock`, laneOpts);
    address = l.address;
    accept = () => l.accept();
    stopListening = () => l.close();
  } else {
    const l = listenTcp({ port: 0 }, laneOpts);
    address = String(l.port);
    accept = () => l.accept();
    stopListening = () => l.close();
  }
  const spec: BenchPeerSpec = {
    kind,
    address,
    spinNs: opts.spinNs,
    maxPayload: opts.maxPayload,
    pinCpu: opts.pinCpu,
  };
  const { command, args } = peerCommand(JSON.stringify(spec));
  const child = new Deno.Command(command, { args, stdin: "null", stdout: "null", stderr: "piped" })
    .spawn();
  const stderr = new Response(child.stderr).text();
  let lane: Lane;
  try {
    lane = await Promise.race([
      accept(),
      child.status.then(async (s) => {
        throw new Error(`bench peer for ${kind} exited (${s.code}): ${(await stderr).trim()}`);
      }),
    ]);
  } catch (e) {
    stopListening();
    try {
      child.kill("SIGKILL");
    } catch { /* exited */ }
    throw e;
  }
  stopListening();
  return {
    lane,
    close: async () => {
      try {
        await lane.write(new TextEncoder().encode("exit"), { routeId: ROUTE_CONTROL, frameId: 0 });
        await lane.flush();
      } catch { /* peer already gone */ }
      const timer = setTimeout(() => {
        try {
          child.kill("SIGKILL");
        } catch { /* exited */ }
      }, 5000);
      await child.status;
      clearTimeout(timer);
      await stderr;
      await lane.close();
      if (tmp) await Deno.remove(tmp, { recursive: true }).catch(() => {});
    },
  };
}

/**
 * Measures each lane across two processes: echo round-trip latency (p50/p99/p99.9 from an
 * HDR histogram) and one-way throughput per payload size, plus crc32c speed. uds is always
 * measured, since every other lane is reported as a ratio to it from the same run.
 */
export async function runFabricBench(options: FabricBenchOptions = {}): Promise<FabricBenchResult> {
  const sizes = options.sizes ?? [64, 4096, 65536];
  const seconds = options.seconds ?? 1;
  const spinNs = options.spinNs ?? 50_000;
  const requested = options.lanes ?? [...LANES];
  for (const l of requested) {
    if (!LANES.includes(l)) throw new TypeError(`Cannot run fabric bench: unknown lane "${l}"`);
  }
  for (const s of sizes) {
    if (!Number.isInteger(s) || s < 0 || s > 1 << 20) {
      throw new UsageError(`Cannot run fabric bench: size ${s} is not an integer in 0..1048576`);
    }
  }
  if (!(seconds > 0 && seconds <= 600)) {
    throw new UsageError(`Cannot run fabric bench: seconds ${seconds} is not in (0, 600]`);
  }
  const lanes = requested.includes("uds") ? requested : [...requested, "uds" as const];
  const progress = options.onProgress ?? (() => {});
  const peerCommand = options.peerCommand ?? defaultPeerCommand;
  const maxPayload = Math.max(1024, ...sizes);
  const shm = shmAvailability();
  const pinMode = options.pin ?? "shm";
  const canPin = shm.available && navigator.hardwareConcurrency >= 2;
  const pinnedLanes = canPin
    ? LANES.filter((l) => pinMode === "all" || (pinMode === "shm" && l === "shm"))
    : [];
  const skipped: FabricBenchResult["skipped"] = [];
  const affinity = threadAffinity();

  progress("crc32c 64 KiB");
  const crc = {
    implementation: crc32cImplementation(),
    gbPerSec64KiB: measureCrc(Math.min(seconds, 1)),
  };

  const rows: FabricBenchRow[] = [];
  for (const kind of LANES.filter((l) => lanes.includes(l))) {
    if (kind === "shm" && !shm.available) {
      skipped.push({ lane: kind, reason: shm.reason });
      continue;
    }
    const pin = pinnedLanes.includes(kind);
    if (pin) pinThread([0]);
    const served = await serveWithPeer(kind, {
      spinNs,
      maxPayload,
      pinCpu: pin ? 1 : undefined,
    }, peerCommand);
    try {
      for (const size of sizes) {
        progress(`${kind} ${size} B echo`);
        const e = await echo(served.lane, size, seconds);
        progress(`${kind} ${size} B throughput`);
        const t = await throughput(served.lane, size, seconds);
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
  for (const r of rows) {
    const base = rows.find((b) => b.lane === "uds" && b.size === r.size);
    if (base) {
      r.p50SpeedupVsUds = base.echo.p50Us / r.echo.p50Us;
      r.throughputVsUds = r.throughput.gbPerSec / base.throughput.gbPerSec;
    }
  }
  return {
    machine: machineFingerprint(),
    crc32c: crc,
    rows: rows.filter((r) => requested.includes(r.lane)),
    skipped,
    options: {
      lanes: requested,
      sizes,
      seconds,
      spinNs,
      pinned: pinnedLanes.filter((l) => lanes.includes(l)),
    },
  };
}

function fmt(n: number, digits = 1): string {
  return n.toFixed(digits);
}

/** Renders a result as the human table `rtt-deno bench fabric` prints. */
export function formatFabricBench(result: FabricBenchResult): string {
  const head = [
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
  const body = result.rows.map((r) => [
    r.lane,
    String(r.size),
    fmt(r.echo.p50Us, 2),
    fmt(r.echo.p99Us, 2),
    fmt(r.echo.p999Us, 2),
    r.p50SpeedupVsUds === null ? "-" : `${fmt(r.p50SpeedupVsUds, 1)}x`,
    fmt(r.throughput.gbPerSec, 3),
    fmt(r.throughput.framesPerSec / 1e6, 3),
    r.throughputVsUds === null ? "-" : `${fmt(r.throughputVsUds, 2)}x`,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i < 1 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
  const out = [
    `machine: ${result.machine.cpu_model}, ${result.machine.logical_cpus} CPUs, ${result.machine.numa_nodes} NUMA node(s)`,
    `crc32c (${result.crc32c.implementation}) on 64 KiB: ${
      fmt(result.crc32c.gbPerSec64KiB, 2)
    } GB/s`,
    `${result.options.seconds} s per measurement, spin ${result.options.spinNs} ns, pinned: ${
      result.options.pinned.join(",") || "none"
    }`,
    "",
    line(head),
    line(widths.map((w) => "-".repeat(w))),
    ...body.map(line),
  ];
  for (const s of result.skipped) out.push(``, `${s.lane} skipped: ${s.reason}`);
  return out.join("\n");
}
