/**
 * Stage 40 as a library call: builds the problem, runs the chosen solver
 * and assembles the unsigned plan body. Signing and writing the file are the
 * caller's (the CLI's) business.
 *
 * @module
 */
import { compareStrings, hashJson } from "../core/mod.ts";
import type { Plan } from "../graph/mod.ts";
import { buildProblem, type Problem, type SolverInput } from "./problem.ts";
import type { BlockedRoute } from "./infeasible.ts";
import { type Choice, solveGreedy } from "./greedy.ts";
import { solveExact } from "./exact.ts";
import { assemblePlan, type Objective, objectiveOf } from "./plan_builder.ts";

/** Solver selection on the command line. */
export type SolverName = "exact" | "greedy" | "auto";

/** `--solver auto` uses the exact solver up to this many candidate options (sum over routes). */
export const AUTO_EXACT_MAX_OPTIONS = 5000;

/** Options for {@linkcode planRoutes}. */
export interface PlanRoutesOptions {
  /** Default `auto`. */
  solver?: SolverName;
  /** Plan timestamp (default the epoch; see createdAtFrom). */
  createdAt?: string;
}

/** Outcome of planning. */
export interface PlanOutcome {
  /** The problem the solver was given: routes, their options and what blocks the rest. */
  problem: Problem;
  /** Routes no option satisfies; when non-empty there is no plan. */
  blocked: BlockedRoute[];
  /** Solver that ran. */
  solver: "exact" | "greedy";
  /** Option chosen for each route of `problem`. */
  choice: Choice;
  /** Latency and churn of that choice. */
  objective: Objective;
  /** Unsigned plan body (undefined when blocked is non-empty). */
  body?: Omit<Plan, "plan_id" | "sign">;
}

/** Which solver `auto` picks for a problem. */
export function pickSolver(problem: Problem, requested: SolverName): "exact" | "greedy" {
  if (requested !== "auto") return requested;
  const options = problem.routes.reduce((n, r) => n + r.options.length, 0);
  return options <= AUTO_EXACT_MAX_OPTIONS ? "exact" : "greedy";
}

/** Content hashes of the inputs, recorded in the plan so a reviewer can tell what it came from. */
export function inputHashes(input: SolverInput): Record<string, string> {
  return {
    symbols: hashJson(
      input.symbols.map((s) => `${s.saddr}@${s.version} ${s.hash}`).sort(compareStrings),
    ),
    routes: hashJson(
      [...input.routes].sort((a, b) =>
        compareStrings(a.from, b.from) || compareStrings(a.to, b.to)
      ),
    ),
    policy: hashJson(input.policy),
    prefer: hashJson(input.prefer ?? []),
    topology: hashJson(input.topology.nodes),
    latency_model: hashJson(input.model),
  };
}

/**
 * Plans the routes.
 * @throws {SchemaError} for invalid input (unknown symbols, duplicate routes).
 */
export async function planRoutes(
  input: SolverInput,
  options: PlanRoutesOptions = {},
): Promise<PlanOutcome> {
  const requested = options.solver ?? "auto";
  const problem = buildProblem(input);
  const solver = pickSolver(problem, requested);
  if (problem.blocked.length) {
    return {
      problem,
      blocked: problem.blocked,
      solver,
      choice: [],
      objective: { latency_us: 0, churn: 0 },
    };
  }
  const choice = solver === "exact" ? await solveExact(problem) : solveGreedy(problem);
  const objective = objectiveOf(problem, choice);
  const body = assemblePlan(problem, choice, {
    base: input.base,
    createdAt: options.createdAt ?? "1970-01-01T00:00:00Z",
    solver: {
      name: solver,
      requested,
      objective,
      routes: problem.routes.length,
      latency_model: input.model.source,
      inputs: inputHashes(input),
    },
  });
  return { problem, blocked: [], solver, choice, objective, body };
}
