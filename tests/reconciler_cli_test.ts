import assert from "node:assert/strict";
import { readWorkspaceLock, workspaceAt } from "../lib/core/mod.ts";
import { EMPTY_GRAPH, graphHash, readCommittedState } from "../lib/graph/mod.ts";
import { generateKeyPair } from "../lib/core/mod.ts";
import { recover, scanWal, segmentPath } from "../lib/reconciler/mod.ts";
import { holdWorkspaceLock, rtt, rttJson, tempDir } from "./_helpers.ts";
import { buildPlan, initWorkspaceWithKey, testRoutes, writePlan } from "./_plans.ts";

async function fastPanel(root: string, extra: Record<string, string> = {}): Promise<void> {
  const path = `${root}/.rtt/panel.yaml`;
  let text = (await Deno.readTextFile(path)).replace(
    /verify_window_ms: \d+/,
    "verify_window_ms: 0",
  );
  for (const [k, v] of Object.entries(extra)) {
    text = text.replace(new RegExp(`${k}: \\S+`), `${k}: ${v}`);
  }
  await Deno.writeTextFile(path, text);
}

Deno.test("apply takes plans/LATEST or a plan_id; status, wal log and last_applied.json report it", async () => {
  await using dir = await tempDir();
  const key = await initWorkspaceWithKey(dir.path);
  await fastPanel(dir.path);
  const p1 = await buildPlan(key, EMPTY_GRAPH, testRoutes(4), { batches: 2 });
  await writePlan(dir.path, p1, { latest: true });
  const a = await rttJson<{ status: string; seq: number; graph_hash: string; batches: number }>(
    ["apply"],
    { cwd: dir.path },
  );
  assert.equal(a.code, 0, a.stderr);
  assert.equal(a.json.status, "applied");
  assert.equal(a.json.graph_hash, p1.target_graph);
  assert.equal(a.json.batches, 2);

  const p2 = await buildPlan(key, { routes: p1.routes_add }, testRoutes(1, 9), {
    del: [p1.routes_add[0]],
  });
  await writePlan(dir.path, p2);
  const b = await rtt(["apply", p2.plan_id], { cwd: dir.path });
  assert.equal(b.code, 0, b.stderr);
  assert.match(b.stdout, /\[50\] \[INFO\] Applied plan sha256-/);

  const again = await rtt(["apply", p2.plan_id], { cwd: dir.path });
  assert.equal(again.code, 0);
  assert.match(again.stdout, /already applied/);

  const st = await rttJson<{
    committed: { seq: number; graph_hash: string; plan_id: string };
    last_applied: { plan_id: string; seq: number };
    lock: unknown;
  }>(["status"], { cwd: dir.path });
  assert.equal(st.code, 0);
  assert.equal(st.json.committed.graph_hash, p2.target_graph);
  assert.equal(st.json.committed.plan_id, p2.plan_id);
  assert.equal(st.json.last_applied.plan_id, p2.plan_id);
  assert.equal(st.json.last_applied.seq, st.json.committed.seq);
  assert.equal(st.json.lock, null);
  const human = await rtt(["status"], { cwd: dir.path });
  assert.match(
    human.stdout,
    new RegExp(`committed +seq ${st.json.committed.seq}, graph ${p2.target_graph}`),
  );

  const log = await rttJson<{ records: Array<{ type: string }> }>(["wal", "log"], {
    cwd: dir.path,
  });
  assert.equal(log.json.records.filter((r) => r.type === "commit").length, 2);
  const table = await rtt(["wal", "log", "--limit", "3"], { cwd: dir.path });
  assert.equal(table.stdout.trim().split("\n").length, 5);
  const verify = await rttJson<{ ok: boolean; state: { matches_wal: boolean } }>(
    ["wal", "verify"],
    { cwd: dir.path },
  );
  assert.equal(verify.code, 0);
  assert.equal(verify.json.state.matches_wal, true);

  const back = await rtt(["rollback"], { cwd: dir.path });
  assert.equal(back.code, 0, back.stderr);
  assert.equal((await readCommittedState(workspaceAt(dir.path))).graph_hash, p1.target_graph);
  assert.equal((await rtt(["rollback", "abc"], { cwd: dir.path })).code, 64);
  const bad = await rtt(["rollback", "2"], { cwd: dir.path });
  assert.equal(bad.code, 64);
  assert.match(bad.stderr, /seq 2: it is not a COMMIT record/);
});

