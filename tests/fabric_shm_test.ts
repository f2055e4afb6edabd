import assert from "node:assert/strict";
import { SHM_PREFIX, shmAvailability, sweepStaleRings } from "../lib/fabric/mod.ts";
import { assertIntact, laneSuite, streamToPeer } from "./_fabric_suite.ts";
import { Peer, until } from "./_fabric_harness.ts";

const shm = shmAvailability();
const ignore = !shm.available;
if (ignore) console.log(`shm cross-process tests skipped: ${shm.reason}`);

laneSuite("shm", ignore);

Deno.test({
  name: "shm lane wraps a 256 KiB ring hundreds of times without loss across processes",
  ignore,
  async fn() {
    const count = 100_000;
    const done = await streamToPeer("shm", count, { capacity: 256 * 1024 });
    assertIntact(done, count);
    // ~27 MB through a 256 KiB ring: it wrapped over a hundred times.
    assert.ok(done.counters.bytesReceived > 100 * 256 * 1024);
  },
});

function ringsOf(name: string): string[] {
  return [`/dev/shm/${SHM_PREFIX}${name}.c2a`, `/dev/shm/${SHM_PREFIX}${name}.a2c`];
}

// Deno refuses stat under /dev without --allow-all, so ask test(1).
function exists(path: string): boolean {
  return new Deno.Command("test", { args: ["-e", path] }).outputSync().success;
}

Deno.test({
  name: "sweepStaleRings() removes the rings of a process that died without closing",
  ignore,
  async fn() {
    const name = `stale-${Deno.pid}-${crypto.randomUUID().slice(0, 8)}`;
    const peer = new Peer({
      mode: "create_and_die",
      endpoint: { kind: "shm", name, role: "create" },
    });
    await until(peer, "ready");
    assert.ok(ringsOf(name).every(exists), "the peer created both rings");
    peer.kill();
    await peer.child.status;
    assert.ok(ringsOf(name).every(exists), "a killed process leaves its rings behind");
    assert.ok(sweepStaleRings() >= 2);
    assert.ok(!ringsOf(name).some(exists), "both stale rings were removed");
  },
});

Deno.test("without the native library the shm lane reports why and the other lanes work", async () => {
  const lanesTest = new URL("../lib/fabric/lane/lanes_test.ts", import.meta.url).pathname;
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "test",
      "--config",
      new URL("../deno.json", import.meta.url).pathname,
      "-P=rtt",
      "--no-check",
      lanesTest,
    ],
    env: { RTT_FFI_DISABLE: "1", NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  assert.equal(out.code, 0, text);
  assert.match(text, /shm lane tests skipped: shm lane unavailable: .*RTT_FFI_DISABLE=1/s);
  assert.match(text, /uds lane send\(\) and receive\(\) deliver frames in order .* ok/);
  assert.match(text, /tcp lane buffer policy .* ok/);
  assert.match(text, /shm lane send\(\) and receive\(\) .* ignored/);
});
