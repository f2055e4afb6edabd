/**
 * Verification of plan files, as `plan verify` and `apply` do it: schema,
 * recomputed plan_id, internal consistency and the signature against the
 * trust root.
 *
 * @module
 */
import { relativePath, VerificationError, type Workspace } from "../core/mod.ts";
import { parseSource, validateDocument } from "../config/mod.ts";
import { loadTrustRoot, type TrustRoot, verifyTrusted } from "../security/mod.ts";
import type { Plan } from "../graph/mod.ts";
import { computePlanId, planSignedBody } from "./seal_plan.ts";
import { INPUT_LIMITS, readInputText } from "../core/mod.ts";

/** Options for {@linkcode verifyPlan}. */
export interface VerifyPlanOptions {
  /** Trust root to verify against (default: the workspace's). */
  trust?: TrustRoot;
  /** Skip the signature check (only `apply --no-verify` when panel.yaml allows it). */
  skipSignature?: boolean;
}

/**
 * Reads and fully verifies a plan file: schema, recomputed plan_id, internal
 * consistency (order/batches cover the delta) and the signature against the
 * trust root (role plans).
 * @throws {SchemaError} for malformed files (65), {VerificationError} for a bad id or signature (77).
 */
export async function readPlan(
  ws: Workspace,
  path: string,
  options: VerifyPlanOptions = {},
): Promise<Plan> {
  const file = path.startsWith("/") ? relativePath(ws.root, path) : path;
  const text = await readInputText(path, {
    what: "plan",
    display: file,
    maxBytes: INPUT_LIMITS.plan,
  });
  const doc = parseSource(file, text, { format: "json" });
  await validateDocument("plan", doc);
  const plan = doc.value as Plan;
  await verifyPlan(ws, plan, { ...options, what: `Plan "${file}"` });
  return plan;
}

/** Verifies an already parsed (schema-valid) plan. See {@linkcode readPlan}. */
export async function verifyPlan(
  ws: Workspace,
  plan: Plan,
  options: VerifyPlanOptions & { what?: string } = {},
): Promise<void> {
  const what = options.what ?? `Plan ${plan.plan_id}`;
  const id = computePlanId(plan);
  if (id !== plan.plan_id) {
    throw new VerificationError(
      `${what} has plan_id ${plan.plan_id} but its content hashes to ${id}`,
    );
  }
  const ids = [...plan.routes_del.map((d) => d.id), ...plan.routes_add.map((a) => a.id)];
  const inOrder = [...plan.order].sort().join();
  if (
    inOrder !== [...new Set(ids)].sort().join() || plan.order.length !== new Set(plan.order).size
  ) {
    throw new VerificationError(
      `${what} is inconsistent: "order" does not list each changed route exactly once`,
    );
  }
  if ([...plan.batches.flat()].sort().join() !== [...plan.order].sort().join()) {
    throw new VerificationError(`${what} is inconsistent: "batches" do not cover "order" exactly`);
  }
  if (!options.skipSignature) {
    const trust = options.trust ?? (await loadTrustRoot(ws));
    await verifyTrusted(trust, "plans", "plan", planSignedBody(plan), plan.sign, { what });
  }
}
