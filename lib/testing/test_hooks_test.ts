import assert from "node:assert/strict";
import { IoError, UsageError } from "../core/mod.ts";
import { parseHitSpec, testHooks } from "./test_hooks.ts";

Deno.test("parseHitSpec() reads <point>[:<n>] where the point has colons of its own", () => {
  assert.deepEqual(parseHitSpec("wal:commit:fsync"), { point: "wal:commit:fsync", n: 1 });
  assert.deepEqual(parseHitSpec("wal:commit:fsync:3"), { point: "wal:commit:fsync", n: 3 });
  assert.deepEqual(parseHitSpec("state:write:1"), { point: "state:write", n: 1 });
  assert.throws(() => parseHitSpec("state:write:0"), UsageError);
});

Deno.test("testHooks() fails only the n-th fsync of the named label and traces every point", async () => {
  const trace = await Deno.makeTempFile();
  try {
    const hooks = testHooks({ failSync: "wal:end:fsync:2", traceFile: trace });
    hooks.beforeSync("wal:commit:fsync");
    hooks.beforeSync("wal:end:fsync");
    assert.throws(() => hooks.beforeSync("wal:end:fsync"), IoError);
    hooks.beforeSync("wal:end:fsync");
    hooks.crashPoint("state:write");
    hooks.crashPoint("state:fsync");
    assert.equal(await Deno.readTextFile(trace), "state:write\nstate:fsync\n");
  } finally {
    await Deno.remove(trace);
  }
});
