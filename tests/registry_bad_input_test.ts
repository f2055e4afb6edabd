/**
 * The bad-input list, each through the real CLI: refused with a
 * precise message and exit 77 (or 65 for malformed input), and nothing
 * already stored is modified.
 */
import assert from "node:assert/strict";
import { zipSync } from "fflate";
import {
  canonicalBytes,
  generateKeyPair,
  sha256Hex,
  signPayload,
  workspaceAt,
} from "../lib/core/mod.ts";
import { manifestBody } from "../lib/symbols/mod.ts";
import { createTrustRoot, generateKey, loadKey } from "../lib/security/mod.ts";
import { encodeObject, frameBundle } from "../lib/registry/mod.ts";
import { copySample, manifest, rtt, snapshotTree, tempDir, writeTree } from "./_helpers.ts";

async function ingested(path: string): Promise<void> {
  await copySample(path);
  assert.equal((await rtt(["-w", path, "init"])).code, 0);
  const r = await rtt(["-w", path, "registry", "ingest", "--sign"]);
  assert.equal(r.code, 0, r.stderr);
}

async function casFiles(path: string): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(`${path}/.rtt/registry/cas/sha256`)) out.push(e.name);
  return out.sort();
}

Deno.test("a tampered object (one byte flipped) fails verify and cat with exit 77, naming it", async () => {
  await using dir = await tempDir();
  await ingested(dir.path);
  const name = (await casFiles(dir.path))[0];
  const file = `${dir.path}/.rtt/registry/cas/sha256/${name}`;
  const bytes = await Deno.readFile(file);
  const at = new TextDecoder().decode(bytes).indexOf('"version":"') + 11;
  bytes[at] ^= 0x01; // "1.4.0" -> "0.4.0": still valid JSON, different content
  await Deno.writeFile(file, bytes);
  const snap = await snapshotTree(`${dir.path}/.rtt`);
  const v = await rtt(["-w", dir.path, "registry", "verify"]);
  assert.equal(v.code, 77);
  assert.match(
    v.stderr,
    new RegExp(
      `object "\\.rtt/registry/cas/sha256/${name}" is corrupt: its manifest hashes to sha256:`,
    ),
  );
  const cat = await rtt(["-w", dir.path, "registry", "cat", `sha256:${name.slice(0, 64)}`]);
  assert.equal(cat.code, 77);
  assert.deepEqual(await snapshotTree(`${dir.path}/.rtt`), snap);
});

Deno.test("a manifest signed by an untrusted key is refused naming the file and the signer", async () => {
  await using dir = await tempDir();
  await ingested(dir.path);
  const stranger = await generateKeyPair();
  const m = manifest("rtt://ext/tool/grep", "1.0.0");
  await writeTree(dir.path, {
    "ext/grep.tool.json": {
      ...m,
      sign: await signPayload(stranger, "manifest", manifestBody(m as never)),
    },
  });
  const snap = await snapshotTree(`${dir.path}/.rtt/registry`);
  const r = await rtt(["-w", dir.path, "registry", "ingest", `${dir.path}/ext/grep.tool.json`]);
  assert.equal(r.code, 77);
  assert.match(
    r.stderr,
    new RegExp(
      `"ext/grep\\.tool\\.json" \\(rtt://ext/tool/grep@1\\.0\\.0\\) is signed by unknown key ${stranger.keyId}`,
    ),
  );
  // A trusted key's signature that does not match the content is refused even when the owner vouches.
  const owner = await loadKey(workspaceAt(dir.path));
  const forged = {
    ...m,
    description: "changed",
    sign: await signPayload(owner, "manifest", manifestBody(m as never)),
  };
  await writeTree(dir.path, { "ext/grep.tool.json": forged });
  const f = await rtt([
    "-w",
    dir.path,
    "registry",
    "ingest",
    "--sign",
    `${dir.path}/ext/grep.tool.json`,
  ]);
  assert.equal(f.code, 77);
  assert.match(f.stderr, new RegExp(`has an invalid signature by ${owner.keyId}`));
  assert.deepEqual(await snapshotTree(`${dir.path}/.rtt/registry`), snap);
});

Deno.test("an unsigned object in the CAS fails verify in strict mode", async () => {
  await using dir = await tempDir();
  await ingested(dir.path);
  const m = manifest("rtt://ext/tool/sed", "1.0.0");
  const bytes = encodeObject({ manifest: m as never, signatures: [] });
  const hex = await sha256Hex(canonicalBytes(m));
  await Deno.writeFile(`${dir.path}/.rtt/registry/cas/sha256/${hex}.json`, bytes);
  const v = await rtt(["-w", dir.path, "registry", "verify"]);
  assert.equal(v.code, 77);
  assert.match(
    v.stderr,
    /\(rtt:\/\/ext\/tool\/sed@1\.0\.0\) is unsigned and strict_manifests is on/,
  );
});

