/**
 * The workspace lock dies with its holder: an apply of 1,500 routes is
 * killed with SIGKILL from outside at seeded random moments (half over its
 * whole run, half over its transaction), and every time a plain `apply` of
 * the same plan then succeeds (it recovers from the WAL by itself; nobody
 * breaks a lock) and `wal verify` passes.
 */
import assert from "node:assert/strict";
import { readWorkspaceLock, workspaceAt } from "../lib/core/mod.ts";
import { EMPTY_GRAPH, readCommittedState } from "../lib/graph/mod.ts";
import { lastTransaction, scanWal, segmentPath } from "../lib/reconciler/mod.ts";
import { copyDir, entryPoint, REPO, rtt, tempDir } from "./_helpers.ts";
import { buildPlan, initWorkspaceWithKey, testRoutes, writePlan } from "./_plans.ts";
import { rng } from "../lib/testing/mod.ts";

const TRIALS = 20;
const ROUTES = 1500;

/** Starts `rtt-deno apply <plan>` with the product entry point. */
function spawnApply(root: string, plan: string): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-q", "-P=rtt", "--config", `${REPO}/deno.json`, entryPoint(), "apply", plan],
    cwd: root,
    env: { NO_COLOR: "1" },
    stdout: "null",
    stderr: "null",
  }).spawn();
}

function exists(path: string): Promise<boolean> {
  return Deno.stat(path).then(() => true, () => false);
}

/** Resolves true once `cond()` holds, or false when `done()` turns true first. */
async function until(cond: () => Promise<boolean>, done: () => boolean): Promise<boolean> {
  while (!done()) {
    if (await cond()) return true;
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  return false;
}

/**
 * Runs an apply and SIGKILLs it `afterMs` after it started, or after its WAL
 * appeared (its transaction is about to begin); without a kill it measures
 * the whole run and the transaction (WAL appeared until the lock file is
 * removed). Start-up time varies by hundreds of ms on a busy machine, so only
 * the WAL anchor reliably lands kills inside a transaction of ~100 ms.
 */
async function killedApply(
  root: string,
  plan: string,
  kill: { afterMs: number; from: "start" | "wal" } | null,
): Promise<{ killed: boolean; runMs: number; txnMs: number }> {
  const t0 = performance.now();
  const child = spawnApply(root, plan);
  let exited = false;
  const status = child.status.finally(() => exited = true);
  let timer: ReturnType<typeof setTimeout> | undefined;
  if (kill?.from === "start") timer = setTimeout(() => child.kill("SIGKILL"), kill.afterMs);
  const ws = workspaceAt(root);
  const sawWal = await until(() => exists(segmentPath(ws, 1)), () => exited);
  const walAt = performance.now();
  if (kill?.from === "wal" && sawWal) {
    timer = setTimeout(() => child.kill("SIGKILL"), kill.afterMs);
  }
  if (!kill) await until(async () => !(await exists(`${ws.rtt}/lock`)), () => exited);
  const txnMs = sawWal ? performance.now() - walAt : 0;
  const { signal } = await status;
  clearTimeout(timer);
  return { killed: signal === "SIGKILL", runMs: performance.now() - t0, txnMs };
}

/** Where the killed apply was: not started, inside its transaction, or done. */
async function phase(root: string): Promise<"before" | "inside" | "after"> {
  const last = lastTransaction((await scanWal(workspaceAt(root))).records);
  if (!last) return "before";
  return last.some((r) => r.type === "end" || r.type === "abort") ? "after" : "inside";
}

Deno.test({
  name: `apply killed at ${TRIALS} random moments: the next plain apply recovers and succeeds`,
  sanitizeResources: false,
  fn: async () => {
    await using template = await tempDir();
    const key = await initWorkspaceWithKey(template.path);
    const panel = `${template.path}/.rtt/panel.yaml`;
    await Deno.writeTextFile(
      panel,
      (await Deno.readTextFile(panel)).replace(/verify_window_ms: \d+/, "verify_window_ms: 0"),
    );
    const plan = await buildPlan(key, EMPTY_GRAPH, testRoutes(ROUTES), { batches: 15 });
    const file = await writePlan(template.path, plan);

    // One undisturbed run places the kills (scheduling only, never asserted): even trials
    // over the whole run, odd ones over the transaction.
    await using probe = await tempDir();
    await copyDir(template.path, probe.path);
    const undisturbed = await killedApply(probe.path, file, null);
    assert.equal(undisturbed.killed, false);

    const rand = rng(9);
    const seen = { before: 0, inside: 0, after: 0, killed: 0, leftLockFile: 0 };
    for (let trial = 0; trial < TRIALS; trial++) {
      await using dir = await tempDir();
      await copyDir(template.path, dir.path);
      const ws = workspaceAt(dir.path);
      // Stratified: the k-th trial of each kind lands in the k-th tenth of its range.
      const share = (Math.floor(trial / 2) + rand()) / (TRIALS / 2);
      const kill = trial % 2
        ? { from: "wal" as const, afterMs: Math.round(share * undisturbed.txnMs) }
        : { from: "start" as const, afterMs: Math.round(share * undisturbed.runMs) };
      const what = `trial ${trial} (kill ${kill.afterMs} ms after its ${kill.from})`;
      if ((await killedApply(dir.path, file, kill)).killed) seen.killed++;
      seen[await phase(dir.path)]++;
      if (await exists(`${ws.rtt}/lock`)) seen.leftLockFile++;

      assert.equal(await readWorkspaceLock(ws), null, `${what}: no process holds the lock`);
      const again = await rtt(["apply", file], { cwd: dir.path });
      assert.equal(again.code, 0, `${what}: ${again.stderr}`);
      assert.equal((await readCommittedState(ws)).graph_hash, plan.target_graph, what);
      const verify = await rtt(["wal", "verify"], { cwd: dir.path });
      assert.equal(verify.code, 0, `${what}: ${verify.stderr}`);
    }
    console.log(
      `apply of ${ROUTES} routes killed in ${seen.killed}/${TRIALS} trials ` +
        `(before its transaction ${seen.before}, inside ${seen.inside}, after ${seen.after}; ` +
        `lock file left by the dead holder ${seen.leftLockFile}); every re-run applied and verified`,
    );
  },
});
