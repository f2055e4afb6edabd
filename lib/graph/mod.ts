/**
 * The route graph and the plan format shared by the planner and the
 * reconciler.
 *
 * @module
 */
export * from "./graph.ts";
export * from "./plan.ts";
