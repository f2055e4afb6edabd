import assert from "node:assert/strict";
import { copySample, manifest, rtt, rttJson, tempDir, writeTree } from "./_helpers.ts";

Deno.test("rtt-deno init is idempotent and never overwrites", async () => {
  await using dir = await tempDir();
  const first = await rttJson<{ createdFiles: string[]; createdKey: boolean; keyId: string }>([
    "init",
    dir.path,
  ]);
  assert.equal(first.code, 0);
  assert.deepEqual(first.json.createdFiles.sort(), [
    ".rtt/panel.yaml",
    ".rtt/policy.json",
    ".rtt/routes.json",
  ]);
  assert.equal(first.json.createdKey, true);
  await Deno.writeTextFile(`${dir.path}/.rtt/routes.json`, '{"routes": []}\n');
  const before = await Deno.readTextFile(`${dir.path}/.rtt/routes.json`);
  const second = await rttJson<
    { createdFiles: string[]; createdDirs: string[]; createdKey: boolean; keyId: string }
  >(["init", dir.path]);
  assert.equal(second.code, 0);
  assert.deepEqual(second.json.createdFiles, []);
  assert.deepEqual(second.json.createdDirs, []);
  assert.equal(second.json.createdKey, false);
  assert.equal(second.json.keyId, first.json.keyId);
  assert.equal(await Deno.readTextFile(`${dir.path}/.rtt/routes.json`), before);
  assert.equal((await Deno.stat(`${dir.path}/.rtt/keys/default.key.json`)).mode! & 0o777, 0o600);
});

Deno.test("rtt-deno scan and doctor pass on the sample workspace with --json", async () => {
  await using dir = await tempDir();
  await copySample(dir.path);
  const scan = await rttJson<{ manifests: number; invalid: unknown[]; providers: string[] }>([
    "-w",
    dir.path,
    "scan",
  ]);
  assert.equal(scan.code, 0, scan.stderr);
  assert.equal(scan.json.manifests, 9);
  assert.deepEqual(scan.json.providers, ["providers/providers.yaml"]);
  const doctor = await rttJson<{ ok: boolean; findings: unknown[] }>(["-w", dir.path, "doctor"]);
  assert.equal(doctor.code, 0, JSON.stringify(doctor.json));
  assert.equal(doctor.json.ok, true);
});

Deno.test("rtt-deno scan exits 65 naming file, line, column and pointer of a bad manifest", async () => {
  await using dir = await tempDir();
  await writeTree(dir.path, {
    ".rtt/manifests/ok.json": manifest("rtt://core/api/ok"),
    ".rtt/manifests/bad.json":
      '{\n  "saddr": "rtt://core/api/bad",\n  "kind": "api",\n  "version": 2\n}',
  });
  const r = await rtt(["-w", dir.path, "scan"]);
  assert.equal(r.code, 65);
  assert.match(r.stderr, /Invalid "\.rtt\/manifests\/bad\.json:4:3" at \/version: expected string/);
});

Deno.test("rtt-deno scan exits 65 on a collision and notes a duplicate", async () => {
  await using dir = await tempDir();
  await writeTree(dir.path, {
    ".rtt/manifests/a.json": manifest("rtt://core/api/a"),
    ".rtt/manifests/a2.json": manifest("rtt://core/api/a"),
    ".rtt/manifests/b.json": manifest("rtt://core/api/b", "1.0.0", { description: "x" }),
    ".rtt/manifests/b2.json": manifest("rtt://core/api/b", "1.0.0", { description: "y" }),
  });
  const r = await rtt(["-w", dir.path, "scan"]);
  assert.equal(r.code, 65);
  assert.match(r.stdout, /duplicate: rtt:\/\/core\/api\/a@1\.0\.0/);
  assert.match(r.stderr, /collision: rtt:\/\/core\/api\/b@1\.0\.0/);
});

Deno.test("rtt-deno doctor exits 1, 2 and 3 for missing, conflict and cycle", async () => {
  const cases: Array<[number, Record<string, unknown>]> = [
    [1, {
      ".rtt/manifests/x.json": manifest("rtt://a/api/x", "1.0.0", {
        requires: [{ saddr: "rtt://a/api/none", version: "*" }],
      }),
    }],
    [2, {
      ".rtt/manifests/x.json": manifest("rtt://a/api/x", "1.0.0", {
        requires: [{ saddr: "rtt://a/api/y", version: "^2.0.0" }],
      }),
      ".rtt/manifests/y.json": manifest("rtt://a/api/y", "1.0.0"),
    }],
    [3, {
      ".rtt/manifests/x.json": manifest("rtt://a/api/x", "1.0.0", {
        requires: [{ saddr: "rtt://a/api/y", version: "*" }],
      }),
      ".rtt/manifests/y.json": manifest("rtt://a/api/y", "1.0.0", {
        requires: [{ saddr: "rtt://a/api/x", version: "*" }],
      }),
    }],
  ];
  for (const [code, files] of cases) {
    await using dir = await tempDir();
    await writeTree(dir.path, files);
    const r = await rtt(["-w", dir.path, "doctor"]);
    assert.equal(r.code, code, r.stdout + r.stderr);
    if (code === 3) {
      assert.match(r.stdout, /rtt:\/\/a\/api\/x -> rtt:\/\/a\/api\/y -> rtt:\/\/a\/api\/x/);
    }
  }
});

Deno.test("rtt-deno rejects unknown commands and options with exit 64 and a suggestion", async () => {
  const cmd = await rtt(["sacn"]);
  assert.equal(cmd.code, 64);
  assert.match(cmd.stderr, /unknown command 'sacn'.*Did you mean scan\?/);
  const opt = await rtt(["scan", "--jsno"]);
  assert.equal(opt.code, 64);
  assert.match(opt.stderr, /unknown option '--jsno'.*--json/);
  assert.equal((await rtt([])).code, 64);
});

Deno.test("rtt-deno --version and --help exit 0", async () => {
  const v = await rtt(["--version"]);
  assert.equal(v.code, 0);
  assert.match(v.stdout, /^\d+\.\d+\.\d+\n$/);
  const h = await rtt(["scan", "--help"]);
  assert.equal(h.code, 0);
  assert.match(h.stdout, /--no-cache/);
});

Deno.test("a malformed panel.yaml stops every command with exit 65 and --json error", async () => {
  await using dir = await tempDir();
  await writeTree(dir.path, {
    ".rtt/panel.yaml":
      "api:\n  listen:\n    unix: ./.rtt/sockets/p.sock\nscan: {roots: [], ignore: []}\nrouting: {prefer: [udp]}\nsecurity: {strict_manifests: true}\nhealth: {heartbeat_ms: 100, trip_threshold: {errors: 1, window_ms: 1000}}\n",
  });
  const r = await rttJson<
    { error: { exit_code: number; problems: Array<{ pointer: string; line: number }> } }
  >(["-w", dir.path, "scan"]);
  assert.equal(r.code, 65);
  assert.equal(r.json.error.problems[0].pointer, "/routing/prefer/0");
  assert.equal(r.json.error.problems[0].line, 5);
  assert.match(r.stderr, /\.rtt\/panel\.yaml:5:\d+/);
});
