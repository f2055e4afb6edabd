/**
 * The route graph (what is committed in `.rtt/state/current.json`) and the
 * plan as a delta on it. Shared by the planner and the reconciler; light on
 * purpose: plan sealing and verification (schemas, trust root) are in
 * `lib/plan`, so `status` and recovery never load them.
 *
 * @module
 */
export * from "./graph.ts";
export * from "./plan.ts";
