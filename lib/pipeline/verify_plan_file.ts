/**
 * `plan verify`: check a plan file without applying it.
 *
 * @module
 */
import { type Workspace } from "../core/mod.ts";
import { resolve } from "node:path";

/** Options for {@linkcode verifyPlanFile}. */
export interface VerifyPlanFileOptions {
  /** The plan file (absolute, or relative to the current folder). */
  path: string;
}

/** A plan that passed every check. */
export interface PlanVerification {
  /** Always true: a failed check throws. */
  ok: true;
  /** Content address of the plan. */
  plan_id: string;
  /** Key that signed it (trusted for plans). */
  key_id: string | undefined;
  /** Hash of the graph the plan applies to. */
  base_graph: string;
  /** Hash of the graph the plan leads to. */
  target_graph: string;
  /** Routes added (or replaced) and removed. */
  routes_add: number;
  /** See `routes_add`. */
  routes_del: number;
  /** Batches the apply will run. */
  batches: number;
}

/**
 * Checks a plan's schema, recomputed plan_id, internal consistency and
 * signature against the trust root (role plans).
 * @throws {SchemaError} for a malformed plan (65)
 * @throws {VerificationError} for a wrong plan_id or signature (77)
 * @throws {MissingInputError} when the file does not exist (66)
 */
export async function verifyPlanFile(
  ws: Workspace,
  options: VerifyPlanFileOptions,
): Promise<PlanVerification> {
  const { readPlan } = await import("../plan/mod.ts");
  const p = await readPlan(ws, resolve(options.path));
  return {
    ok: true,
    plan_id: p.plan_id,
    key_id: p.sign?.key_id,
    base_graph: p.base_graph,
    target_graph: p.target_graph,
    routes_add: p.routes_add.length,
    routes_del: p.routes_del.length,
    batches: p.batches.length,
  };
}
