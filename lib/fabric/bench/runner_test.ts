import assert from "node:assert/strict";
import { UsageError } from "../../core/mod.ts";
import type { LaneKind } from "../lane/mod.ts";
import { type FabricBenchOptions, runFabricBench, runFabricBenchPeer } from "./mod.ts";

// A peer command that fails the test if the bench got as far as starting a peer.
function noPeer(): never {
  throw new Error("the bench started a peer for options it should have refused");
}

const refused: [FabricBenchOptions, RegExp][] = [
  [{ lanes: [] }, /no lanes given/],
  [{ lanes: ["shm", "pigeon" as LaneKind] }, /unknown lane "pigeon" \(expected shm, uds, tcp\)/],
  [{ sizes: [] }, /no payload sizes given/],
  [{ sizes: [0] }, /payload size 0 is not a whole number of bytes from 1 to 1048576/],
  [{ sizes: [64, (1 << 20) + 1] }, /payload size 1048577 /],
  [{ sizes: [1.5] }, /payload size 1.5 /],
  [{ seconds: 0 }, /0 seconds per measurement is not above 0 and at most 600/],
  [{ seconds: 601 }, /601 seconds/],
  [{ seconds: NaN }, /NaN seconds/],
  [{ spinNs: -1 }, /spin -1 ns is not a whole number of nanoseconds/],
  [{ spinNs: 2 ** 32 }, /spin 4294967296 ns/],
  [{ pin: "some" as "all" }, /pin mode "some" is not one of shm, all, none/],
];

Deno.test("runFabricBench() refuses each out-of-range option with a UsageError before measuring", async () => {
  for (const [options, message] of refused) {
    let progressed = false;
    await assert.rejects(
      runFabricBench({ ...options, peerCommand: noPeer }, () => progressed = true),
      (err: unknown) => {
        assert.ok(err instanceof UsageError, `${JSON.stringify(options)}: ${err}`);
        assert.equal(err.exitCode, 64);
        assert.match(err.message, /^Cannot run fabric bench: /);
        assert.match(err.message, message);
        return true;
      },
    );
    assert.equal(progressed, false, JSON.stringify(options));
  }
});

Deno.test("runFabricBench() accepts the edges of each range", async () => {
  const r = await runFabricBench({
    lanes: ["uds"],
    sizes: [1, 1 << 20],
    seconds: 0.05,
    spinNs: 0,
    pin: "none",
  });
  assert.deepEqual(r.rows.map((x) => `${x.lane}/${x.size}`), ["uds/1", "uds/1048576"]);
  assert.deepEqual(r.options.pinned, []);
  for (const row of r.rows) {
    assert.equal(row.p50SpeedupVsUds, 1);
    assert.equal(row.throughput.bytes, row.throughput.frames * row.size);
  }
});

Deno.test("runFabricBenchPeer() refuses a spec that is not JSON with a UsageError", async () => {
  await assert.rejects(runFabricBenchPeer("{nope"), UsageError);
});
