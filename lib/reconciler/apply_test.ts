import assert from "node:assert/strict";
import {
  acquireWorkspaceLock,
  generateKeyPair,
  type KeyPair,
  readWorkspaceLock,
  VerificationError,
  workspaceAt,
} from "../core/mod.ts";
import { EMPTY_GRAPH, graphHash, type Plan, readCommittedState } from "../graph/mod.ts";
import { buildPlan, tempDir, testRoutes } from "../testing/mod.ts";
import { applyPlan, rollbackTo, withLock } from "./apply.ts";
import { FaultParticipant, parseFaults } from "../testing/mod.ts";
import { recover } from "./recover.ts";
import { readWalTail, scanWal } from "./wal.ts";
import { verifyWalHistory } from "./wal_verify.ts";
import { type Hooks, IoError, NO_HOOKS } from "../core/mod.ts";

const FAST = { verifyWindowMs: 0, prepareTimeoutMs: 1000 };

async function setup(): Promise<{ key: KeyPair; plan: Plan }> {
  const key = await generateKeyPair();
  const plan = await buildPlan(key, EMPTY_GRAPH, testRoutes(8), { batches: 4 });
  return { key, plan };
}

Deno.test("applyPlan() commits a multi-batch plan: state, WAL and last batch votes", async () => {
  await using dir = await tempDir();
  const ws = workspaceAt(dir.path);
  const { plan } = await setup();
  const fault = new FaultParticipant([]);
  const r = await applyPlan(ws, plan, { ...FAST, participants: [fault] });
  assert.equal(r.status, "applied");
  const state = await readCommittedState(ws);
  assert.equal(state.graph_hash, plan.target_graph);
  assert.equal(state.seq, r.seq);
  assert.equal(state.plan_id, plan.plan_id);
  assert.deepEqual(fault.log, [
    "prepare:0",
    "commit:0",
    "prepare:1",
    "commit:1",
    "prepare:2",
    "commit:2",
    "prepare:3",
    "commit:3",
  ]);
  const scan = await scanWal(ws);
  assert.equal(scan.records.find((x) => x.type === "commit")?.seq, state.seq);
  assert.deepEqual((await applyPlan(ws, plan, FAST)).status, "noop");
});

Deno.test("a NACK at each batch of a 4-batch plan rolls everything back to the old graph", async () => {
  const { key, plan: first } = await setup();
  // The plan under test removes 3 routes of a non-empty graph, replaces one and adds 4.
  const p2 = await buildPlan(key, { routes: first.routes_add }, [
    ...testRoutes(4, 100),
    { ...first.routes_add[5], lane: "tcp" as const },
  ], { del: first.routes_add.slice(0, 3), batches: 4 });
  for (let batch = 1; batch <= 4; batch++) {
    await using dir = await tempDir();
    const ws = workspaceAt(dir.path);
    await applyPlan(ws, first, FAST);
    const old = await readCommittedState(ws);
    const fault = new FaultParticipant(parseFaults(`nack@prepare:${batch}`));
    const r = await applyPlan(ws, p2, { ...FAST, participants: [fault] });
    assert.equal(r.status, "aborted");
    assert.equal(r.failure?.batch, batch - 1);
    assert.equal(r.failure?.participant, "fault");
    assert.deepEqual(await readCommittedState(ws), old);
    const rolledBack = fault.log.filter((s) => s.startsWith("rollback:"));
    assert.deepEqual(
      rolledBack,
      Array.from({ length: batch }, (_, i) => `rollback:${batch - 1 - i}`),
      "every touched batch is rolled back, newest first",
    );
    const records = (await scanWal(ws)).records;
    const txn = records.filter((x) => x.type === "begin").at(-1)!.txn;
    const types = records.filter((x) => x.txn === txn).map((x) => x.type);
    assert.equal(types.at(-1), "abort");
    assert.ok(!types.includes("commit"));
    assert.equal(types.filter((t) => t === "rollback").length, batch);
    assert.equal((await applyPlan(ws, p2, FAST)).status, "applied", "the plan still applies");
  }
});

