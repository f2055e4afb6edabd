/**
 * The planner (stage 40): constraint propagation, an exact (HiGHS MIP) and
 * a greedy solver, the lane latency model, machine topology, and assembly
 * of deterministic plan bodies. See plans/README.md for the model.
 *
 * @module
 */
export * from "./topology.ts";
export * from "./latency_model.ts";
export * from "./infeasible.ts";
export * from "./problem.ts";
export * from "./greedy.ts";
export * from "./exact.ts";
export * from "./plan_builder.ts";
export * from "./solve.ts";