Deno.test("apply --dry-run prints the delta and writes nothing", async () => {
  await using dir = await tempDir();
  const key = await initWorkspaceWithKey(dir.path);
  const p = await buildPlan(key, EMPTY_GRAPH, testRoutes(3), { batches: 2 });
  const file = await writePlan(dir.path, p);
  const before = [...Deno.readDirSync(`${dir.path}/.rtt/state`)].length;
  const r = await rtt(["apply", "--dry-run", file], { cwd: dir.path });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /Dry run of plan .* 2 batch\(es\), \+3 -0; nothing written/);
  assert.equal(r.stdout.match(/^\d +\+ +r-/gm)?.length, 3);
  assert.equal([...Deno.readDirSync(`${dir.path}/.rtt/state`)].length, before);
  await assert.rejects(
    () => Deno.stat(segmentPath(workspaceAt(dir.path), 1)),
    Deno.errors.NotFound,
  );
  await assert.rejects(
    () => Deno.stat(`${dir.path}/plans/last_applied.json`),
    Deno.errors.NotFound,
  );
});

Deno.test("apply refuses stale, unsigned and foreign plans (exit 77) before changing anything", async () => {
  await using dir = await tempDir();
  const key = await initWorkspaceWithKey(dir.path);
  await fastPanel(dir.path);
  const p1 = await buildPlan(key, EMPTY_GRAPH, testRoutes(2));
  const stale = await buildPlan(key, EMPTY_GRAPH, testRoutes(2, 40));
  assert.equal((await rtt(["apply", await writePlan(dir.path, p1)], { cwd: dir.path })).code, 0);
  const ws = workspaceAt(dir.path);
  const walSize = (await Deno.stat(segmentPath(ws, 1))).size;
  const s = await rtt(["apply", await writePlan(dir.path, stale)], { cwd: dir.path });
  assert.equal(s.code, 77);
  assert.ok(s.stderr.includes(stale.base_graph) && s.stderr.includes(p1.target_graph), s.stderr);

  const foreign = await buildPlan(
    await generateKeyPair(),
    { routes: p1.routes_add },
    testRoutes(1, 60),
  );
  const f = await rtt(["apply", await writePlan(dir.path, foreign)], { cwd: dir.path });
  assert.equal(f.code, 77);
  assert.match(f.stderr, /unknown key/);

  const { sign: _s, ...unsigned } = foreign;
  const uFile = `plans/unsigned.plan.json`;
  await Deno.writeTextFile(`${dir.path}/${uFile}`, JSON.stringify(unsigned));
  assert.equal((await rtt(["apply", uFile], { cwd: dir.path })).code, 77);
  const nv = await rtt(["apply", "--no-verify", uFile], { cwd: dir.path });
  assert.equal(nv.code, 77);
  assert.match(nv.stderr, /allow_unsigned_plans is not true/);
  const seqBefore = (await readCommittedState(ws)).seq;
  assert.equal(
    (await Deno.stat(segmentPath(ws, 1))).size,
    walSize,
    "refusals write nothing to the WAL",
  );

  await fastPanel(dir.path, { allow_unsigned_plans: "true" });
  const ok = await rtt(["apply", "--no-verify", uFile], { cwd: dir.path });
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stderr, /SIGNATURE CHECK DISABLED/);
  const state = await readCommittedState(ws);
  assert.ok(state.seq > seqBefore);
  const begin = (await scanWal(ws)).records.filter((r) => r.type === "begin").at(-1);
  assert.equal(begin?.payload.unverified, true);
});

Deno.test("a NACK, a hung participant or a failed COMMIT fsync leave the committed graph unchanged", async () => {
  await using dir = await tempDir();
  const key = await initWorkspaceWithKey(dir.path);
  await fastPanel(dir.path, { prepare_timeout_ms: "50" });
  const ws = workspaceAt(dir.path);
  const p = await buildPlan(key, EMPTY_GRAPH, testRoutes(6), { batches: 3 });
  const file = await writePlan(dir.path, p);
  const nack = await rttJson<{ status: string; failure: { batch: number } }>(["apply", file], {
    cwd: dir.path,
    env: { RTT_TEST_PARTICIPANT: "nack@prepare:2" },
    testEntry: true,
  });
  assert.equal(nack.code, 1);
  assert.equal(nack.json.status, "aborted");
  assert.equal(nack.json.failure.batch, 1);
  const hang = await rtt(["apply", file], {
    cwd: dir.path,
    env: { RTT_TEST_PARTICIPANT: "hang@prepare:3" },
    testEntry: true,
  });
  assert.equal(hang.code, 1);
  assert.match(hang.stderr, /no vote within 50 ms/);
  const fsync = await rtt(["apply", file], {
    cwd: dir.path,
    env: { RTT_FAIL_FSYNC: "wal:commit:fsync" },
    testEntry: true,
  });
  assert.equal(fsync.code, 74, fsync.stderr);
  assert.match(fsync.stderr, /COMMIT record could not be made durable/);
  assert.equal((await readCommittedState(ws)).graph_hash, graphHash(EMPTY_GRAPH));
  assert.equal((await rtt(["wal", "verify"], { cwd: dir.path })).code, 0);
  assert.equal((await rtt(["apply", file], { cwd: dir.path })).code, 0);
  assert.equal((await readCommittedState(ws)).graph_hash, p.target_graph);
});

