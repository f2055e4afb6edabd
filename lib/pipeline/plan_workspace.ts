/**
 * Stage 40: plan the workspace's routes into a signed, deterministic plan
 * and make it the latest (`plans/<plan_id>.plan.json`, `plans/LATEST`).
 *
 * @module
 */
import {
  type AtomicWriteOptions,
  type Hooks,
  relativePath,
  VerificationError,
  type Workspace,
  writeFileAtomic,
  writeJsonAtomic,
} from "../core/mod.ts";
import type { BlockedRoute, InfeasibleGroup, Objective, SolverName } from "../solver/mod.ts";
import { recover, type RecoverOptions } from "../reconciler/mod.ts";
import type { WriteOptions } from "./stage_event.ts";
import { loadPlanSymbols, type SymbolSource } from "./_plan_symbols.ts";
import {
  explainRoutes,
  type PlanDelta,
  planDelta,
  type RouteExplanation,
} from "./_plan_explain.ts";

export type { PlanDelta, RouteExplanation, SymbolSource };

/** Options for {@linkcode planWorkspace}. */
export interface PlanWorkspaceOptions extends WriteOptions {
  /** exact (HiGHS MIP), greedy, or auto by problem size (default auto). */
  solver?: SolverName;
  /**
   * `SOURCE_DATE_EPOCH` as given (seconds), for the plan's `created_at`;
   * unset, the epoch, so the same inputs always give the same plan.
   */
  sourceDateEpoch?: string;
}

/** A plan was written and named in `plans/LATEST`. */
export interface PlanWritten extends PlanDelta {
  /** Tells the two reports apart. */
  ok: true;
  /** Content address of the plan (`sha256-<hex>`). */
  plan_id: string;
  /** Plan file, relative to the workspace root. */
  file: string;
  /** Key that signed it. */
  key_id: string;
  /** Solver that ran. */
  solver: "exact" | "greedy";
  /** Where the bound symbols came from. */
  symbols_source: SymbolSource;
  /** Total predicted latency and churn of the chosen options. */
  objective: Objective;
  /** Hash of the committed graph the plan applies to. */
  base_graph: string;
  /** Hash of the graph the plan leads to. */
  target_graph: string;
  /** Routes planned. */
  routes: number;
  /** Batches the apply will run. */
  batches: number;
  /** Time the use case took. */
  elapsed_ms: number;
  /** Why each route got its lane and placement. */
  explain: RouteExplanation[];
  /** What the planner worked from. */
  inputs: {
    /** Symbols bound. */
    symbols: number;
    /** Where the lane latency model came from. */
    latency_model: string;
    /** NUMA nodes of the machine model, and how it was found. */
    topology_nodes: number;
    topology_source: string;
  };
}

/** Some routes have no feasible option: no plan was written. */
export interface PlanInfeasible {
  /** Tells the two reports apart. */
  ok: false;
  /** Every blocked route with its constraint and explanation. */
  infeasible: BlockedRoute[];
  /** The same routes grouped by constraint, largest group first, with the first few of each. */
  groups: InfeasibleGroup[];
  /** Routes that had at least one option. */
  planned: number;
  /** Routes in routes.json. */
  requested: number;
  /** Where the bound symbols came from. */
  symbols_source: SymbolSource;
}

/** Blocked routes of one constraint a report lists in full. */
export const INFEASIBLE_EXAMPLES = 3;

/** Outcome of {@linkcode planWorkspace}. */
export type PlanReport = PlanWritten | PlanInfeasible;

/**
 * Plans routes + policy + symbols + topology against the committed graph
 * (recovering an interrupted apply first, so the base is consistent), signs
 * the plan with the default key and writes it. Writes nothing when a route
 * is infeasible.
 * @throws {VerificationError} when the default key is not trusted for plans (nothing written)
 * @throws {SchemaError} for invalid routes, policy or panel configuration
 */
export async function planWorkspace(
  ws: Workspace,
  options: PlanWorkspaceOptions = {},
): Promise<PlanReport> {
  const t0 = performance.now();
  const [config, graph, plan, solver, security] = await Promise.all([
    import("../config/mod.ts"),
    import("../graph/mod.ts"),
    import("../plan/mod.ts"),
    import("../solver/mod.ts"),
    import("../security/mod.ts"),
  ]);
  const createdAt = solver.createdAtFrom(options.sourceDateEpoch);
  const panel = await config.loadPanelConfig(ws);
  const routes = await config.loadRoutes(ws);
  const policy = await config.loadPolicy(ws);
  const { symbols, source } = await loadPlanSymbols(ws);
  if (source === "scan") {
    options.onEvent?.({
      level: "warn",
      message:
        'the registry is empty: planning from the scanned manifests (run "rtt-deno registry ingest" to plan from signed, verified content)',
    });
  }
  const recoverOptions: RecoverOptions & { hooks?: Hooks } = { hooks: options.hooks };
  await recover(ws, recoverOptions);
  const [state, topology, model] = await Promise.all([
    graph.readCommittedState(ws),
    solver.readTopology(),
    solver.loadLatencyModel(ws),
  ]);
  const outcome = await solver.planRoutes({
    symbols,
    routes: routes.value.routes,
    policy,
    prefer: panel.routing.prefer,
    topology,
    model,
    base: state.graph,
    routesSource: routes.doc,
  }, { solver: options.solver ?? "auto", createdAt });
  if (!outcome.body) {
    return {
      ok: false,
      infeasible: outcome.blocked,
      groups: solver.groupInfeasible(outcome.blocked, INFEASIBLE_EXAMPLES),
      planned: outcome.problem.routes.length,
      requested: routes.value.routes.length,
      symbols_source: source,
    };
  }

  const key = await security.loadKey(ws);
  const trust = await security.loadTrustRoot(ws);
  if (!security.keysWithRole(trust.signed, "plans").includes(key.keyId)) {
    throw new VerificationError(
      `Cannot sign the plan: the default key ${key.keyId} is not trusted for role "plans" in trust root v${trust.signed.version}`,
    );
  }
  const sealed = await plan.sealPlan(outcome.body, key);
  const path = await writePlanFiles(ws, sealed, options.hooks);
  return {
    ok: true,
    plan_id: sealed.plan_id,
    file: relativePath(ws.root, path),
    key_id: key.keyId,
    solver: outcome.solver,
    symbols_source: source,
    objective: outcome.objective,
    base_graph: sealed.base_graph,
    target_graph: sealed.target_graph,
    routes: outcome.problem.routes.length,
    ...planDelta(state.graph, sealed, outcome.problem.routes.length),
    batches: sealed.batches.length,
    elapsed_ms: Math.round(performance.now() - t0),
    explain: explainRoutes(outcome, sealed),
    inputs: {
      symbols: symbols.length,
      latency_model: model.source,
      topology_nodes: topology.nodes.length,
      topology_source: topology.source,
    },
  };
}

/** Writes the plan, then points `plans/LATEST` at it; returns the plan's path. */
async function writePlanFiles(
  ws: Workspace,
  plan: { plan_id: string },
  hooks: Hooks | undefined,
): Promise<string> {
  const name = `${plan.plan_id}.plan.json`;
  const path = `${ws.plans}/${name}`;
  const write = (label: string): AtomicWriteOptions & { hooks?: Hooks } => ({ label, hooks });
  await Deno.mkdir(ws.plans, { recursive: true });
  await writeJsonAtomic(path, plan, write("plan"));
  await writeFileAtomic(`${ws.plans}/LATEST`, name + "\n", write("plan-latest"));
  return path;
}
