/**
 * Plan building for tests that must not depend on the planner: synthetic
 * routes, and plans sealed with a workspace's own key so `apply` verifies
 * them against the workspace trust root like real plans.
 *
 * @module
 */
import { type KeyPair, workspaceAt } from "../lib/core/mod.ts";
import type { Plan } from "../lib/graph/mod.ts";
import { loadKey } from "../lib/security/mod.ts";
import { rtt } from "./_helpers.ts";

export { buildPlan, type BuildPlanOptions, testRoute, testRoutes } from "../lib/testing/mod.ts";

/** Writes a plan to `plans/<plan_id>.plan.json` and returns that path (relative to the root). */
export async function writePlan(root: string, plan: Plan, options: { latest?: boolean } = {}) {
  const rel = `plans/${plan.plan_id}.plan.json`;
  await Deno.mkdir(`${root}/plans`, { recursive: true });
  await Deno.writeTextFile(`${root}/${rel}`, JSON.stringify(plan, null, 2) + "\n");
  if (options.latest) {
    await Deno.writeTextFile(`${root}/plans/LATEST`, `${plan.plan_id}.plan.json\n`);
  }
  return rel;
}

/** Runs `rtt-deno init` on `root` and returns the workspace's default signing key. */
export async function initWorkspaceWithKey(root: string): Promise<KeyPair> {
  const r = await rtt(["init", root]);
  if (r.code !== 0) throw new Error(`rtt-deno init failed (${r.code}): ${r.stderr}`);
  return await loadKey(workspaceAt(root));
}
