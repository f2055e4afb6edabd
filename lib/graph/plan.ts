/**
 * The plan as data: a delta from a base graph to a target graph, and how
 * it applies. Sealing (plan_id, signature) and verification of plan files
 * live in `lib/plan`, which loads schema validation and the trust root;
 * this module loads neither, so `status` and the reconciler stay light.
 *
 * @module
 */
import { type SignatureBlock, VerificationError } from "../core/mod.ts";
import { type Graph, graphHash, normalizeGraph, type PlannedRoute } from "./graph.ts";

/** A plan file (`plans/<plan_id>.plan.json`). */
export interface Plan {
  /** Format version (1). */
  plan_version: 1;
  /** `sha256-<hex>` of the plan without `plan_id` and `sign`. */
  plan_id: string;
  /** Deterministic: derived from inputs, never the wall clock (see the planner docs). */
  created_at: string;
  /** graphHash of the committed graph this plan was computed against. */
  base_graph: string;
  /** graphHash of the graph after applying the plan. */
  target_graph: string;
  /** Symbols bound by the plan: `saddr@version` -> CAS hash. */
  symbols: Record<string, string>;
  /** Routes to add (or replace, when an id also appears in routes_del). */
  routes_add: PlannedRoute[];
  /** Routes to remove. */
  routes_del: Array<{ id: string; from: string; to: string }>;
  /** Ids of routes_del then routes_add in apply order. */
  order: string[];
  /** Batches of non-conflicting changes, applied one 2PC transaction step each, in order. */
  batches: string[][];
  /** How the plan was solved (solver, objective values, input hashes). */
  solver: Record<string, unknown>;
  /** Signature by a key trusted for role plans, over the plan without `sign`. */
  sign?: SignatureBlock;
}

/** Applies a plan's delta to a graph. @throws {VerificationError} when a removed route is absent. */
export function applyDelta(base: Graph, plan: Pick<Plan, "routes_add" | "routes_del">): Graph {
  const byId = new Map(base.routes.map((r) => [r.id, r]));
  for (const d of plan.routes_del) {
    if (!byId.delete(d.id)) {
      throw new VerificationError(
        `Plan removes route ${d.id} (${d.from} -> ${d.to}), which is not in the base graph`,
      );
    }
  }
  for (const a of plan.routes_add) byId.set(a.id, a);
  return normalizeGraph({ routes: [...byId.values()] });
}

/**
 * Checks that a plan's target hash matches its base graph plus delta.
 * @throws {VerificationError} when it does not, or when the delta does not apply.
 */
export function checkPlanTarget(base: Graph, plan: Plan): Graph {
  const target = applyDelta(base, plan);
  const h = graphHash(target);
  if (h !== plan.target_graph) {
    throw new VerificationError(
      `Plan ${plan.plan_id} claims target graph ${plan.target_graph} but base + delta gives ${h}`,
    );
  }
  return target;
}
