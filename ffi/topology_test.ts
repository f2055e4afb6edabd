import assert from "node:assert/strict";
import { machineFingerprint, pinThread, probeTopology, threadAffinity } from "./topology.ts";
import { nativeStatus } from "./load.ts";
import { parseCpuList } from "./_sysfs.ts";

const available = nativeStatus().available;

Deno.test("parseCpuList() expands ranges and ignores garbage", () => {
  assert.deepEqual(parseCpuList("0-3,8,10-11\n"), [0, 1, 2, 3, 8, 10, 11]);
  assert.deepEqual(parseCpuList("5-2,x,"), []);
});

Deno.test("probeTopology() finds at least one node holding CPUs", () => {
  const t = probeTopology();
  assert.equal(t.source, available ? "native" : "sysfs");
  assert.ok(t.nodes.length >= 1);
  assert.ok(t.nodes.some((n) => n.cpus.length > 0));
});

Deno.test({
  name: "probeTopology() native and portable probes agree",
  ignore: !available,
  fn() {
    assert.deepEqual(probeTopology().nodes, probeTopology({ portable: true }).nodes);
  },
});

Deno.test({
  name: "machineFingerprint() native and portable give the same id",
  ignore: !available,
  fn() {
    assert.deepEqual(machineFingerprint(), machineFingerprint({ portable: true }));
  },
});

Deno.test("machineFingerprint() id is the FNV-1a hash of its key", () => {
  const f = machineFingerprint({ portable: true });
  assert.match(f.id, /^[0-9a-f]{16}$/);
  assert.equal(f.key, `${f.cpu_model}|${f.logical_cpus}|${f.layout}`);
});

Deno.test("pinThread() validates its CPU list before touching the OS", () => {
  assert.throws(() => pinThread([]), TypeError);
  assert.throws(() => pinThread([5000]), RangeError);
});

Deno.test({
  name: "pinThread() narrows threadAffinity() and can restore it",
  ignore: !available,
  fn() {
    const before = threadAffinity();
    try {
      pinThread([before[0]]);
      assert.deepEqual(threadAffinity(), [before[0]]);
    } finally {
      pinThread(before);
    }
    assert.deepEqual(threadAffinity(), before);
  },
});
