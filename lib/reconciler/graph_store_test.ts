import assert from "node:assert/strict";
import { InputError, SchemaError, workspaceAt, writeJsonAtomic } from "../core/mod.ts";
import { graphHash, readCommittedState, statePath } from "../graph/graph.ts";
import { tempDir } from "../testing/mod.ts";
import { testRoutes } from "../testing/mod.ts";
import { loadGraph, storedGraphPath, storeGraph } from "./graph_store.ts";
import { readLastApplied } from "./last_applied.ts";
import { lastAppliedPath } from "./transaction.ts";

function damaged(file: string, pointer: string) {
  return (err: unknown) => {
    assert.ok(err instanceof SchemaError, String(err));
    assert.equal(err.exitCode, 65);
    const p = err.problems.find((x) => x.pointer === pointer);
    assert.ok(p, `a problem at ${pointer}: ${err.message}`);
    assert.equal(p.file, file);
    assert.ok(p.line, "has a line");
    return true;
  };
}

Deno.test("loadGraph() returns what storeGraph() stored", async () => {
  await using dir = await tempDir();
  const ws = workspaceAt(dir.path);
  const graph = { routes: testRoutes(3) };
  const hash = await storeGraph(ws, graph);
  assert.equal(hash, graphHash(graph));
  assert.equal(graphHash(await loadGraph(ws, hash)), hash);
});

Deno.test("loadGraph() reports a damaged stored graph at its position (65), a foreign one as corrupt (65)", async () => {
  await using dir = await tempDir();
  const ws = workspaceAt(dir.path);
  const hash = await storeGraph(ws, { routes: testRoutes(2) });
  const path = storedGraphPath(ws, hash);
  const rel = `.rtt/state/graphs/${hash.slice(7)}.json`;
  const routes = testRoutes(2);
  routes[1].lane = "pigeon" as never;
  await Deno.writeTextFile(path, JSON.stringify({ routes }, null, 2));
  await assert.rejects(() => loadGraph(ws, hash), damaged(rel, "/routes/1/lane"));
  await Deno.writeTextFile(path, JSON.stringify({ routes: testRoutes(1) }));
  await assert.rejects(
    () => loadGraph(ws, hash),
    (err: unknown) =>
      err instanceof InputError && err.exitCode === 65 &&
      err.message.startsWith(`Stored graph "${rel}" is corrupt: content hashes to sha256:`),
  );
});

Deno.test("readCommittedState() reports a damaged current.json at its position (65)", async () => {
  await using dir = await tempDir();
  const ws = workspaceAt(dir.path);
  const graph = { routes: testRoutes(1) };
  const state = { state_version: 1, seq: 3, graph_hash: graphHash(graph), plan_id: null, graph };
  await Deno.mkdir(ws.state, { recursive: true });
  await writeJsonAtomic(statePath(ws), state);
  assert.equal((await readCommittedState(ws)).seq, 3);
  await writeJsonAtomic(statePath(ws), { ...state, seq: -1 });
  await assert.rejects(() => readCommittedState(ws), damaged(".rtt/state/current.json", "/seq"));
  await writeJsonAtomic(statePath(ws), { ...state, graph: { routes: [] } });
  await assert.rejects(
    () => readCommittedState(ws),
    (err: unknown) =>
      err instanceof InputError && err.exitCode === 65 && /is corrupt/.test(err.message),
  );
});

Deno.test("readLastApplied() is null before any apply and reports a damaged file (65)", async () => {
  await using dir = await tempDir();
  const ws = workspaceAt(dir.path);
  assert.equal(await readLastApplied(ws), null);
  await Deno.mkdir(ws.plans, { recursive: true });
  await Deno.writeTextFile(lastAppliedPath(ws), '{\n  "plan_id": "sha256-00",\n  "seq": 1\n}\n');
  await assert.rejects(() => readLastApplied(ws), damaged("plans/last_applied.json", "/plan_id"));
});
