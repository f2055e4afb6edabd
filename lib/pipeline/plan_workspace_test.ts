import assert from "node:assert/strict";
import type { Workspace } from "../core/mod.ts";
import type { StageEvent } from "./stage_event.ts";
import { planWorkspace } from "./plan_workspace.ts";
import { testWorkspace } from "../testing/mod.ts";

const REPO = new URL("../..", import.meta.url).pathname;

/** Copies the repository's sample manifests and configuration into `ws`. */
async function copySample(ws: Workspace): Promise<void> {
  const copyDir = async (rel: string) => {
    for await (const e of Deno.readDir(`${REPO}/${rel}`)) {
      if (e.isDirectory) await copyDir(`${rel}/${e.name}`);
      else if (e.isFile) {
        await Deno.mkdir(`${ws.root}/${rel}`, { recursive: true });
        await Deno.copyFile(`${REPO}/${rel}/${e.name}`, `${ws.root}/${rel}/${e.name}`);
      }
    }
  };
  for (const dir of [".rtt/manifests", "agents", "skills", "providers"]) await copyDir(dir);
  for (const f of [".rtt/panel.yaml", ".rtt/policy.json", ".rtt/routes.json"]) {
    await Deno.copyFile(`${REPO}/${f}`, `${ws.root}/${f}`);
  }
}

Deno.test("planWorkspace() writes a signed plan and plans/LATEST, warns when planning from the scan, and repeats itself", async () => {
  await using t = await testWorkspace();
  await copySample(t.ws);
  const events: StageEvent[] = [];
  const r = await planWorkspace(t.ws, { solver: "greedy", onEvent: (e) => events.push(e) });
  assert.ok(r.ok);
  assert.equal(r.symbols_source, "scan");
  assert.deepEqual(events.map((e) => e.level), ["warn"]);
  assert.match(events[0].message, /the registry is empty/);
  assert.equal(r.key_id, t.key.keyId);
  assert.equal(r.file, `plans/${r.plan_id}.plan.json`);
  assert.equal(r.routes, 5);
  assert.equal(r.added, 5);
  assert.equal(r.explain.length, 5);
  assert.ok(r.explain.every((e) => e.change === "add"));
  assert.equal(
    (await Deno.readTextFile(`${t.ws.plans}/LATEST`)).trim(),
    `${r.plan_id}.plan.json`,
  );
  const again = await planWorkspace(t.ws, { solver: "greedy" });
  assert.ok(again.ok);
  assert.equal(again.plan_id, r.plan_id);
});

Deno.test("planWorkspace() returns every infeasible route and writes nothing", async () => {
  await using t = await testWorkspace();
  await copySample(t.ws);
  const routes = JSON.parse(await Deno.readTextFile(t.ws.routesConfig));
  for (const route of routes.routes) route.qos = { latency_budget_ms: 0.001 };
  await Deno.writeTextFile(t.ws.routesConfig, JSON.stringify(routes));
  const r = await planWorkspace(t.ws, { solver: "greedy" });
  assert.ok(!r.ok);
  assert.equal(r.requested, 5);
  assert.equal(r.infeasible.length, 5);
  assert.ok(r.infeasible.every((b) => b.constraint === "latency"));
  await assert.rejects(Deno.stat(`${t.ws.plans}/LATEST`), Deno.errors.NotFound);
});
