/**
 * Apply speed: a 1,000-route plan from the empty graph, state participant
 * only, every fsync included, on a fresh workspace each iteration (setup not
 * timed). Timed: read and fully verify the plan file (schema, plan_id,
 * signature), take the lock, recover, run the transaction, release.
 * The verify window is 0 here: it is a configured wait, not work.
 *
 * Run: node_modules/deno/deno bench -A lib/reconciler/apply_bench.ts
 *
 * @module
 */
import { generateKeyPair, type KeyPair, workspaceAt } from "../core/mod.ts";
import { EMPTY_GRAPH, type Plan } from "../graph/mod.ts";
import { readPlan } from "../plan/mod.ts";
import { createTrustRoot } from "../security/mod.ts";
import { buildPlan, testRoutes } from "../testing/mod.ts";
import { applyPlan, withLock } from "./apply.ts";

const key: KeyPair = await generateKeyPair();
const plans = new Map<number, Plan>();
for (const batches of [1, 10, 100]) {
  plans.set(batches, await buildPlan(key, EMPTY_GRAPH, testRoutes(1000), { batches }));
}
const dirs: string[] = [];

async function freshWorkspace(plan: Plan): Promise<{ root: string; file: string }> {
  const root = await Deno.makeTempDir({ prefix: "rtt-bench-" });
  dirs.push(root);
  const ws = workspaceAt(root);
  await Deno.mkdir(ws.plans, { recursive: true });
  await createTrustRoot(ws, key);
  const file = `${ws.plans}/${plan.plan_id}.plan.json`;
  await Deno.writeTextFile(file, JSON.stringify(plan, null, 2));
  return { root, file };
}

for (const [batches, plan] of plans) {
  Deno.bench({
    name: `apply 1000 routes in ${batches} batch(es), fsyncs included`,
    group: "apply",
    baseline: batches === 10,
    n: 20,
    warmup: 2,
    async fn(b) {
      const { root, file } = await freshWorkspace(plan);
      const ws = workspaceAt(root);
      b.start();
      const verified = await readPlan(ws, file);
      const r = await withLock(
        ws,
        () => applyPlan(ws, verified, { verifyWindowMs: 0 }),
      );
      b.end();
      if (r.status !== "applied") throw new Error(`apply ended ${r.status}`);
    },
  });
}

globalThis.addEventListener("unload", () => {
  for (const d of dirs) Deno.removeSync(d, { recursive: true });
});
