import assert from "node:assert/strict";
import { openBundle } from "../lib/registry/mod.ts";
import { copySample, holdWorkspaceLock, rtt, rttJson, snapshotTree, tempDir } from "./_helpers.ts";

interface Entry {
  saddr: string;
  version: string;
  hash: string;
}

async function sampleWorkspace(path: string): Promise<void> {
  await copySample(path);
  const init = await rtt(["-w", path, "init"]);
  assert.equal(init.code, 0, init.stderr);
}

Deno.test("registry ingest refuses unsigned input in strict mode, stores it once with --sign", async () => {
  await using dir = await tempDir();
  const w = ["-w", dir.path];
  await sampleWorkspace(dir.path);
  const before = await snapshotTree(`${dir.path}/.rtt/registry`);
  const refused = await rtt([...w, "registry", "ingest"]);
  assert.equal(refused.code, 77);
  assert.match(
    refused.stderr,
    /Cannot ingest: "\.rtt\/manifests\/core\.api\.metrics\.json" \(rtt:\/\/core\/api\/metrics@1\.4\.0\) is unsigned and strict_manifests is on.*\(and 8 more refused input\(s\)\); nothing was written/,
  );
  assert.deepEqual(await snapshotTree(`${dir.path}/.rtt/registry`), before);

  const ok = await rttJson<{ added: Array<Entry & { signers: string[] }> }>([
    ...w,
    "registry",
    "ingest",
    "--sign",
  ]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(ok.json.added.length, 9);
  assert.ok(ok.json.added.every((a) => a.signers.length === 1 && a.hash.startsWith("sha256:")));
  const stored = await snapshotTree(`${dir.path}/.rtt/registry`);

  const again = await rttJson<{ added: unknown[]; unchanged: number; index_written: boolean }>([
    ...w,
    "registry",
    "ingest",
    "--sign",
  ]);
  assert.equal(again.code, 0);
  assert.deepEqual([again.json.added.length, again.json.unchanged, again.json.index_written], [
    0,
    9,
    false,
  ]);
  assert.deepEqual(await snapshotTree(`${dir.path}/.rtt/registry`), stored);

  const verify = await rttJson<{ ok: boolean; objects: number; signatures: number }>([
    ...w,
    "registry",
    "verify",
  ]);
  assert.equal(verify.code, 0, verify.stderr);
  assert.deepEqual([verify.json.ok, verify.json.objects, verify.json.signatures], [true, 9, 9]);

  const ls = await rttJson<{ entries: Entry[] }>([...w, "registry", "ls"]);
  const metrics = ls.json.entries.find((e) => e.saddr === "rtt://core/api/metrics")!;
  assert.equal(metrics.version, "1.4.0");
  const cat = await rttJson<{ hash: string; manifest: { saddr: string } }>([
    ...w,
    "registry",
    "cat",
    "rtt://core/api/metrics@1.4.0",
  ]);
  assert.equal(cat.code, 0);
  assert.equal(cat.json.hash, metrics.hash);
  const byHash = await rttJson<{ manifest: { saddr: string } }>([
    ...w,
    "registry",
    "cat",
    metrics.hash,
  ]);
  assert.equal(byHash.json.manifest.saddr, "rtt://core/api/metrics");
  const missing = await rtt([...w, "registry", "cat", "rtt://core/api/metrics@9.9.9"]);
  assert.equal(missing.code, 66);
});

Deno.test("security.allow_unsigned admits listed saddrs without a signature, and only those", async () => {
  await using dir = await tempDir();
  const w = ["-w", dir.path];
  await sampleWorkspace(dir.path);
  const panel = await Deno.readTextFile(`${dir.path}/.rtt/panel.yaml`);
  await Deno.writeTextFile(
    `${dir.path}/.rtt/panel.yaml`,
    panel.replace("allow_unsigned: []", 'allow_unsigned: ["rtt://core/**"]'),
  );
  const core = await rttJson<{ added: Array<{ signers: string[] }> }>([
    ...w,
    "registry",
    "ingest",
    `${dir.path}/.rtt/manifests/core.api.metrics.json`,
    `${dir.path}/.rtt/manifests/core.bus.events.json`,
  ]);
  assert.equal(core.code, 0, core.stderr);
  assert.deepEqual(core.json.added.map((a) => a.signers), [[], []]);
  const idp = await rtt([
    ...w,
    "registry",
    "ingest",
    `${dir.path}/.rtt/manifests/idp.api.auth.json`,
  ]);
  assert.equal(idp.code, 77);
  assert.match(idp.stderr, /idp\.api\.auth\.json.*is unsigned/);
  assert.equal((await rtt([...w, "registry", "verify"])).code, 0);
});

Deno.test("export, then import into a fresh workspace with only the exporter's public key", async () => {
  await using a = await tempDir();
  await using b = await tempDir();
  await sampleWorkspace(a.path);
  assert.equal((await rtt(["-w", a.path, "registry", "ingest", "--sign"])).code, 0);
  const bundle = `${a.path}/out.rttb`;
  const exp = await rttJson<{ objects: number }>(["-w", a.path, "registry", "export", bundle]);
  assert.equal(exp.code, 0, exp.stderr);
  assert.equal(exp.json.objects, 9);

  // The private key never leaves .rtt/keys: no bundle entry holds its seed.
  const seed = JSON.parse(await Deno.readTextFile(`${a.path}/.rtt/keys/default.key.json`)).seed;
  const opened = await openBundle(await Deno.readFile(bundle), "out.rttb");
  assert.deepEqual([...opened.files.keys()].sort(), [
    "registry/index.json",
    "registry/pack/agents.pack",
    "registry/pack/index.lut",
    "registry/trust/root.1.json",
  ]);
  for (const bytes of opened.files.values()) {
    assert.ok(!new TextDecoder().decode(bytes).includes(seed));
  }

  assert.equal((await rtt(["init", b.path])).code, 0);
  const pub = `${a.path}/.rtt/keys/default.pub.json`;
  // Without the exporter's key the bundle's signer is unknown here.
  const untrusted = await rtt(["-w", b.path, "registry", "import", bundle]);
  assert.equal(untrusted.code, 77);
  assert.match(untrusted.stderr, /signed by unknown key ed25519:/);
  const imp = await rttJson<{ added: number; trusted: string }>([
    "-w",
    b.path,
    "registry",
    "import",
    bundle,
    "--trust-key",
    pub,
  ]);
  assert.equal(imp.code, 0, imp.stderr);
  assert.equal(imp.json.added, 9);
  assert.match(imp.json.trusted, /^ed25519:/);
  assert.equal((await rtt(["-w", b.path, "registry", "verify"])).code, 0);
  const lsA = await rttJson<{ entries: Entry[] }>(["-w", a.path, "registry", "ls"]);
  const lsB = await rttJson<{ entries: Entry[] }>(["-w", b.path, "registry", "ls"]);
  assert.deepEqual(lsB.json.entries, lsA.json.entries);

  const snap = await snapshotTree(`${b.path}/.rtt`);
  const twice = await rttJson<{ added: number; entriesAdded: number }>([
    "-w",
    b.path,
    "registry",
    "import",
    bundle,
    "--trust-key",
    pub,
  ]);
  assert.equal(twice.code, 0);
  assert.deepEqual([twice.json.added, twice.json.entriesAdded], [0, 0]);
  assert.deepEqual(await snapshotTree(`${b.path}/.rtt`), snap);
});

Deno.test("keys gen, trust, list, untrust, rotate and renew each write the next trust root", async () => {
  await using dir = await tempDir();
  const w = ["-w", dir.path];
  await sampleWorkspace(dir.path);
  assert.equal((await rtt([...w, "registry", "ingest", "--sign"])).code, 0);
  const gen = await rttJson<{ key_id: string; public_key_file: string }>([
    ...w,
    "keys",
    "gen",
    "--name",
    "ci",
  ]);
  assert.equal(gen.code, 0);
  const trust = await rttJson<{ version: number; roles: string[] }>([
    ...w,
    "keys",
    "trust",
    `${dir.path}/${gen.json.public_key_file}`,
    "--role",
    "manifests,plans",
  ]);
  assert.deepEqual([trust.code, trust.json.version, trust.json.roles], [0, 2, [
    "manifests",
    "plans",
  ]]);
  const list = await rttJson<{ version: number; keys: Array<{ key_id: string; local?: string }> }>(
    [...w, "keys", "list"],
  );
  assert.equal(list.json.version, 2);
  assert.deepEqual(list.json.keys.map((k) => k.local).sort(), ["ci", "default"]);
  const badRole = await rtt([
    ...w,
    "keys",
    "trust",
    `${dir.path}/${gen.json.public_key_file}`,
    "--role",
    "admin",
  ]);
  assert.equal(badRole.code, 64);
  const untrust = await rttJson<{ version: number; roles: string[] }>([
    ...w,
    "keys",
    "untrust",
    gen.json.key_id,
  ]);
  assert.deepEqual([untrust.code, untrust.json.version, untrust.json.roles], [0, 3, []]);

  const rotate = await rttJson<{ old_key_id: string; new_key_id: string; version: number }>([
    ...w,
    "keys",
    "rotate",
  ]);
  assert.equal(rotate.code, 0, rotate.stderr);
  assert.equal(rotate.json.version, 4);
  assert.notEqual(rotate.json.new_key_id, rotate.json.old_key_id);
  // Objects signed by the old key still verify: it kept its manifests role, lost root.
  assert.equal((await rtt([...w, "registry", "verify"])).code, 0);
  const after = await rttJson<{ keys: Array<{ key_id: string; roles: string[] }> }>([
    ...w,
    "keys",
    "list",
  ]);
  const old = after.json.keys.find((k) => k.key_id === rotate.json.old_key_id)!;
  assert.deepEqual(old.roles, ["manifests", "plans"]);
  const renew = await rttJson<{ version: number }>([...w, "keys", "renew"]);
  assert.deepEqual([renew.code, renew.json.version], [0, 5]);
});

Deno.test("registry gc keeps what the index or a plan refers to and removes the rest", async () => {
  await using dir = await tempDir();
  const w = ["-w", dir.path];
  await sampleWorkspace(dir.path);
  const ing = await rttJson<{ added: Entry[] }>([...w, "registry", "ingest", "--sign"]);
  const [planned, orphan] = ing.json.added;
  const indexPath = `${dir.path}/.rtt/registry/index.json`;
  const index = JSON.parse(await Deno.readTextFile(indexPath));
  delete index.symbols[planned.saddr];
  delete index.symbols[orphan.saddr];
  await Deno.writeTextFile(indexPath, JSON.stringify(index));
  await Deno.mkdir(`${dir.path}/plans`, { recursive: true });
  await Deno.writeTextFile(
    `${dir.path}/plans/p.plan.json`,
    JSON.stringify({ symbols: { [planned.saddr]: { hash: planned.hash } } }),
  );
  const dry = await rttJson<{ removed: string[]; kept: number }>([
    ...w,
    "registry",
    "gc",
    "--dry-run",
  ]);
  assert.deepEqual([dry.json.removed, dry.json.kept], [[orphan.hash], 8]);
  assert.ok(await Deno.stat(`${dir.path}/.rtt/registry/cas/sha256/${orphan.hash.slice(7)}.json`));
  const gc = await rttJson<{ removed: string[] }>([...w, "registry", "gc"]);
  assert.deepEqual(gc.json.removed, [orphan.hash]);
  await assert.rejects(
    () => Deno.stat(`${dir.path}/.rtt/registry/cas/sha256/${orphan.hash.slice(7)}.json`),
    Deno.errors.NotFound,
  );
  assert.equal((await rtt([...w, "registry", "verify"])).code, 0);
});

Deno.test("with threshold 2 a trust change signed by one root key is refused (exit 77)", async () => {
  await using dir = await tempDir();
  const w = ["-w", dir.path];
  await sampleWorkspace(dir.path);
  assert.equal((await rtt([...w, "keys", "gen", "--name", "second"])).code, 0);
  const pub = `${dir.path}/.rtt/keys/second.pub.json`;
  assert.equal((await rtt([...w, "keys", "trust", pub, "--role", "root"])).code, 0);
  const two = ["--sign-with", "default", "--sign-with", "second"];
  const alone = await rtt([...w, "keys", "threshold", "2"]);
  assert.equal(alone.code, 77);
  assert.match(alone.stderr, /has 1 valid root signature\(s\) of its own keys; threshold is 2/);
  const set = await rttJson<{ version: number; threshold: number }>([
    ...w,
    "keys",
    "threshold",
    "2",
    ...two,
  ]);
  assert.deepEqual([set.code, set.json.version, set.json.threshold], [0, 3, 2]);
  const renew = await rtt([...w, "keys", "renew"]);
  assert.equal(renew.code, 77);
  assert.match(renew.stderr, /v4 has 1 valid root signature\(s\) of its own keys; threshold is 2/);
  assert.equal((await rtt([...w, "keys", "renew", ...two])).code, 0);
  assert.equal((await rtt([...w, "keys", "threshold", "3", ...two])).code, 77);
});

Deno.test("import --trust-key that the receiver's root threshold refuses writes nothing", async () => {
  await using a = await tempDir();
  await using b = await tempDir();
  await sampleWorkspace(a.path);
  assert.equal((await rtt(["-w", a.path, "registry", "ingest", "--sign"])).code, 0);
  const bundle = `${a.path}/out.rttb`;
  assert.equal((await rtt(["-w", a.path, "registry", "export", bundle])).code, 0);

  const w = ["-w", b.path];
  assert.equal((await rtt(["init", b.path])).code, 0);
  assert.equal((await rtt([...w, "keys", "gen", "--name", "second"])).code, 0);
  const second = `${b.path}/.rtt/keys/second.pub.json`;
  assert.equal((await rtt([...w, "keys", "trust", second, "--role", "root"])).code, 0);
  const two = ["--sign-with", "default", "--sign-with", "second"];
  assert.equal((await rtt([...w, "keys", "threshold", "2", ...two])).code, 0);
  const before = await snapshotTree(`${b.path}/.rtt/registry`);
  const r = await rtt([
    ...w,
    "registry",
    "import",
    bundle,
    "--trust-key",
    `${a.path}/.rtt/keys/default.pub.json`,
  ]);
  assert.equal(r.code, 77, r.stderr);
  assert.match(r.stderr, /threshold is 2/);
  assert.deepEqual(await snapshotTree(`${b.path}/.rtt/registry`), before);
});

Deno.test("registry and trust writes wait a bounded time for a live lock holder, then exit 74", async () => {
  await using dir = await tempDir();
  await sampleWorkspace(dir.path);
  await using _holder = await holdWorkspaceLock(dir.path, "apply");
  const before = await snapshotTree(`${dir.path}/.rtt/registry`);
  for (const args of [["registry", "ingest", "--sign"], ["registry", "gc"], ["keys", "renew"]]) {
    const r = await rtt(["-w", dir.path, ...args]);
    assert.equal(r.code, 74, `${args.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, /locked by a running rtt-deno apply/);
  }
  assert.deepEqual(await snapshotTree(`${dir.path}/.rtt/registry`), before);
});
