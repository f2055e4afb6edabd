/**
 * Crash safety of apply, rollback and recovery: every point where they
 * write, fsync, rename or take the lock is enumerated with RTT_CRASH_TRACE; then the
 * command runs once per point in a child process (the test entry point) that
 * SIGKILLs itself there (RTT_CRASH_AT), and the test checks that a plain
 * `recover` (the dead process's lock went with it) leaves exactly the old
 * or the new committed graph (which one is decided by whether the COMMIT
 * record was written), that the WAL chain verifies and matches the state,
 * that recovery is idempotent, and that running the command again converges.
 */
import assert from "node:assert/strict";
import { workspaceAt } from "../lib/core/mod.ts";
import { graphHash, type PlannedRoute, readCommittedState } from "../lib/graph/mod.ts";
import { readWorkspaceLock } from "../lib/core/mod.ts";
import { recover, scanWal } from "../lib/reconciler/mod.ts";
import { entryPoint, REPO, rtt, tempDir } from "./_helpers.ts";
import { buildPlan, initWorkspaceWithKey, testRoute, testRoutes, writePlan } from "./_plans.ts";

const decoder = new TextDecoder();

/** Runs the CLI (test entry) with extra env and reports whether it died by SIGKILL. */
async function run(args: string[], cwd: string, env: Record<string, string> = {}) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-q",
      "-P=rtt",
      "--config",
      `${REPO}/deno.json`,
      entryPoint({ testEntry: true }),
      ...args,
    ],
    cwd,
    env: { NO_COLOR: "1", ...env },
    stdout: "piped",
    stderr: "piped",
  }).output();
  return {
    code: out.code,
    killed: out.signal === "SIGKILL",
    stderr: decoder.decode(out.stderr),
    stdout: decoder.decode(out.stdout),
  };
}

async function copyDir(src: string, dest: string): Promise<void> {
  await Deno.mkdir(dest, { recursive: true });
  for await (const e of Deno.readDir(src)) {
    if (e.isDirectory) await copyDir(`${src}/${e.name}`, `${dest}/${e.name}`);
    else if (e.isFile) {
      await Deno.copyFile(`${src}/${e.name}`, `${dest}/${e.name}`);
    }
  }
}

/** Occurrences `<point>:<n>` in trace order. */
function occurrences(trace: string): string[] {
  const seen = new Map<string, number>();
  return trace.split("\n").filter(Boolean).map((p) => {
    const n = (seen.get(p) ?? 0) + 1;
    seen.set(p, n);
    return `${p}:${n}`;
  });
}

interface Scenario {
  /** Workspace prepared with the old graph committed. */
  template: string;
  /** Command under test. */
  args: string[];
  oldHash: string;
  newHash: string;
  /** Crash point from which on the outcome is the new graph (default: all of them). */
  decisive?: string;
  /** Extra environment of the command (e.g. a refusing participant). */
  env?: Record<string, string>;
  /** Exit code of the command when it is not killed (default 0). */
  exitCode?: number;
}

/** A workspace with plan 1 applied and plan 2 (3 batches: deletes, a replacement, adds) ready. */
async function makeTemplate(
  root: string,
): Promise<{ p1: string; p2: string; p2Target: string; p1Target: string }> {
  const key = await initWorkspaceWithKey(root);
  const panel = `${root}/.rtt/panel.yaml`;
  await Deno.writeTextFile(
    panel,
    (await Deno.readTextFile(panel)).replace(/verify_window_ms: \d+/, "verify_window_ms: 0"),
  );
  const first = testRoutes(5);
  const p1 = await buildPlan(key, { routes: [] }, first, { batches: 2 });
  const p1File = await writePlan(root, p1);
  const r = await rtt(["apply", p1File], { cwd: root });
  assert.equal(r.code, 0, r.stderr);
  const replaced: PlannedRoute = testRoute(2, 2, { lane: "tcp" });
  const p2 = await buildPlan(
    key,
    { routes: p1.routes_add },
    [replaced, ...testRoutes(3, 20)],
    { del: [first[0], first[1], first[2]], batches: 3 },
  );
  await writePlan(root, p2, { latest: true });
  return {
    p1: p1File,
    p2: `plans/${p2.plan_id}.plan.json`,
    p1Target: p1.target_graph,
    p2Target: p2.target_graph,
  };
}

