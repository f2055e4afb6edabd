/**
 * Plans for tests that must not depend on the planner: synthetic routes,
 * and plans sealed with a given key so `apply` verifies them against the
 * workspace trust root like real plans.
 *
 * @module
 */
import type { KeyPair } from "../core/mod.ts";
import {
  applyDelta,
  type Graph,
  graphHash,
  normalizeGraph,
  type Plan,
  type PlannedRoute,
  routeId,
} from "../graph/mod.ts";
import { sealPlan } from "../plan/mod.ts";

const H = "sha256:" + "0".repeat(64);

/** A fully formed planned route from `rtt://t/api/s<from>` to `rtt://t/api/d<to>`. */
export function testRoute(
  from: string | number,
  to: string | number,
  extra: Partial<PlannedRoute> = {},
): PlannedRoute {
  const f = typeof from === "number" ? `rtt://t/api/s${from}` : from;
  const t = typeof to === "number" ? `rtt://t/api/d${to}` : to;
  return {
    id: routeId(f, t),
    from: f,
    to: t,
    from_version: "1.0.0",
    to_version: "1.0.0",
    from_hash: H,
    to_hash: H,
    type: "t.v1",
    class: "interactive",
    lane: "uds",
    placement: { numa_node: 0, cpus: [0, 1] },
    qos: { latency_budget_ms: 1, throughput_qps: 10 },
    bucket: { rate_per_s: 10, burst: 10 },
    predicted_p99_ms: 0.1,
    ...extra,
  };
}

/** `n` distinct routes numbered from `start`. */
export function testRoutes(n: number, start = 0): PlannedRoute[] {
  return Array.from({ length: n }, (_, i) => testRoute(start + i, start + i));
}

/** Options for {@linkcode buildPlan}. */
export interface BuildPlanOptions {
  /** Routes to remove (ids must be in `base`). */
  del?: PlannedRoute[];
  /** Number of batches to split the changes into (default 1). */
  batches?: number;
}

/** Seals a plan from `base` adding `add` (and removing `del`), split into batches. */
export async function buildPlan(
  key: KeyPair,
  base: Graph,
  add: PlannedRoute[],
  options: BuildPlanOptions = {},
): Promise<Plan> {
  const del = (options.del ?? []).map(({ id, from, to }) => ({ id, from, to }));
  const target = applyDelta(base, { routes_add: add, routes_del: del });
  const order = [...new Set([...del.map((d) => d.id), ...add.map((a) => a.id)])];
  const n = Math.max(1, Math.min(options.batches ?? 1, order.length));
  const size = Math.ceil(order.length / n);
  const batches: string[][] = [];
  for (let i = 0; i < order.length; i += size) batches.push(order.slice(i, i + size));
  return await sealPlan({
    plan_version: 1,
    created_at: "1970-01-01T00:00:00Z",
    base_graph: graphHash(base),
    target_graph: graphHash(target),
    symbols: {},
    routes_add: normalizeGraph({ routes: add }).routes,
    routes_del: del,
    order,
    batches,
    solver: { name: "lib/testing/build_plan.ts" },
  }, key);
}
