/**
 * Machine topology: NUMA nodes with their CPUs and distances, thread pinning and a machine
 * fingerprint. Native when the library loaded, else read from sysfs in TypeScript with the
 * same rules (pinning needs the library).
 *
 * @module
 */
import { fnv1a64, parseCpuList, readText } from "./_sysfs.ts";
import { NativeUnavailableError } from "./errors.ts";
import { lastNativeError, native, nativeStatus } from "./load.ts";
import { statusError } from "./errors.ts";

/** One NUMA node as the kernel describes it. */
export interface NumaNode {
  /** Node number. */
  id: number;
  /** CPU ids on the node. */
  cpus: number[];
  /** Relative distances to every node (10 = local), in node order. */
  distances: number[];
}

/** The machine's NUMA layout and which probe produced it. */
export interface Topology {
  /** Nodes sorted by id; never empty (a machine without NUMA sysfs reports one node). */
  nodes: NumaNode[];
  /** `native` when read by librtt_ffi, `sysfs` when read by the TS fallback. */
  source: "native" | "sysfs";
}

/**
 * Identity of the hardware that tuned profiles are keyed by. `key` is
 * `model|cpus|layout` and `id` its FNV-1a 64 hash, computed identically in Rust and TS so a
 * profile saved with the native library is found without it.
 */
export interface MachineFingerprint {
  /** `model name` from /proc/cpuinfo. */
  cpu_model: string;
  /** CPUs across all nodes. */
  logical_cpus: number;
  /** Number of NUMA nodes. */
  numa_nodes: number;
  /** `node:cpu,cpu;node:...` */
  layout: string;
  /** The string that is hashed. */
  key: string;
  /** 16 hex digits. */
  id: string;
}

/** Options shared by the probes. */
export interface ProbeOptions {
  /** Force the pure-TS sysfs reader even when the native library is loaded. */
  portable?: boolean;
  /**
   * Node folder for the pure-TS reader (default `/sys/devices/system/node`); implies
   * `portable`. Tests point it at a fake tree. A custom folder without nodes gives no nodes
   * (the one-node fallback applies to the real machine only).
   */
  nodeRoot?: string;
}

function nativeJson(fn: "rtt_topology_json" | "rtt_fingerprint_json"): unknown | null {
  const lib = native();
  if (lib === null) return null;
  let cap = 4096;
  for (let i = 0; i < 4; i++) {
    const buf = new Uint8Array(cap);
    const n = lib.symbols[fn](buf, cap);
    if (n < 0) throw statusError(`Cannot probe topology (${fn})`, n, lastNativeError(lib));
    if (n <= cap) return JSON.parse(new TextDecoder().decode(buf.subarray(0, n)));
    cap = n;
  }
  throw new RangeError(`Cannot probe topology: ${fn} output keeps growing`);
}

const SYSFS_NODES = "/sys/devices/system/node";

function sysfsNodes(root = SYSFS_NODES): NumaNode[] {
  const nodes: NumaNode[] = [];
  try {
    for (const e of Deno.readDirSync(root)) {
      const m = /^node(\d+)$/.exec(e.name);
      if (!m) continue;
      const base = `${root}/${e.name}`;
      const cpus = parseCpuList(readText(`${base}/cpulist`) ?? "");
      const distances = (readText(`${base}/distance`) ?? "").split(/\s+/).filter((x) => x !== "")
        .map(Number).filter((x) => Number.isInteger(x) && x >= 0);
      nodes.push({ id: Number(m[1]), cpus, distances });
    }
  } catch {
    // no NUMA sysfs: handled below
  }
  nodes.sort((a, b) => a.id - b.id);
  if (nodes.length === 0 && root === SYSFS_NODES) {
    nodes.push({
      id: 0,
      cpus: parseCpuList(readText("/sys/devices/system/cpu/online") ?? ""),
      distances: [10],
    });
  }
  return nodes;
}

/** NUMA nodes, their CPUs and distances; native probe when loaded, sysfs reader otherwise. */
export function probeTopology(options: ProbeOptions = {}): Topology {
  if (!options.portable && options.nodeRoot === undefined) {
    const j = nativeJson("rtt_topology_json") as { nodes: NumaNode[] } | null;
    if (j !== null) return { nodes: j.nodes, source: "native" };
  }
  return { nodes: sysfsNodes(options.nodeRoot), source: "sysfs" };
}

/** Machine fingerprint (see {@linkcode MachineFingerprint}); identical with or without native. */
export function machineFingerprint(options: ProbeOptions = {}): MachineFingerprint {
  if (!options.portable) {
    const j = nativeJson("rtt_fingerprint_json") as MachineFingerprint | null;
    if (j !== null) return j;
  }
  const nodes = sysfsNodes();
  const info = readText("/proc/cpuinfo") ?? "";
  const line = info.split("\n").find((l) => l.startsWith("model name"));
  const model = line ? line.slice(line.indexOf(":") + 1).trim() : "unknown";
  const cores = nodes.reduce((n, x) => n + x.cpus.length, 0);
  const layout = nodes.map((n) => `${n.id}:${n.cpus.join(",")}`).join(";");
  const key = `${model}|${cores}|${layout}`;
  return {
    cpu_model: model,
    logical_cpus: cores,
    numa_nodes: nodes.length,
    layout,
    key,
    id: fnv1a64(key),
  };
}

/**
 * Pins the calling thread (the JS thread when called from JS) to `cpus`. Needs the native
 * library: there is no portable way to call sched_setaffinity from Deno.
 */
export function pinThread(cpus: readonly number[]): void {
  if (!Array.isArray(cpus) || cpus.length === 0) {
    throw new TypeError("Cannot pin thread: expected a non-empty array of CPU ids");
  }
  for (const c of cpus) {
    if (!Number.isInteger(c) || c < 0 || c > 1023) {
      throw new RangeError(`Cannot pin thread: CPU id ${c} is not an integer in 0..1023`);
    }
  }
  const lib = native();
  if (lib === null) {
    const st = nativeStatus();
    throw new NativeUnavailableError(st.available ? [] : st.error.attempts);
  }
  const arr = new Uint32Array(cpus);
  const r = lib.symbols.rtt_pin_thread(new Uint8Array(arr.buffer), arr.length);
  if (r < 0) throw statusError("Cannot pin thread", r, lastNativeError(lib));
}

/** CPUs the calling thread may run on (native call, or /proc/thread-self/status). */
export function threadAffinity(): number[] {
  const lib = native();
  if (lib !== null) {
    const out = new Uint32Array(1024);
    const n = lib.symbols.rtt_thread_affinity(new Uint8Array(out.buffer), out.length);
    if (n < 0) throw statusError("Cannot read thread affinity", n, lastNativeError(lib));
    return Array.from(out.subarray(0, n));
  }
  const st = readText("/proc/thread-self/status") ?? "";
  const line = st.split("\n").find((l) => l.startsWith("Cpus_allowed_list:"));
  return parseCpuList(line ? line.slice(line.indexOf(":") + 1) : "");
}
