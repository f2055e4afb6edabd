import assert from "node:assert/strict";
import { readTopology } from "./topology.ts";
import {
  DEFAULT_LATENCY_MODEL,
  loadLatencyModel,
  parseTunedProfile,
  predictP99Us,
} from "./latency_model.ts";
import { workspaceAt } from "../core/mod.ts";

Deno.test("readTopology() reads nodes from a sysfs tree, skips memory-only nodes, falls back to one node", async () => {
  const root = await Deno.makeTempDir();
  try {
    for (const [n, cpus] of [["node1", "2-3\n"], ["node0", "0-1\n"], ["node2", "\n"]]) {
      await Deno.mkdir(`${root}/${n}`);
      await Deno.writeTextFile(`${root}/${n}/cpulist`, cpus);
    }
    await Deno.writeTextFile(`${root}/online`, "0-2\n");
    assert.deepEqual(await readTopology({ sysfsNodeRoot: root }), {
      source: "sysfs",
      nodes: [{ id: 0, cpus: [0, 1] }, { id: 1, cpus: [2, 3] }],
    });
    assert.deepEqual(await readTopology({ sysfsNodeRoot: `${root}/missing`, cpuCount: 3 }), {
      source: "single-node",
      nodes: [{ id: 0, cpus: [0, 1, 2] }],
    });
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("predictP99Us() charges base, per-KiB and cross-NUMA costs in whole microseconds", () => {
  assert.equal(predictP99Us(DEFAULT_LATENCY_MODEL, "shm", 0), 21);
  assert.equal(predictP99Us(DEFAULT_LATENCY_MODEL, "tcp", 2), 188);
});

Deno.test("loadLatencyModel() uses the tuned profile lane by lane and refuses a bad one with its pointer", async () => {
  const root = await Deno.makeTempDir();
  try {
    const ws = workspaceAt(root);
    assert.equal((await loadLatencyModel(ws)).source, "defaults");
    await Deno.mkdir(ws.tuned, { recursive: true });
    await Deno.writeTextFile(
      `${ws.tuned}/profile.json`,
      JSON.stringify({ profile_version: 1, lanes: { uds: { base_p99_ms: 0.01, per_kib_ms: 0 } } }),
    );
    const m = await loadLatencyModel(ws);
    assert.equal(m.source, ".rtt/tuned/profile.json");
    assert.deepEqual(m.lanes.uds, { base_p99_ms: 0.01, per_kib_ms: 0 });
    assert.deepEqual(m.lanes.shm, DEFAULT_LATENCY_MODEL.lanes.shm);
    await Deno.writeTextFile(`${ws.tuned}/profile.json`, "{nope");
    await assert.rejects(loadLatencyModel(ws), /malformed JSON/);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
  assert.throws(
    () => parseTunedProfile("p.json", { profile_version: 1, lanes: { shm: { base_p99_ms: -1 } } }),
    /Invalid tuned profile "p\.json" at \/lanes\/shm\/base_p99_ms: expected a number >= 0/,
  );
  assert.throws(
    () => parseTunedProfile("p.json", { profile_version: 1, lanes: { rdma: {} } }),
    /at \/lanes\/rdma: expected a lane/,
  );
});
