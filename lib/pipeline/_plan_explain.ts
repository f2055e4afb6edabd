/**
 * The per-route explanation of a plan (`plan --explain`) and its delta
 * against the committed graph.
 *
 * @module
 */
import type { Graph, Plan } from "../graph/mod.ts";
import type { PlanOutcome } from "../solver/mod.ts";

/** Why one route got the lane and placement it got. */
export interface RouteExplanation {
  /** Route id. */
  id: string;
  /** Source symbol (saddr). */
  from: string;
  /** Target symbol (saddr). */
  to: string;
  /** Contract carried. */
  type: string;
  /** Traffic class. */
  class: string;
  /** Chosen lane. */
  lane: string;
  /** NUMA node of the link's threads. */
  numa_node: number;
  /** Predicted p99 latency on the chosen lane. */
  predicted_p99_ms: number;
  /** The route's latency budget. */
  latency_budget_ms: number;
  /** What the plan does to the committed route. */
  change: "keep" | "replace" | "add";
  /** The reasons, `; `-separated. */
  why: string;
}

/** How a plan changes the committed graph, by route. */
export interface PlanDelta {
  /** New routes. */
  added: number;
  /** Committed routes the plan changes. */
  replaced: number;
  /** Committed routes the plan drops. */
  removed: number;
  /** Committed routes the plan keeps as they are. */
  unchanged: number;
}

/** Counts added, replaced, removed and unchanged routes of `plan` against `base`. */
export function planDelta(base: Graph, plan: Plan, routes: number): PlanDelta {
  const baseIds = new Set(base.routes.map((r) => r.id));
  const replaced = plan.routes_add.filter((r) => baseIds.has(r.id)).length;
  const added = plan.routes_add.length - replaced;
  return {
    added,
    replaced,
    removed: plan.routes_del.length - replaced,
    unchanged: routes - added - replaced,
  };
}

/** One {@linkcode RouteExplanation} per planned route, in problem order. */
export function explainRoutes(outcome: PlanOutcome, plan: Plan): RouteExplanation[] {
  const changed = new Set(plan.order);
  return outcome.problem.routes.map((rp, i) => {
    const o = rp.options[outcome.choice[i]];
    const alt = rp.options.find((x) => x.lane !== o.lane);
    const why = [
      ...rp.notes.slice(0, -1),
      rp.options.length === 1
        ? "only option"
        : `lowest p99 of ${rp.options.length} options${
          alt ? ` (next lane: ${alt.lane} ${alt.p99Us / 1000} ms)` : ""
        }`,
      rp.notes[rp.notes.length - 1],
    ].join("; ");
    return {
      id: rp.id,
      from: rp.fixed.from,
      to: rp.fixed.to,
      type: rp.fixed.type,
      class: rp.fixed.class,
      lane: o.lane,
      numa_node: o.node,
      predicted_p99_ms: o.p99Us / 1000,
      latency_budget_ms: rp.fixed.qos.latency_budget_ms,
      change: !changed.has(rp.id) ? "keep" : rp.base ? "replace" : "add",
      why,
    };
  });
}