Deno.test("a torn last WAL record is dropped by recovery at every byte offset; a flipped bit is named by wal verify", async () => {
  await using dir = await tempDir();
  const key = await initWorkspaceWithKey(dir.path);
  await fastPanel(dir.path);
  const ws = workspaceAt(dir.path);
  const p = await buildPlan(key, EMPTY_GRAPH, testRoutes(3), { batches: 3 });
  assert.equal((await rtt(["apply", await writePlan(dir.path, p)], { cwd: dir.path })).code, 0);
  const bytes = await Deno.readFile(segmentPath(ws, 1));
  const lastStart = bytes.lastIndexOf(0x0a, bytes.length - 2) + 1;
  const records = (await scanWal(ws)).records.length;
  for (let cut = lastStart + 1; cut < bytes.length; cut++) {
    await Deno.writeFile(segmentPath(ws, 1), bytes.subarray(0, cut));
    const r = await recover(ws);
    assert.equal(r.torn?.offset, lastStart, `cut ${cut}`);
    const scan = await scanWal(ws);
    assert.equal(scan.torn, null);
    assert.equal(scan.records.length, records - 1, `cut ${cut}`);
    assert.equal((await readCommittedState(ws)).graph_hash, p.target_graph, `cut ${cut}`);
  }
  // The CLI reports a torn tail and recovery drops it.
  await Deno.writeFile(segmentPath(ws, 1), bytes.subarray(0, bytes.length - 3));
  const v = await rtt(["wal", "verify"], { cwd: dir.path });
  assert.equal(v.code, 0, v.stderr);
  assert.match(v.stderr, /torn last record/);
  const rec = await rtt(["recover"], { cwd: dir.path });
  assert.equal(rec.code, 0, rec.stderr);
  assert.match(rec.stdout, /dropped a torn last record/);

  // One bit flipped in record 4.
  await Deno.writeFile(segmentPath(ws, 1), bytes);
  const starts = [0];
  for (let i = 0; i < bytes.length - 1; i++) if (bytes[i] === 0x0a) starts.push(i + 1);
  const bad = bytes.slice();
  bad[starts[3] + 20] ^= 0x04;
  await Deno.writeFile(segmentPath(ws, 1), bad);
  const flipped = await rtt(["wal", "verify"], { cwd: dir.path });
  assert.equal(flipped.code, 77);
  assert.match(flipped.stderr, /corrupt at seq 4 /);
  assert.equal((await rtt(["status"], { cwd: dir.path })).code, 0, "status still reads");
});

Deno.test("a crashed apply leaves no lock: status and the next apply recover by themselves", async () => {
  await using dir = await tempDir();
  const key = await initWorkspaceWithKey(dir.path);
  await fastPanel(dir.path);
  const p = await buildPlan(key, EMPTY_GRAPH, testRoutes(4), { batches: 2 });
  const file = await writePlan(dir.path, p);
  const crashed = await rtt(["apply", file], {
    cwd: dir.path,
    env: { RTT_TEST_PARTICIPANT: "crash@commit:2" },
    testEntry: true,
  });
  assert.notEqual(crashed.code, 0);
  const ws = workspaceAt(dir.path);
  assert.equal(await readWorkspaceLock(ws), null);
  const st = await rtt(["status"], { cwd: dir.path });
  assert.equal(st.code, 0, st.stderr);
  assert.match(st.stdout, /lock +none/);
  assert.match(st.stdout, /recovery +.*rolled transaction t-[0-9a-f]+ back/);
  assert.equal((await readCommittedState(ws)).seq, 0);

  const again = await rtt(["apply", file], {
    cwd: dir.path,
    env: { RTT_TEST_PARTICIPANT: "crash@commit:1" },
    testEntry: true,
  });
  assert.notEqual(again.code, 0);
  const applied = await rtt(["apply", file], { cwd: dir.path });
  assert.equal(applied.code, 0, applied.stderr);
  assert.match(applied.stderr + applied.stdout, /recovery: rolled transaction t-[0-9a-f]+ back/);
  assert.equal((await readCommittedState(ws)).graph_hash, p.target_graph);
  assert.equal((await rtt(["wal", "verify"], { cwd: dir.path })).code, 0);
});

