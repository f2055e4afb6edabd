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

Deno.test("plans/LATEST naming a file outside plans/ is refused with 65 naming LATEST", async () => {
  await using dir = await tempDir();
  await copySample(dir.path);
  assert.equal((await rtt(["init", dir.path])).code, 0);
  await Deno.mkdir(`${dir.path}/plans`, { recursive: true });
  for (const name of ["../../x.plan.json", "..", "plans/../../x.plan.json", "/etc/passwd"]) {
    await Deno.writeTextFile(`${dir.path}/plans/LATEST`, name + "\n");
    const r = await rtt(["-w", dir.path, "apply"]);
    assert.equal(r.code, 65, `${name}: ${r.stderr}`);
    assert.match(r.stderr, /plans\/LATEST": expected the file name of a plan in plans\//);
  }
});

Deno.test("an escape sequence in a manifest's file name is printed escaped, never raw", async () => {
  await using dir = await tempDir();
  const name = "evil\x1b]0;owned\x07\x1b[2J.json";
  await Deno.mkdir(`${dir.path}/.rtt/manifests`, { recursive: true });
  await Deno.writeTextFile(`${dir.path}/.rtt/manifests/${name}`, "{ not json");
  const r = await rtt(["-w", dir.path, "scan"]);
  assert.equal(r.code, 65, r.stderr);
  assert.ok(!r.stderr.includes("\x1b") && !r.stderr.includes("\x07"), JSON.stringify(r.stderr));
  assert.match(r.stderr, /evil\\u001b\]0;owned\\u0007\\u001b\[2J\.json/);
});

Deno.test("a workspace reached through a symlinked path scans like the real one", async () => {
  await using dir = await tempDir();
  const real = `${dir.path}/ws`;
  await Deno.mkdir(real);
  await copySample(real);
  await Deno.symlink(real, `${dir.path}/wslink`);
  const viaLink = await rtt(["--json", "-w", `${dir.path}/wslink`, "scan"]);
  assert.equal(viaLink.code, 0, viaLink.stderr);
  assert.equal(JSON.parse(viaLink.stdout).symbols, 9);
});
