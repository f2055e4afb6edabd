/**
 * The route graph: what is (the committed graph in `.rtt/state/current.json`)
 * and what a plan turns it into. Shared by the planner, which computes plans
 * against the committed graph, and the reconciler, which commits them.
 *
 * @module
 */
import { compareStrings, hashJson, relativePath, type Workspace } from "../core/mod.ts";
import type { Lane } from "../config/mod.ts";
import { sha256HexSync } from "../core/mod.ts";
import { InputError } from "../core/mod.ts";
// internal_json.ts, not config/mod.ts: the light half of the graph must not load YAML.
import { readInternalJsonIfExists } from "../config/internal_json.ts";

/** One planned, fully resolved route (an edge of the graph). */
export interface PlannedRoute {
  /** Stable id derived from (from, to): `r-<12 hex>`. */
  id: string;
  /** Caller saddr. */
  from: string;
  /** Callee saddr. */
  to: string;
  /** Version of the caller symbol bound. */
  from_version: string;
  /** Version of the callee symbol bound. */
  to_version: string;
  /** CAS hash (`sha256:<hex>`) of the caller's manifest: pins its exact content. */
  from_hash: string;
  /** CAS hash of the callee's manifest. */
  to_hash: string;
  /** Contract carried. */
  type: string;
  /** Traffic class. */
  class: string;
  /** Chosen lane. */
  lane: Lane;
  /** Where the link's threads run. */
  placement: { numa_node: number; cpus: number[] };
  /** Effective QoS. */
  qos: { latency_budget_ms: number; throughput_qps: number };
  /** Token bucket sizing for admission control. */
  bucket: { rate_per_s: number; burst: number };
  /** Predicted p99 latency on the chosen lane, in milliseconds. */
  predicted_p99_ms: number;
}

/** A set of routes, kept sorted by {@linkcode routeKey}. */
export interface Graph {
  /** The edges, at most one per (from, to) pair: a route's id is derived from it. */
  routes: PlannedRoute[];
}

/** Stable id of the route from `from` to `to`. */
export function routeId(from: string, to: string): string {
  return `r-${sha256HexSync(new TextEncoder().encode(`${from}\n${to}`)).slice(0, 12)}`;
}

/** Sort key of a route: (from, type, to, version) as the seed's stable order asks. */
export function routeKey(r: Pick<PlannedRoute, "from" | "to" | "type" | "to_version">): string {
  return `${r.from}\u0000${r.type}\u0000${r.to}\u0000${r.to_version}`;
}

/** Returns a graph with routes sorted by {@linkcode routeKey} (canonical form). */
export function normalizeGraph(g: Graph): Graph {
  return { routes: [...g.routes].sort((a, b) => compareStrings(routeKey(a), routeKey(b))) };
}

/** Content hash of a graph (`sha256:<hex>` of its canonical normalized form). */
export function graphHash(g: Graph): string {
  return hashJson(normalizeGraph(g));
}

/** The empty graph (before anything was ever applied). */
export const EMPTY_GRAPH: Graph = Object.freeze({ routes: [] }) as Graph;

/** `.rtt/state/current.json`: the committed graph and where it came from. */
export interface CommittedState {
  /** Format version of the state file. */
  state_version: 1;
  /** WAL sequence number of the COMMIT record that produced this state (0 = never). */
  seq: number;
  /** graphHash(graph). */
  graph_hash: string;
  /** Plan that produced it (null for the initial empty state or a rollback). */
  plan_id: string | null;
  /** The committed routes themselves. */
  graph: Graph;
}

/** Path of the committed state file. */
export function statePath(ws: Workspace): string {
  return `${ws.state}/current.json`;
}

/**
 * Reads the committed state without recovery (the reconciler's recovery
 * runs first in commands that need a consistent view). A workspace where
 * nothing was ever applied has the empty graph at seq 0.
 * @throws {SchemaError} / {InputError} naming the file when it is damaged (exit 65).
 */
export async function readCommittedState(ws: Workspace): Promise<CommittedState> {
  const display = relativePath(ws.root, statePath(ws));
  const s = await readInternalJsonIfExists<CommittedState>(statePath(ws), "state", { display });
  if (!s) {
    return {
      state_version: 1,
      seq: 0,
      graph_hash: graphHash(EMPTY_GRAPH),
      plan_id: null,
      graph: { routes: [] },
    };
  }
  if (graphHash(s.graph) !== s.graph_hash) {
    throw new InputError(
      `Committed state "${display}" is corrupt: graph_hash ${s.graph_hash} does not match its graph (${
        graphHash(s.graph)
      })`,
      { file: display },
    );
  }
  return s;
}
