import assert from "node:assert/strict";
import { generateKeyPair, VerificationError, workspaceAt } from "../core/mod.ts";
import { createTrustRoot } from "../security/mod.ts";
import { checkPlanTarget, EMPTY_GRAPH, graphHash, type Plan } from "../graph/mod.ts";
import { tempDir, testRoute } from "../testing/mod.ts";
import { computePlanId, readPlan, sealPlan } from "./mod.ts";

function body(): Omit<Plan, "plan_id" | "sign"> {
  const r = testRoute("rtt://a/api/x", "rtt://a/api/y");
  return {
    plan_version: 1,
    created_at: "1970-01-01T00:00:00Z",
    base_graph: graphHash(EMPTY_GRAPH),
    target_graph: graphHash({ routes: [r] }),
    symbols: {},
    routes_add: [r],
    routes_del: [],
    order: [r.id],
    batches: [[r.id]],
    solver: { name: "test" },
  };
}

Deno.test("sealPlan() gives a plan readPlan() verifies, and any tampering is refused", async () => {
  await using dir = await tempDir();
  const ws = workspaceAt(dir.path);
  const key = await generateKeyPair();
  await Deno.mkdir(ws.plans, { recursive: true });
  await createTrustRoot(ws, key);
  const plan = await sealPlan(body(), key);
  assert.equal(plan.plan_id, computePlanId(plan));
  const path = `${ws.plans}/${plan.plan_id}.plan.json`;
  await Deno.writeTextFile(path, JSON.stringify(plan));
  assert.deepEqual(await readPlan(ws, path), plan);
  assert.deepEqual(checkPlanTarget(EMPTY_GRAPH, plan).routes, plan.routes_add);

  const tampered = structuredClone(plan);
  tampered.routes_add[0].lane = "tcp";
  await Deno.writeTextFile(path, JSON.stringify(tampered));
  await assert.rejects(
    () => readPlan(ws, path),
    (e: unknown) => e instanceof VerificationError && /hashes to/.test(e.message),
  );

  const resigned = { ...tampered, plan_id: computePlanId(tampered) };
  await Deno.writeTextFile(path, JSON.stringify(resigned));
  await assert.rejects(() => readPlan(ws, path), /invalid signature/);

  const stranger = await sealPlan(body(), await generateKeyPair());
  await Deno.writeTextFile(path, JSON.stringify(stranger));
  await assert.rejects(() => readPlan(ws, path), /unknown key/);
});
