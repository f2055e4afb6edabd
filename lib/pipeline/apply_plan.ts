/**
 * Stage 50: apply a signed plan (or only show what it would change), as a
 * two-phase-commit transaction under the workspace lock.
 *
 * @module
 */
import { relativePath, VerificationError, type Workspace } from "../core/mod.ts";
import type { Plan } from "../graph/mod.ts";
import {
  applyPlan as reconcilePlan,
  checkPlanAgainstState,
  planBatches,
  type ReconcileResult,
  recoveryPending,
  type RouteRef,
} from "../reconciler/mod.ts";
import type { TransactionOptions } from "./stage_event.ts";
import { resolvePlanRef } from "./_plan_ref.ts";
import { underTransactionLock } from "./_transaction.ts";

/** Options for {@linkcode applyPlan}. */
export interface ApplyPlanOptions extends TransactionOptions {
  /** A plan file or plan_id (default: the plan named in `plans/LATEST`). */
  plan?: string;
  /** Verify the plan against the committed graph and report the delta; write nothing. */
  dryRun?: boolean;
  /** Apply this percentage (0, 100] of the batches first, hold a verify window, then the rest. */
  canaryPercent?: number;
  /**
   * Check the plan's signature (default true). Skipping it is refused
   * unless panel.yaml `security.allow_unsigned_plans` is true.
   */
  verifySignature?: boolean;
}

/** One batch of a dry run. */
export interface DryRunBatch {
  /** Routes added (or replaced), with their lane. */
  add: Array<{ id: string; from: string; to: string; lane: string }>;
  /** Routes removed. */
  del: RouteRef[];
}

/** What a dry run found; nothing was written. */
export interface ApplyDryRun {
  /** Tells the two reports apart. */
  dry_run: true;
  /** The plan checked. */
  plan_id: string;
  /** The plan file, relative to the workspace root. */
  plan_file: string;
  /** The plan is already applied. */
  noop: boolean;
  /** The committed state the plan would apply to. */
  base: { seq: number; graph_hash: string };
  /** Hash of the graph the plan leads to. */
  target_graph: string;
  /** The batches in apply order (empty when noop). */
  batches: DryRunBatch[];
  /** Routes the plan adds (or replaces) and removes. */
  routes_add: number;
  /** See `routes_add`. */
  routes_del: number;
}

/** What an apply did. */
export interface ApplyDone {
  /** Tells the two reports apart. */
  dry_run: false;
  /** The plan file, relative to the workspace root. */
  plan_file: string;
  /** The transaction's outcome (applied, noop, aborted or slo-rollback). */
  result: ReconcileResult;
}

/** Outcome of {@linkcode applyPlan}. */
export type ApplyReport = ApplyDryRun | ApplyDone;

/**
 * Verifies the plan (schema, plan_id, signature, base graph) and applies it,
 * or with `dryRun` reports the delta and writes nothing.
 * @throws {VerificationError} for a stale, unsigned or foreign plan, or a refused skip of the signature check
 * @throws {MissingInputError} when no plan is given and `plans/LATEST` does not exist
 * @throws {IoError} when the workspace is locked, or the WAL cannot be made durable
 */
export async function applyPlan(
  ws: Workspace,
  options: ApplyPlanOptions = {},
): Promise<ApplyReport> {
  const [{ loadPanelConfig }, { readPlan }] = await Promise.all([
    import("../config/mod.ts"),
    import("../plan/mod.ts"),
  ]);
  const panel = await loadPanelConfig(ws);
  const verify = options.verifySignature ?? true;
  if (!verify) {
    if (panel.security.allow_unsigned_plans !== true) {
      throw new VerificationError(
        `--no-verify refused: .rtt/panel.yaml security.allow_unsigned_plans is not true`,
      );
    }
    options.onEvent?.({
      level: "warn",
      message: "SIGNATURE CHECK DISABLED (--no-verify, allowed by panel.yaml " +
        "security.allow_unsigned_plans): this plan's origin is NOT verified",
    });
  }
  const path = await resolvePlanRef(ws, options.plan);
  const planFile = relativePath(ws.root, path);
  const plan = await readPlan(ws, path, { skipSignature: !verify });
  if (options.dryRun) return await dryRun(ws, plan, planFile, options);
  const result = await underTransactionLock(
    ws,
    "apply",
    panel,
    options,
    (reconcile) =>
      reconcilePlan(ws, plan, {
        ...reconcile,
        planFile,
        canaryPercent: options.canaryPercent,
        unverified: !verify,
      }),
  );
  return { dry_run: false, plan_file: planFile, result };
}

async function dryRun(
  ws: Workspace,
  plan: Plan,
  planFile: string,
  options: ApplyPlanOptions,
): Promise<ApplyDryRun> {
  if (await recoveryPending(ws)) {
    options.onEvent?.({
      level: "warn",
      message: `the WAL has an unfinished transaction; "rtt-deno recover" will resolve it`,
    });
  }
  const { state, target } = await checkPlanAgainstState(ws, plan);
  return {
    dry_run: true,
    plan_id: plan.plan_id,
    plan_file: planFile,
    noop: target === null,
    base: { seq: state.seq, graph_hash: state.graph_hash },
    target_graph: plan.target_graph,
    batches: target
      ? planBatches(plan).map((b) => ({
        add: b.adds.map((r) => ({ id: r.id, from: r.from, to: r.to, lane: r.lane })),
        del: b.dels,
      }))
      : [],
    routes_add: plan.routes_add.length,
    routes_del: plan.routes_del.length,
  };
}