/** Enumerates the crash points of a scenario, then crashes at each one and checks recovery. */
async function crashEverywhere(s: Scenario): Promise<string[]> {
  await using traceDir = await tempDir();
  const traceWs = `${traceDir.path}/ws`;
  await copyDir(s.template, traceWs);
  const traceFile = `${traceDir.path}/trace.txt`;
  const traced = await run(s.args, traceWs, { ...s.env, RTT_CRASH_TRACE: traceFile });
  assert.equal(traced.code, s.exitCode ?? 0, traced.stderr);
  const points = occurrences(await Deno.readTextFile(traceFile));
  const commitAt = s.decisive ? points.indexOf(s.decisive) : 0;
  assert.ok(commitAt >= 0, `${s.decisive} is a crash point: ${points.join(" ")}`);
  assert.equal((await readCommittedState(workspaceAt(traceWs))).graph_hash, s.newHash);

  for (const [i, point] of points.entries()) {
    await using dir = await tempDir();
    const root = `${dir.path}/ws`;
    await copyDir(s.template, root);
    const ws = workspaceAt(root);
    const crashed = await run(s.args, root, { ...s.env, RTT_CRASH_AT: point });
    assert.ok(
      crashed.killed,
      `${point}: expected SIGKILL, got exit ${crashed.code}: ${crashed.stderr}`,
    );

    assert.equal(await readWorkspaceLock(ws), null, `${point}: the dead process holds no lock`);
    const rec = await run(["--json", "recover"], root);
    assert.equal(rec.code, 0, `${point}: recover failed: ${rec.stderr}`);
    const expected = i < commitAt ? s.oldHash : s.newHash;
    const state = await readCommittedState(ws);
    assert.equal(
      state.graph_hash,
      expected,
      `${point}: committed graph must be the ${i < commitAt ? "old" : "new"} one`,
    );
    const scan = await scanWal(ws);
    assert.equal(scan.torn, null, point);
    const lastEnd = scan.records.filter((r) => r.type === "end").at(-1);
    assert.equal(
      lastEnd?.payload.graph_hash ?? graphHash({ routes: [] }),
      state.graph_hash,
      `${point}: WAL matches state`,
    );
    assert.equal((await recover(ws)).action, "none", `${point}: recovery is idempotent`);

    const again = await run(s.args, root, s.env);
    assert.equal(again.code, s.exitCode ?? 0, `${point}: re-run: ${again.stderr}`);
    assert.equal((await readCommittedState(ws)).graph_hash, s.newHash, `${point}: converges`);
    assert.equal(await readWorkspaceLock(ws), null, point);
    const strays = [...Deno.readDirSync(ws.rtt)].filter((e) => e.name.startsWith(".lock."));
    assert.deepEqual(strays, [], `${point}: no lock temp file is left behind`);
    const verify = await run(["wal", "verify"], root);
    assert.equal(verify.code, 0, `${point}: ${verify.stderr}`);
  }
  return points;
}

Deno.test({
  name: "apply survives SIGKILL at every write/fsync/rename point: old or new graph, never lost",
  sanitizeResources: false,
  fn: async () => {
    await using dir = await tempDir();
    const t = await makeTemplate(dir.path);
    const points = await crashEverywhere({
      template: dir.path,
      args: ["apply", t.p2],
      oldHash: t.p1Target,
      newHash: t.p2Target,
      decisive: "wal:commit:fsync:1",
    });
    console.log(`apply: ${points.length} crash points: ${points.join(" ")}`);
  },
});

