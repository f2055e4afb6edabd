import assert from "node:assert/strict";
import { EMPTY_GRAPH, readCommittedState } from "../graph/mod.ts";
import { MissingInputError, VerificationError } from "../core/mod.ts";
import type { Participant } from "../reconciler/mod.ts";
import { applyPlan } from "./apply_plan.ts";
import type { StageEvent } from "./stage_event.ts";
import { testRoutes, testWorkspace, writeTestPlan } from "../testing/mod.ts";

/** A participant that refuses every batch. */
const refusing: Participant = {
  name: "refuser",
  prepare: () => Promise.resolve({ ready: false, reason: "refuser says no" }),
  commit: () => Promise.resolve(),
  rollback: () => Promise.resolve(),
  health: () => Promise.resolve({ ok: true }),
};

Deno.test("applyPlan() with dryRun reports the batches and writes nothing", async () => {
  await using t = await testWorkspace();
  const { plan, path } = await writeTestPlan(t, EMPTY_GRAPH, testRoutes(3));
  const r = await applyPlan(t.ws, { plan: path, dryRun: true });
  assert.ok(r.dry_run);
  assert.equal(r.plan_id, plan.plan_id);
  assert.equal(r.plan_file, `plans/${plan.plan_id}.plan.json`);
  assert.equal(r.noop, false);
  assert.deepEqual(r.batches.map((b) => b.add.length), [1, 1, 1]);
  assert.equal((await readCommittedState(t.ws)).seq, 0);
  await assert.rejects(Deno.stat(`${t.ws.wal}/rtt.wal`), Deno.errors.NotFound);
});

Deno.test("applyPlan() takes a plan_id, commits it and reports progress through onEvent", async () => {
  await using t = await testWorkspace();
  const { plan } = await writeTestPlan(t, EMPTY_GRAPH, testRoutes(2));
  const events: StageEvent[] = [];
  const r = await applyPlan(t.ws, { plan: plan.plan_id, onEvent: (e) => events.push(e) });
  assert.ok(!r.dry_run);
  assert.equal(r.result.status, "applied");
  assert.equal((await readCommittedState(t.ws)).graph_hash, plan.target_graph);
  assert.ok(events.length > 0 && events.every((e) => e.level === "info"), JSON.stringify(events));
});

Deno.test("applyPlan() gives the extra participants a vote: a refusal aborts", async () => {
  await using t = await testWorkspace();
  const { path } = await writeTestPlan(t, EMPTY_GRAPH, testRoutes(2));
  const r = await applyPlan(t.ws, { plan: path, participants: [refusing] });
  assert.ok(!r.dry_run);
  assert.equal(r.result.status, "aborted");
  assert.match(r.result.failure?.reason ?? "", /refuser says no/);
  assert.equal((await readCommittedState(t.ws)).seq, 0);
});

Deno.test("applyPlan() refuses to skip the signature check unless panel.yaml allows it", async () => {
  await using t = await testWorkspace();
  const { path } = await writeTestPlan(t, EMPTY_GRAPH, testRoutes(1));
  await assert.rejects(
    applyPlan(t.ws, { plan: path, verifySignature: false }),
    (err) => err instanceof VerificationError && /allow_unsigned_plans/.test(err.message),
  );
});

Deno.test("applyPlan() without a plan and without plans/LATEST throws MissingInputError", async () => {
  await using t = await testWorkspace();
  await assert.rejects(
    applyPlan(t.ws),
    (err) => err instanceof MissingInputError && /plans\/LATEST" does not exist/.test(err.message),
  );
});