Deno.test("rollback with nothing committed exits 66, in a workspace and in a bare folder", async () => {
  await using dir = await tempDir();
  const bare = await rtt(["rollback"], { cwd: dir.path });
  assert.equal(bare.code, 66, bare.stderr);
  assert.match(bare.stderr, /Nothing to roll back/);
  await initWorkspaceWithKey(dir.path);
  const fresh = await rtt(["rollback"], { cwd: dir.path });
  assert.equal(fresh.code, 66, fresh.stderr);
  assert.match(fresh.stderr, /Nothing to roll back/);
});

Deno.test("apply reports a missing plans/LATEST (66) and a bad --canary (64)", async () => {
  await using dir = await tempDir();
  await initWorkspaceWithKey(dir.path);
  const r = await rtt(["apply"], { cwd: dir.path });
  assert.equal(r.code, 66);
  assert.match(r.stderr, /plans\/LATEST" does not exist/);
  assert.equal((await rtt(["apply", "--canary", "0", "x.json"], { cwd: dir.path })).code, 64);
  assert.equal((await rtt(["apply", "--canary", "150", "x.json"], { cwd: dir.path })).code, 64);
});

Deno.test("apply --canary aborts on a canary breach; an SLO breach after commit rolls back (exit 1)", async () => {
  await using dir = await tempDir();
  const key = await initWorkspaceWithKey(dir.path);
  await fastPanel(dir.path);
  const ws = workspaceAt(dir.path);
  const p = await buildPlan(key, EMPTY_GRAPH, testRoutes(4), { batches: 4 });
  const file = await writePlan(dir.path, p);
  const canary = await rttJson<{ status: string; failure: { step: string; batch: number } }>(
    ["apply", "--canary", "50", file],
    { cwd: dir.path, env: { RTT_TEST_PARTICIPANT: "unhealthy@health:1" }, testEntry: true },
  );
  assert.equal(canary.code, 1, canary.stderr);
  assert.equal(canary.json.status, "aborted");
  assert.deepEqual(canary.json.failure.step, "canary");
  assert.equal(canary.json.failure.batch, 1);
  assert.equal((await readCommittedState(ws)).seq, 0);

  const slo = await rtt(["apply", file], {
    cwd: dir.path,
    env: { RTT_TEST_PARTICIPANT: "unhealthy@health:1" },
    testEntry: true,
  });
  assert.equal(slo.code, 1);
  assert.match(slo.stderr, /verify window failed .*injected SLO breach.*rolled back at seq \d+/);
  const state = await readCommittedState(ws);
  assert.equal(state.graph_hash, graphHash(EMPTY_GRAPH));
  assert.ok(state.seq > 0, "the rollback is a new commit");

  const ok = await rtt(["apply", "--canary", "50", file], { cwd: dir.path });
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /canary: 2\/4 batch\(es\) healthy/);
  assert.equal((await readCommittedState(ws)).graph_hash, p.target_graph);
});

Deno.test("a live holder's lock is reported as running and makes apply and rollback exit 74", async () => {
  await using dir = await tempDir();
  const key = await initWorkspaceWithKey(dir.path);
  const file = await writePlan(dir.path, await buildPlan(key, EMPTY_GRAPH, testRoutes(2)));
  await using holder = await holdWorkspaceLock(dir.path, "apply");
  const st = await rtt(["status"], { cwd: dir.path });
  assert.match(
    st.stdout,
    new RegExp(`lock +${holder.id}: apply pid ${holder.pid} .*\\(running\\)`),
  );
  for (const args of [["apply", file], ["rollback", "0"]]) {
    const refused = await rtt(args, { cwd: dir.path });
    assert.equal(refused.code, 74, `${args[0]}: ${refused.stderr}`);
    assert.match(
      refused.stderr,
      new RegExp(
        `locked by a running rtt-deno apply \\(pid ${holder.pid}, lock id ${holder.id}, since`,
      ),
    );
  }
  assert.equal((await readCommittedState(workspaceAt(dir.path))).seq, 0);
});