Deno.test("a participant that never votes is aborted after the prepare timeout", async () => {
  await using dir = await tempDir();
  const ws = workspaceAt(dir.path);
  const { plan } = await setup();
  const r = await applyPlan(ws, plan, {
    verifyWindowMs: 0,
    prepareTimeoutMs: 30,
    participants: [new FaultParticipant(parseFaults("hang@prepare:2"))],
  });
  assert.equal(r.status, "aborted");
  assert.match(r.failure!.reason, /no vote within 30 ms/);
  assert.equal((await readCommittedState(ws)).seq, 0);
});

Deno.test("a participant that throws in prepare or commit aborts the transaction", async () => {
  const { plan } = await setup();
  for (const spec of ["throw@prepare:3", "throw@commit:2"]) {
    await using dir = await tempDir();
    const ws = workspaceAt(dir.path);
    const r = await applyPlan(ws, plan, {
      ...FAST,
      participants: [new FaultParticipant(parseFaults(spec))],
    });
    assert.equal(r.status, "aborted", spec);
    assert.match(r.failure!.reason, /injected failure/);
    assert.equal((await readCommittedState(ws)).seq, 0);
  }
});

Deno.test("an SLO breach in the verify window rolls back automatically as a new transaction", async () => {
  await using dir = await tempDir();
  const ws = workspaceAt(dir.path);
  const { plan } = await setup();
  const r = await applyPlan(ws, plan, {
    verifyWindowMs: 20,
    prepareTimeoutMs: 1000,
    participants: [new FaultParticipant(parseFaults("unhealthy@health:1"))],
  });
  assert.equal(r.status, "slo-rollback");
  assert.equal(r.verify?.ok, false);
  const state = await readCommittedState(ws);
  assert.equal(state.graph_hash, graphHash(EMPTY_GRAPH));
  assert.equal(state.seq, r.slo_rollback?.seq);
  const commits = (await scanWal(ws)).records.filter((x) => x.type === "commit");
  assert.deepEqual(commits.map((c) => c.payload.kind), ["apply", "rollback"]);
});

Deno.test("--canary holds the first slice for a verify window and aborts everything on a breach", async () => {
  const { plan } = await setup();
  {
    await using dir = await tempDir();
    const ws = workspaceAt(dir.path);
    const fault = new FaultParticipant(parseFaults("unhealthy@health:1"));
    const r = await applyPlan(ws, plan, {
      ...FAST,
      canaryPercent: 50,
      participants: [fault],
    });
    assert.equal(r.status, "aborted");
    assert.equal(r.failure?.step, "canary");
    assert.equal(r.canary?.ok, false);
    assert.ok(!fault.log.includes("prepare:2"), "no batch after the canary slice was prepared");
    assert.equal((await readCommittedState(ws)).seq, 0);
  }
  {
    await using dir = await tempDir();
    const ws = workspaceAt(dir.path);
    const r = await applyPlan(ws, plan, { ...FAST, canaryPercent: 25 });
    assert.equal(r.status, "applied");
    assert.equal(r.canary?.ok, true);
    const canary = (await scanWal(ws)).records.find((x) => x.type === "canary");
    assert.equal(canary?.payload.batches, 1);
  }
});

/** Hooks whose fsync named `label` fails with an IoError. */
function failingSync(label: string): Hooks {
  return {
    ...NO_HOOKS,
    beforeSync(l) {
      if (l === label) throw new IoError(`fsync failed (injected at ${l})`);
    },
  };
}

Deno.test("a failed fsync of the COMMIT record stops the apply (IoError), never reported as success; recovery settles old or new", async () => {
  const { plan } = await setup();
  for (const torn of [false, true]) {
    await using dir = await tempDir();
    const ws = workspaceAt(dir.path);
    await assert.rejects(
      () => applyPlan(ws, plan, { ...FAST, hooks: failingSync("wal:commit:fsync") }),
      (e: unknown) =>
        e instanceof IoError && /COMMIT record could not be made durable/.test(e.message),
    );
    assert.equal((await readCommittedState(ws)).seq, 0);
    const scan = await readWalTail(ws);
    // Fail-stop: nothing after the COMMIT whose fsync failed.
    assert.equal(scan.records.at(-1)?.type, "commit");
    if (torn) {
      // The page with the COMMIT never reached the disk: the record is torn.
      const bytes = await Deno.readFile(scan.path);
      await Deno.writeFile(scan.path, bytes.subarray(0, bytes.length - 9));
    }
    const r = await recover(ws);
    assert.equal(r.action, torn ? "rolled-back" : "rolled-forward");
    const expected = torn ? graphHash(EMPTY_GRAPH) : plan.target_graph;
    assert.equal((await readCommittedState(ws)).graph_hash, expected);
    assert.equal((await recover(ws)).action, "none");
    assert.equal((await verifyWalHistory(ws)).state.matches_wal, true);
  }
});

