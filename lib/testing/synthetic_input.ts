/**
 * In-memory synthetic planning inputs for benchmarks and property tests:
 * seeded, so every run of a benchmark or a failing property replays the
 * same instance.
 *
 * @module
 */
import type { DesiredRoute, Lane, Policy } from "../config/mod.ts";
import { hashJson } from "../core/mod.ts";
import type { SymbolEntry } from "../symbols/mod.ts";
import type { Graph } from "../graph/mod.ts";
import { DEFAULT_LATENCY_MODEL, type SolverInput, type Topology } from "../solver/mod.ts";
import { rng } from "./rng.ts";

const LANE_SETS: Lane[][] = [["shm", "uds", "tcp"], ["uds", "tcp"], ["shm", "uds"], ["tcp"]];

/** Options for {@linkcode syntheticInput}. */
export interface SyntheticInputOptions {
  /** Symbols in the table (at least 2), spread over 50 namespaces. */
  symbols: number;
  /** Desired routes, each between a distinct (caller, callee) pair. */
  routes: number;
  /** Seed of the generator (default 1): the same seed gives the same instance. */
  seed?: number;
  /** NUMA nodes (default 2, two CPUs each). */
  nodes?: number;
  /** Committed graph to plan against (default empty). */
  base?: Graph;
}

/**
 * Builds a feasible-by-construction instance: every route is type- and
 * version-compatible, class `bus` (so several routes may leave one caller),
 * with a generous budget; lanes, home nodes and failover vary so options
 * and costs differ between routes.
 */
export function syntheticInput(options: SyntheticInputOptions): SolverInput {
  const rand = rng(options.seed ?? 1);
  const n = Math.max(2, options.symbols);
  const symbols: SymbolEntry[] = [];
  for (let i = 0; i < n; i++) {
    const saddr = `rtt://ns${i % 50}/api/s${i}`;
    const manifest = {
      saddr,
      kind: "api",
      version: `1.${i % 3}.0`,
      type: { in: ["msg.v1"], out: ["msg.v1"] },
      caps: { provides: ["c"] },
      lanes: LANE_SETS[Math.floor(rand() * 3)],
      qos: { latency_budget_ms: 5, class: "bus" },
    };
    symbols.push({
      saddr,
      version: manifest.version,
      hash: hashJson(manifest),
      file: "",
      manifest,
    });
  }
  const pairs = new Set<string>();
  const routes: DesiredRoute[] = [];
  while (routes.length < options.routes) {
    const a = Math.floor(rand() * n);
    let b = Math.floor(rand() * n);
    if (b === a) b = (b + 1) % n;
    const k = `${a}:${b}`;
    if (pairs.has(k) || (a % 50 === 49 && b % 50 === 48)) continue; // denied by the ACL below
    pairs.add(k);
    const r: DesiredRoute = { from: symbols[a].saddr, to: symbols[b].saddr, class: "bus" };
    if (rand() < 0.1) r.lane = LANE_SETS[0][Math.floor(rand() * 3)];
    routes.push(r);
  }
  const nodes = options.nodes ?? 2;
  const topology: Topology = {
    source: "sysfs",
    nodes: Array.from({ length: nodes }, (_, i) => ({ id: i, cpus: [2 * i, 2 * i + 1] })),
  };
  const policy: Policy = {
    acl: {
      default: "allow",
      rules: [{ effect: "deny", from: "rtt://ns49/**", to: "rtt://ns48/**" }],
    },
    pins: [
      { match: { symbol: "rtt://ns1/**" }, numa_node: 0 },
      { match: { symbol: "rtt://ns2/**" }, numa_node: nodes - 1 },
    ],
    fanout: { default_max: 10_000 },
    failover: [{ match: { to: "rtt://ns3/**" }, lanes: ["uds", "tcp"] }],
    qos: { classes: { bus: { latency_budget_ms: 5, throughput_qps: 1000, burst: 100 } } },
  };
  return {
    symbols,
    routes,
    policy,
    prefer: ["shm", "uds", "tcp"],
    topology,
    model: DEFAULT_LATENCY_MODEL,
    base: options.base ?? { routes: [] },
  };
}
