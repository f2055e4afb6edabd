import assert from "node:assert/strict";
import { workspaceAt } from "../core/mod.ts";
import { manifest, tempDir, writeTree } from "../testing/mod.ts";
import { diagnose } from "./doctor.ts";

Deno.test("diagnose() stops at invalid input and otherwise returns the doctor's exit code", async () => {
  await using bad = await tempDir();
  await writeTree(bad.path, { ".rtt/manifests/bad.json": "{" });
  const invalid = await diagnose(workspaceAt(bad.path));
  assert.deepEqual([invalid.kind, invalid.ok], ["invalid-input", false]);

  await using missing = await tempDir();
  await writeTree(missing.path, {
    ".rtt/manifests/x.json": manifest("rtt://a/api/x", "1.0.0", {
      requires: [{ saddr: "rtt://a/api/none", version: "*" }],
    }),
  });
  const r = await diagnose(workspaceAt(missing.path));
  assert.equal(r.kind, "diagnosed");
  if (r.kind !== "diagnosed") return;
  assert.deepEqual([r.ok, r.exitCode, r.symbols, r.errors], [false, 1, 1, 1]);
  assert.equal(r.findings[0].kind, "missing");
});
