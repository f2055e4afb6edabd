/**
 * The planner's problem as data: what it plans from ({@linkcode SolverInput})
 * and the options each route has ({@linkcode Problem}). Its own module so the
 * passes that build it and the solvers that read it share the types without
 * importing each other.
 *
 * @module
 */
import type { DesiredRoute, Lane, Policy, SourceDocument } from "../config/mod.ts";
import type { SymbolEntry } from "../symbols/mod.ts";
import type { Graph, PlannedRoute } from "../graph/mod.ts";
import type { Topology } from "./topology.ts";
import type { LatencyModel } from "./latency_model.ts";
import type { BlockedRoute } from "./infeasible.ts";

/** Everything the planner plans from. */
export interface SolverInput {
  /** Symbols that exist (one entry per saddr@version); `hash` is the CAS key. */
  symbols: readonly SymbolEntry[];
  /** Desired routes (`.rtt/routes.json`). */
  routes: readonly DesiredRoute[];
  /** `.rtt/policy.json`. */
  policy: Policy;
  /** Lane preference order for ties (panel `routing.prefer`). */
  prefer?: readonly Lane[];
  /** NUMA nodes and their CPUs. */
  topology: Topology;
  /** Predicted p99 per lane. */
  model: LatencyModel;
  /** The committed graph (churn objective). */
  base: Graph;
  /** Source of the routes, for error positions (file + JSON pointer + line). */
  routesSource?: SourceDocument | string;
}

/** The route with every field but lane, placement and predicted p99 resolved. */
export type FixedRoute = Omit<PlannedRoute, "lane" | "placement" | "predicted_p99_ms">;

/** One feasible way to realise a route. */
export interface RouteOption {
  /** Lane of this option. */
  lane: Lane;
  /** NUMA node the link's threads run on. */
  node: number;
  /** Predicted p99 in integer microseconds. */
  p99Us: number;
  /** 1 when choosing this option changes the committed route. */
  churn: 0 | 1;
}

/** A route whose constraints are all met by at least one option. */
export interface RouteProblem {
  /** Route id (see routeId). */
  id: string;
  /** Stable key (from, type, to, version). */
  key: string;
  /** The route with every field but lane, placement and predicted p99 resolved. */
  fixed: FixedRoute;
  /** Feasible options, best first by (p99, churn, lane preference, node). */
  options: RouteOption[];
  /** The committed route with the same id, if any. */
  base?: PlannedRoute;
  /** Why the options look as they do (for --explain). */
  notes: string[];
}

/** Output of {@linkcode buildProblem}. */
export interface Problem {
  /** Feasible routes, sorted by stable key. */
  routes: RouteProblem[];
  /** Infeasible routes, sorted by (from, to). */
  blocked: BlockedRoute[];
  /** Committed routes no desired route keeps (always deleted). */
  removed: PlannedRoute[];
  /** CPUs per node id (placement). */
  cpus: Map<number, number[]>;
}
