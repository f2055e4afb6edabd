import assert from "node:assert/strict";
import { connectTcp, listenTcp } from "../lib/fabric/mod.ts";
import { laneSuite } from "./_fabric_suite.ts";

laneSuite("tcp", false);

Deno.test("tcp lane refuses any address but 127.0.0.1 with RangeError", async () => {
  for (const hostname of ["0.0.0.0", "10.0.0.1", "localhost", "::1", "127.0.0.2"]) {
    assert.throws(() => listenTcp({ port: 0, hostname }), RangeError);
    await assert.rejects(connectTcp({ port: 1, hostname }), RangeError);
  }
});
