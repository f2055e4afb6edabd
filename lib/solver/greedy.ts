/**
 * The greedy solver: walks routes in stable-key order and takes each
 * route's best option (lowest predicted p99, then no churn, then lane
 * preference, then node). Constraint propagation in {@linkcode buildProblem}
 * already caches every per-symbol policy lookup (ACL rule matches, home
 * nodes, version ranges), so a route costs a few map lookups.
 *
 * With the constraint set of plans/README.md the objective separates per
 * route once the problem is built (no constraint couples the option choices
 * of two routes), so this choice is optimal; the exact solver checks that on
 * every small problem in the tests.
 *
 * @module
 */
import type { Problem } from "./problem.ts";

/** Index of the chosen option per route (same order as `problem.routes`). */
export type Choice = number[];

/** Picks the first (best) option of every route. */
export function solveGreedy(problem: Problem): Choice {
  return problem.routes.map(() => 0);
}