Deno.test("a truncated pack and a LUT with unsorted names are named by verify (exit 77)", async () => {
  await using dir = await tempDir();
  await ingested(dir.path);
  assert.equal((await rtt(["-w", dir.path, "registry", "pack"])).code, 0);
  const packFile = `${dir.path}/.rtt/registry/pack/agents.pack`;
  const lutFile = `${dir.path}/.rtt/registry/pack/index.lut`;
  const pack = await Deno.readFile(packFile);
  const lut = await Deno.readFile(lutFile);
  await Deno.writeFile(packFile, pack.subarray(0, pack.length - 100));
  const t = await rtt(["-w", dir.path, "registry", "verify"]);
  assert.equal(t.code, 77);
  assert.match(
    t.stderr,
    /Pack "\.rtt\/registry\/pack\/agents\.pack" is truncated: \d+ bytes, its index/,
  );

  await Deno.writeFile(packFile, pack);
  const bad = lut.slice();
  const names = 12 + 1024;
  // Swap the last two names (a different fanout bucket each) and re-seal the checksum.
  const n = (lut.length - names - 64) / 48;
  const a = bad.slice(names + (n - 2) * 32, names + (n - 1) * 32);
  bad.copyWithin(names + (n - 2) * 32, names + (n - 1) * 32, names + n * 32);
  bad.set(a, names + (n - 1) * 32);
  bad.set(Uint8Array.fromHex(await sha256Hex(bad.subarray(0, bad.length - 32))), bad.length - 32);
  await Deno.writeFile(lutFile, bad);
  const u = await rtt(["-w", dir.path, "registry", "verify"]);
  assert.equal(u.code, 77);
  assert.match(u.stderr, /index\.lut" has (unsorted names|an inconsistent fanout)/);
});

Deno.test("bundles with a path-traversal entry, a bad signature or one bad byte change nothing", async () => {
  await using a = await tempDir();
  await using b = await tempDir();
  await ingested(a.path);
  const bundle = `${a.path}/ok.rttb`;
  assert.equal((await rtt(["-w", a.path, "registry", "export", bundle])).code, 0);
  assert.equal((await rtt(["init", b.path])).code, 0);
  const pub = `${a.path}/.rtt/keys/default.pub.json`;
  const snap = await snapshotTree(b.path);
  const importB = (file: string) =>
    rtt(["-w", b.path, "registry", "import", file, "--trust-key", pub]);

  const { unzipSync } = await import("fflate");
  const good = await Deno.readFile(bundle);
  const entries = unzipSync(good.subarray(8, good.length - 32));

  // Path traversal: an extra entry escaping the workspace, with a valid frame checksum.
  const evil = await frameBundle(
    zipSync({ ...entries, "../../escaped.txt": new TextEncoder().encode("x") }),
  );
  await Deno.writeFile(`${a.path}/evil.rttb`, evil);
  const t = await importB(`${a.path}/evil.rttb`);
  assert.equal(t.code, 77);
  assert.match(t.stderr, /entry "\.\.\/\.\.\/escaped\.txt" escapes the workspace/);

  // Bad signature: bundle index re-signed by a stranger claiming the exporter's key id.
  const index = JSON.parse(new TextDecoder().decode(entries["bundle.json"]));
  const stranger = await generateKeyPair();
  const forged = await signPayload(stranger, "bundle-index", index.signed);
  index.signatures = [{ ...forged, key_id: index.signatures[0].key_id }];
  const badSig = await frameBundle(zipSync({ ...entries, "bundle.json": canonicalBytes(index) }));
  await Deno.writeFile(`${a.path}/badsig.rttb`, badSig);
  const s = await importB(`${a.path}/badsig.rttb`);
  assert.equal(s.code, 77);
  assert.match(s.stderr, /has an invalid signature by ed25519:/);

  // One bad byte anywhere in the file.
  const flipped = good.slice();
  flipped[Math.floor(flipped.length / 2)] ^= 0x40;
  await Deno.writeFile(`${a.path}/flip.rttb`, flipped);
  const f = await importB(`${a.path}/flip.rttb`);
  assert.equal(f.code, 77);
  assert.match(f.stderr, /trailing checksum does not match/);

  // Not a bundle at all: malformed input, exit 65.
  await Deno.writeTextFile(
    `${a.path}/junk.rttb`,
    "hello, this is not a bundle at all, not even close",
  );
  assert.equal((await importB(`${a.path}/junk.rttb`)).code, 65);

  assert.deepEqual(await snapshotTree(b.path), snap);
  await assert.rejects(() => Deno.stat(`${b.path}/../escaped.txt`), Deno.errors.NotFound);
});

Deno.test("a rolled-back trust root is refused (exit 77) and the registry is left alone", async () => {
  await using dir = await tempDir();
  await ingested(dir.path);
  const trust = `${dir.path}/.rtt/registry/trust`;
  const v1 = await Deno.readFile(`${trust}/root.json`);
  assert.equal((await rtt(["-w", dir.path, "keys", "renew"])).code, 0);
  await Deno.writeFile(`${trust}/root.json`, v1);
  const snap = await snapshotTree(`${dir.path}/.rtt/registry/cas`);
  const v = await rtt(["-w", dir.path, "registry", "verify"]);
  assert.equal(v.code, 77);
  assert.match(v.stderr, /Refusing trust root v1: v2 was already accepted \(rollback\)/);
  const i = await rtt(["-w", dir.path, "registry", "ingest", "--sign"]);
  assert.equal(i.code, 77);
  assert.deepEqual(await snapshotTree(`${dir.path}/.rtt/registry/cas`), snap);
});

Deno.test("an expired trust root is refused until renewed", async () => {
  await using dir = await tempDir();
  await copySample(dir.path);
  const ws = workspaceAt(dir.path);
  await createTrustRoot(ws, await generateKey(ws), {
    name: "default",
    now: new Date("2020-01-01T00:00:00Z"),
  });
  assert.equal((await rtt(["-w", dir.path, "init"])).code, 0);
  const v = await rtt(["-w", dir.path, "registry", "ingest", "--sign"]);
  assert.equal(v.code, 77);
  assert.match(
    v.stderr,
    /Trust root v1 expired at 2020-12-31T00:00:00Z: renew it with "rtt-deno keys renew"/,
  );
  assert.equal((await rtt(["-w", dir.path, "keys", "renew"])).code, 0);
  assert.equal((await rtt(["-w", dir.path, "registry", "ingest", "--sign"])).code, 0);
  assert.equal((await rtt(["-w", dir.path, "registry", "verify"])).code, 0);
});

Deno.test("a malformed manifest given to ingest exits 65 with its position; nothing is written", async () => {
  await using dir = await tempDir();
  await ingested(dir.path);
  await writeTree(dir.path, {
    "ext/bad.tool.json":
      '{\n  "saddr": "rtt://ext/tool/bad",\n  "kind": "tool",\n  "version": 1\n}',
  });
  const snap = await snapshotTree(`${dir.path}/.rtt/registry`);
  const r = await rtt([
    "-w",
    dir.path,
    "registry",
    "ingest",
    "--sign",
    `${dir.path}/ext/bad.tool.json`,
  ]);
  assert.equal(r.code, 65);
  assert.match(r.stderr, /Invalid "ext\/bad\.tool\.json:4:3" at \/version: expected string/);
  assert.deepEqual(await snapshotTree(`${dir.path}/.rtt/registry`), snap);
});

Deno.test("an index entry pointing at another symbol's object is refused by plan and cat (exit 77)", async () => {
  await using dir = await tempDir();
  await ingested(dir.path);
  const indexPath = `${dir.path}/.rtt/registry/index.json`;
  const index = JSON.parse(await Deno.readTextFile(indexPath));
  index.symbols["rtt://idp/api/auth"]["3.1.2"] = index.symbols["rtt://core/api/metrics"]["1.4.0"];
  await Deno.writeTextFile(indexPath, JSON.stringify(index));
  const before = await snapshotTree(`${dir.path}/plans`);
  const plan = await rtt(["-w", dir.path, "plan"]);
  assert.equal(plan.code, 77, plan.stderr);
  assert.match(
    plan.stderr,
    /index maps rtt:\/\/idp\/api\/auth@3\.1\.2 to sha256:[0-9a-f]+, but .* holds rtt:\/\/core\/api\/metrics@1\.4\.0/,
  );
  assert.deepEqual(await snapshotTree(`${dir.path}/plans`), before);
  const cat = await rtt(["-w", dir.path, "registry", "cat", "rtt://idp/api/auth"]);
  assert.equal(cat.code, 77);
});

Deno.test("re-ingesting over a corrupted object rewrites it instead of calling it unchanged", async () => {
  await using dir = await tempDir();
  await ingested(dir.path);
  const [first] = await casFiles(dir.path);
  const path = `${dir.path}/.rtt/registry/cas/sha256/${first}`;
  const good = await Deno.readTextFile(path);
  const obj = JSON.parse(good);
  obj.manifest.description = `${obj.manifest.description ?? ""} (tampered)`;
  await Deno.writeTextFile(path, JSON.stringify(obj));
  assert.equal((await rtt(["-w", dir.path, "registry", "verify"])).code, 77);
  const r = await rtt(["-w", dir.path, "--json", "registry", "ingest", "--sign"]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout).repaired, [`sha256:${first.replace(/\.json$/, "")}`]);
  assert.equal((await rtt(["-w", dir.path, "registry", "verify"])).code, 0);
});
