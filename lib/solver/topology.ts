/**
 * Machine topology for placement: NUMA nodes and their CPUs, from the probe
 * in `ffi/` (native, or its pure-TS sysfs reader); anywhere without NUMA
 * information the machine is one node holding every CPU. Tests inject a fake
 * sysfs root or a ready {@linkcode Topology}.
 *
 * @module
 */

/** One NUMA node. */
export interface NumaNode {
  /** Node number as the kernel names it (`node<id>`). */
  id: number;
  /** CPUs of the node, ascending. */
  cpus: number[];
}

/** NUMA nodes sorted by id. */
export interface Topology {
  /** The nodes, at least one. */
  nodes: NumaNode[];
  /** Where the figures came from: the native probe, its TS sysfs reader, or the one-node fallback. */
  source: "native" | "sysfs" | "single-node";
}

/** Options for {@linkcode readTopology}. */
export interface ReadTopologyOptions {
  /** sysfs node folder (default `/sys/devices/system/node`); tests point it at a fake tree. */
  sysfsNodeRoot?: string;
  /** CPU count used for the single-node fallback (default `navigator.hardwareConcurrency`). */
  cpuCount?: number;
}

/**
 * Reads the NUMA topology through the one probe in `ffi/` (native when the
 * library is loaded, its sysfs reader otherwise). Nodes without CPUs
 * (memory-only nodes) are left out because nothing can be placed on them.
 */
export async function readTopology(options: ReadTopologyOptions = {}): Promise<Topology> {
  const { probeTopology } = await import("../../ffi/mod.ts");
  const probed = probeTopology({ nodeRoot: options.sysfsNodeRoot });
  const nodes = probed.nodes
    .filter((n) => n.cpus.length > 0)
    .map((n) => ({ id: n.id, cpus: [...n.cpus].sort((a, b) => a - b) }));
  if (nodes.length) return { nodes, source: probed.source };
  return singleNodeTopology(options.cpuCount ?? navigator.hardwareConcurrency ?? 1);
}

/** The fallback: one node 0 holding CPUs `0..cpuCount-1`. */
export function singleNodeTopology(cpuCount: number): Topology {
  const n = Math.max(1, Math.floor(cpuCount));
  return {
    nodes: [{ id: 0, cpus: Array.from({ length: n }, (_, i) => i) }],
    source: "single-node",
  };
}