Deno.test("applyPlan() refuses a stale plan naming both graph hashes", async () => {
  await using dir = await tempDir();
  const ws = workspaceAt(dir.path);
  const { key, plan } = await setup();
  await applyPlan(ws, plan, FAST);
  const other = await buildPlan(key, EMPTY_GRAPH, testRoutes(2, 100));
  await assert.rejects(
    () => applyPlan(ws, other, FAST),
    (e: unknown) =>
      e instanceof VerificationError && e.message.includes(other.base_graph) &&
      e.message.includes(plan.target_graph) && /stale/.test(e.message),
  );
});

Deno.test("rollbackTo() returns to the previous commit, to any seq, and to 0, as new commits", async () => {
  await using dir = await tempDir();
  const ws = workspaceAt(dir.path);
  const { key, plan } = await setup();
  const a = await applyPlan(ws, plan, FAST);
  const p2 = await buildPlan(key, { routes: plan.routes_add }, testRoutes(3, 50), {
    del: plan.routes_add.slice(0, 2),
    batches: 2,
  });
  const b = await applyPlan(ws, p2, FAST);
  assert.equal(b.status, "applied");
  const back = await rollbackTo(ws, undefined, FAST);
  assert.equal(back.status, "rolled-back-to");
  assert.equal(back.to_seq, a.seq);
  assert.equal((await readCommittedState(ws)).graph_hash, plan.target_graph);
  assert.ok(back.seq > b.seq, "history is appended, never rewritten");
  await rollbackTo(ws, b.seq, FAST);
  assert.equal((await readCommittedState(ws)).graph_hash, p2.target_graph);
  await rollbackTo(ws, 0, FAST);
  assert.equal((await readCommittedState(ws)).graph_hash, graphHash(EMPTY_GRAPH));
  assert.equal((await rollbackTo(ws, 0, FAST)).status, "noop");
  await assert.rejects(() => rollbackTo(ws, 3, FAST), /not a COMMIT record/);
});

Deno.test("withLock() refuses a live holder naming it, and runs once the holder let go", async () => {
  await using dir = await tempDir();
  const ws = workspaceAt(dir.path);
  await Deno.mkdir(ws.rtt, { recursive: true });
  const held = await acquireWorkspaceLock(ws, "apply");
  assert.equal((await readWorkspaceLock(ws))?.id, held.owner.id);
  await assert.rejects(
    () => withLock(ws, async () => {}, { waitMs: 50 }),
    (e: unknown) =>
      e instanceof IoError && e.exitCode === 74 &&
      e.message.includes(
        `locked by a running rtt-deno apply (pid ${Deno.pid}, lock id ${held.owner.id}`,
      ),
  );
  await held.release();
  assert.equal(await readWorkspaceLock(ws), null);
  assert.equal(await withLock(ws, () => Promise.resolve(7)), 7);
  assert.equal(await readWorkspaceLock(ws), null);
});

Deno.test("a failed fsync after a durable COMMIT is reported as pending, and recovery completes it", async () => {
  const { plan } = await setup();
  for (const torn of [false, true]) {
    await using dir = await tempDir();
    const ws = workspaceAt(dir.path);
    await assert.rejects(
      () => applyPlan(ws, plan, { ...FAST, hooks: failingSync("wal:end:fsync") }),
      /is committed \(COMMIT seq \d+ is durable\).*rtt-deno recover/,
    );
    if (torn) {
      // The END never reached the disk: recovery must write it again.
      const { path } = await readWalTail(ws);
      const bytes = await Deno.readFile(path);
      await Deno.writeFile(path, bytes.subarray(0, bytes.length - 9));
    }
    const r = await recover(ws);
    // A complete END is kept as it is: nothing is left to do.
    assert.equal(r.action, torn ? "rolled-forward" : "none");
    assert.equal((await readCommittedState(ws)).graph_hash, plan.target_graph);
    assert.equal((await recover(ws)).action, "none");
  }
});
