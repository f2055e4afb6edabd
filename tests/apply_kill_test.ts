/**
 * The workspace lock dies with its holder: an apply of 1,500 routes is
 * killed with SIGKILL from outside at seeded random moments over its run,
 * and every time a plain `apply` of the same plan then succeeds (it recovers
 * from the WAL by itself; nobody breaks a lock) and `wal verify` passes.
 */
import assert from "node:assert/strict";
import { readWorkspaceLock, workspaceAt } from "../lib/core/mod.ts";
import { EMPTY_GRAPH, readCommittedState } from "../lib/graph/mod.ts";
import { lastTransaction, scanWal } from "../lib/reconciler/mod.ts";
import { copyDir, entryPoint, REPO, rtt, tempDir } from "./_helpers.ts";
import { buildPlan, initWorkspaceWithKey, testRoutes, writePlan } from "./_plans.ts";
import { rng } from "./_synthetic.ts";

const TRIALS = 20;
const ROUTES = 1500;

/** Starts `rtt-deno apply <plan>` (the product entry point) and SIGKILLs it after `delayMs`. */
async function killedApply(root: string, plan: string, delayMs: number): Promise<boolean> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-q", "-P=rtt", "--config", `${REPO}/deno.json`, entryPoint(), "apply", plan],
    cwd: root,
    env: { NO_COLOR: "1" },
    stdout: "null",
    stderr: "null",
  }).spawn();
  const timer = setTimeout(() => child.kill("SIGKILL"), delayMs);
  const status = await child.status;
  clearTimeout(timer);
  return status.signal === "SIGKILL";
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

    // One undisturbed run sets the range of the kill delays (scheduling only, never asserted).
    await using probe = await tempDir();
    await copyDir(template.path, probe.path);
    const t0 = performance.now();
    assert.equal((await rtt(["apply", file], { cwd: probe.path })).code, 0);
    const runMs = performance.now() - t0;

    const rand = rng(9);
    const seen = { before: 0, inside: 0, after: 0, killed: 0, leftLockFile: 0 };
    for (let trial = 0; trial < TRIALS; trial++) {
      await using dir = await tempDir();
      await copyDir(template.path, dir.path);
      const ws = workspaceAt(dir.path);
      const delay = Math.round(rand() * runMs);
      const what = `trial ${trial} (kill after ${delay} ms)`;
      if (await killedApply(dir.path, file, delay)) seen.killed++;
      seen[await phase(dir.path)]++;
      if (await Deno.stat(`${ws.rtt}/lock`).then(() => true, () => false)) seen.leftLockFile++;

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
