/**
 * Sealing a plan body: `plan_id` = `sha256-<hex>` of the canonical plan
 * without `plan_id` and `sign`; the signature (domain `plan`, role plans)
 * covers the plan without `sign`, so it also binds the id.
 *
 * @module
 */
import { canonicalBytes, type KeyPair, sha256HexSync, signPayload } from "../core/mod.ts";
import type { Plan } from "../graph/mod.ts";

/** A plan body with or without its id and signature. */
export type PlanBody = Omit<Plan, "plan_id" | "sign"> & Partial<Pick<Plan, "plan_id" | "sign">>;

/** The plan without `plan_id` and `sign`: what plan_id hashes. */
export function planIdBody(plan: PlanBody): Record<string, unknown> {
  const { plan_id: _id, sign: _sign, ...body } = plan;
  return body;
}

/** Computes `plan_id` for a plan body. */
export function computePlanId(plan: PlanBody): string {
  return `sha256-${sha256HexSync(canonicalBytes(planIdBody(plan)))}`;
}

/** What the signature covers: the plan without `sign`. */
export function planSignedBody(plan: Plan): Record<string, unknown> {
  const { sign: _sign, ...body } = plan;
  return body;
}

/** Sets plan_id and signs the plan with `key` (role plans). */
export async function sealPlan(body: Omit<Plan, "plan_id" | "sign">, key: KeyPair): Promise<Plan> {
  const plan = { ...body, plan_id: computePlanId(body) } as Plan;
  plan.sign = await signPayload(key, "plan", planSignedBody(plan));
  return plan;
}
