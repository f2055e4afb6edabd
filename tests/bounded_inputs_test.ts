/**
 * Inputs that are not regular files, or are too large, are refused with 65
 * naming the file, before anything is read: `/dev/zero` used to be read
 * without end, a FIFO blocked forever, and a few MB of YAML exhausted the heap.
 */
import assert from "node:assert/strict";
import { copySample, rtt, tempDir } from "./_helpers.ts";

Deno.test("devices and FIFOs given as plan, manifest or key files are refused with 65", async () => {
  await using dir = await tempDir();
  await copySample(dir.path);
  assert.equal((await rtt(["init", dir.path])).code, 0);
  const fifo = `${dir.path}/fifo`;
  assert.ok((await new Deno.Command("mkfifo", { args: [fifo] }).output()).success);
  const w = ["-w", dir.path];
  for (const path of ["/dev/zero", fifo]) {
    for (
      const args of [
        ["plan", "verify", path],
        ["apply", path],
        ["registry", "ingest", "--sign", path],
        ["keys", "trust", path, "--role", "manifests"],
      ]
    ) {
      const r = await rtt([...w, ...args]);
      assert.equal(r.code, 65, `${args.join(" ")}: ${r.stderr}`);
      assert.match(r.stderr, /not a regular file/);
    }
  }
});

Deno.test("a panel.yaml above the YAML size limit is refused with 65, quickly", async () => {
  await using dir = await tempDir();
  await copySample(dir.path);
  await Deno.writeTextFile(
    `${dir.path}/.rtt/panel.yaml`,
    `scan: {roots: [${Array.from({ length: 60_000 }, (_, i) => `r${i}`).join(", ")}]}\n`,
  );
  const r = await rtt(["-w", dir.path, "scan"]);
  assert.equal(r.code, 65, r.stderr);
  assert.match(r.stderr, /panel\.yaml": \d+ bytes is more than the 262144-byte limit/);
});