Deno.test({
  name:
    "the first apply on a fresh workspace survives SIGKILL at every point (WAL and graph store created)",
  sanitizeResources: false,
  fn: async () => {
    await using dir = await tempDir();
    const key = await initWorkspaceWithKey(dir.path);
    const panel = `${dir.path}/.rtt/panel.yaml`;
    await Deno.writeTextFile(
      panel,
      (await Deno.readTextFile(panel)).replace(/verify_window_ms: \d+/, "verify_window_ms: 0"),
    );
    const plan = await buildPlan(key, { routes: [] }, testRoutes(4), { batches: 2 });
    const points = await crashEverywhere({
      template: dir.path,
      args: ["apply", await writePlan(dir.path, plan)],
      oldHash: graphHash({ routes: [] }),
      newHash: plan.target_graph,
      decisive: "wal:commit:fsync:1",
    });
    assert.ok(points.includes("wal:create:dirsync:1"));
    console.log(`first apply: ${points.length} crash points: ${points.join(" ")}`);
  },
});

Deno.test({
  name: "rollback survives SIGKILL at every write/fsync/rename point",
  sanitizeResources: false,
  fn: async () => {
    await using dir = await tempDir();
    const t = await makeTemplate(dir.path);
    const points = await crashEverywhere({
      template: dir.path,
      args: ["rollback", "0"],
      oldHash: t.p1Target,
      newHash: graphHash({ routes: [] }),
      decisive: "wal:commit:fsync:1",
    });
    console.log(`rollback: ${points.length} crash points: ${points.join(" ")}`);
  },
});

Deno.test({
  name: "recovery rolling a durable COMMIT forward survives SIGKILL at each of its own points",
  sanitizeResources: false,
  fn: async () => {
    await using dir = await tempDir();
    const t = await makeTemplate(dir.path);
    // Crash right after the COMMIT record is durable: recovery must roll forward.
    const crashed = await run(["apply", t.p2], dir.path, { RTT_CRASH_AT: "state:write" });
    assert.ok(crashed.killed);
    const points = await crashEverywhere({
      template: dir.path,
      args: ["recover"],
      oldHash: t.p1Target,
      newHash: t.p2Target,
    });
    console.log(`recover (roll forward): ${points.length} crash points: ${points.join(" ")}`);
  },
});

Deno.test({
  name: "an apply aborted by a NACK survives SIGKILL at every point of its rollback path",
  sanitizeResources: false,
  fn: async () => {
    await using dir = await tempDir();
    const t = await makeTemplate(dir.path);
    const points = await crashEverywhere({
      template: dir.path,
      args: ["apply", t.p2],
      env: { RTT_TEST_PARTICIPANT: "nack@prepare:3" },
      exitCode: 1,
      oldHash: t.p1Target,
      newHash: t.p1Target,
    });
    assert.ok(points.includes("wal:abort:fsync:1") && points.includes("wal:rollback:write:3"));
    console.log(`aborted apply: ${points.length} crash points: ${points.join(" ")}`);
  },
});

Deno.test({
  name: "recovery dropping a torn WAL tail survives SIGKILL at each of its points",
  sanitizeResources: false,
  fn: async () => {
    await using dir = await tempDir();
    const t = await makeTemplate(dir.path);
    const wal = `${dir.path}/.rtt/wal/rtt.000001.wal`;
    await Deno.writeTextFile(wal, '{"seq":999,"prev":"sha256:', { append: true });
    const points = await crashEverywhere({
      template: dir.path,
      args: ["recover"],
      oldHash: t.p1Target,
      newHash: t.p1Target,
    });
    assert.ok(points.includes("wal:truncate:1") && points.includes("wal:truncate:fsync:1"));
    console.log(`torn-tail recovery: ${points.length} crash points: ${points.join(" ")}`);
  },
});
