/**
 * Fixtures for the use-case tests: an initialised temporary workspace and
 * plans sealed with its own key, so the use cases verify them like real
 * plans. Only tests import this file.
 *
 * @module
 */
import { type KeyPair, type Workspace, workspaceAt } from "../core/mod.ts";
import {
  applyDelta,
  type Graph,
  graphHash,
  normalizeGraph,
  type Plan,
  type PlannedRoute,
} from "../graph/mod.ts";
import { sealPlan } from "../plan/mod.ts";
import { loadKey } from "../security/mod.ts";
import { initWorkspace } from "../pipeline/init.ts";
import { ingest, type IngestReport } from "../pipeline/ingest.ts";
import { scanWorkspace } from "../pipeline/scan.ts";
import { copySample } from "./sample_workspace.ts";

/** An initialised workspace in a temporary folder, removed on dispose. */
export interface TestWorkspace extends AsyncDisposable {
  /** The workspace, rooted in the temporary folder. */
  ws: Workspace;
  /** The workspace's default signing key (trusted for plans). */
  key: KeyPair;
}

/** Creates and initialises a workspace whose verify window is 0 ms (fast applies). */
export async function testWorkspace(): Promise<TestWorkspace> {
  const root = await Deno.makeTempDir({ prefix: "rtt-pipeline-test-" });
  const ws = workspaceAt(root);
  await initWorkspace(ws);
  const panel = await Deno.readTextFile(ws.panelConfig);
  await Deno.writeTextFile(
    ws.panelConfig,
    panel.replace(/verify_window_ms: \d+/, "verify_window_ms: 0"),
  );
  return {
    ws,
    key: await loadKey(ws),
    [Symbol.asyncDispose]: () => Deno.remove(root, { recursive: true }).catch(() => {}),
  };
}

/** Seals a plan adding `add` to `base`, one batch per route, and writes it to plans/. */
export async function writeTestPlan(
  t: TestWorkspace,
  base: Graph,
  add: PlannedRoute[],
): Promise<{ plan: Plan; path: string }> {
  const target = applyDelta(base, { routes_add: add, routes_del: [] });
  const plan = await sealPlan({
    plan_version: 1,
    created_at: "1970-01-01T00:00:00Z",
    base_graph: graphHash(base),
    target_graph: graphHash(target),
    symbols: {},
    routes_add: normalizeGraph({ routes: add }).routes,
    routes_del: [],
    order: add.map((r) => r.id),
    batches: add.map((r) => [r.id]),
    solver: { name: "lib/pipeline/_test_workspace.ts" },
  }, t.key);
  const path = `${t.ws.plans}/${plan.plan_id}.plan.json`;
  await Deno.writeTextFile(path, JSON.stringify(plan));
  return { plan, path };
}

/**
 * The sample workspace copied to `path`, initialised, scanned and ingested
 * (signed by the workspace key), as the registry use cases expect it.
 */
export async function ingestedSample(
  path: string,
): Promise<{ ws: Workspace; ingested: IngestReport }> {
  await copySample(path);
  const ws = workspaceAt(path);
  await initWorkspace(ws);
  await scanWorkspace(ws);
  return { ws, ingested: await ingest(ws, { sign: true }) };
}
