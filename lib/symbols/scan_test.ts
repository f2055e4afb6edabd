import assert from "node:assert/strict";
import { parse } from "yaml";
import { workspaceAt } from "../core/mod.ts";
import { DEFAULT_PANEL_YAML, type PanelConfig } from "../config/mod.ts";
import { manifest, tempDir, writeTree } from "../testing/mod.ts";
import { buildSymbolTable, compareVersions } from "./symbol_table.ts";
import { readLastScan, scanWorkspace } from "./scan.ts";
import { symbolHash } from "./manifest.ts";

const panel = parse(DEFAULT_PANEL_YAML) as PanelConfig;

Deno.test("scanWorkspace() separates duplicates (note) from collisions (error)", async () => {
  await using dir = await tempDir();
  const a = manifest("rtt://core/api/a");
  await writeTree(dir.path, {
    ".rtt/manifests/a.json": a,
    "agents/copy/a.symbol.json": { ...a },
    ".rtt/manifests/b.json": manifest("rtt://core/api/b", "1.0.0", { description: "one" }),
    "agents/b.symbol.json": manifest("rtt://core/api/b", "1.0.0", { description: "two" }),
  });
  const r = await scanWorkspace(workspaceAt(dir.path), panel);
  assert.equal(r.manifests.length, 4);
  assert.equal(r.duplicates.length, 1);
  assert.deepEqual(r.duplicates[0].files.sort(), [
    ".rtt/manifests/a.json",
    "agents/copy/a.symbol.json",
  ]);
  assert.equal(r.collisions.length, 1);
  assert.equal(r.collisions[0].saddr, "rtt://core/api/b");
  assert.equal(r.invalid.length, 0);
});

Deno.test("scanWorkspace() reports invalid files precisely and keeps scanning", async () => {
  await using dir = await tempDir();
  await writeTree(dir.path, {
    ".rtt/manifests/bad.json":
      '{\n  "saddr": "rtt://core/api/x",\n  "kind": "bus",\n  "version": "1.0.0"\n}',
    ".rtt/manifests/broken.json": "{ nope",
    ".rtt/manifests/good.json": manifest("rtt://core/api/good"),
  });
  const r = await scanWorkspace(workspaceAt(dir.path), panel);
  assert.equal(r.manifests.length, 1);
  const files = r.invalid.map((p) => p.file).sort();
  assert.deepEqual(files, [".rtt/manifests/bad.json", ".rtt/manifests/broken.json"]);
  const bad = r.invalid.find((p) => p.file.endsWith("bad.json"))!;
  assert.equal(bad.pointer, "/saddr");
  assert.equal(bad.line, 2);
});

Deno.test("scanWorkspace() reuses cached results for unchanged files and sees edits", async () => {
  await using dir = await tempDir();
  await writeTree(dir.path, { ".rtt/manifests/a.json": manifest("rtt://core/api/a") });
  const ws = workspaceAt(dir.path);
  const first = await scanWorkspace(ws, panel);
  assert.equal(first.cached, 0);
  const second = await scanWorkspace(ws, panel);
  assert.equal(second.cached, 1);
  assert.deepEqual(second.manifests, first.manifests);
  await new Promise((r) => setTimeout(r, 20));
  await writeTree(dir.path, { ".rtt/manifests/a.json": manifest("rtt://core/api/a", "2.0.0") });
  const third = await scanWorkspace(ws, panel);
  assert.equal(third.cached, 0);
  assert.equal(third.manifests[0].manifest.version, "2.0.0");
  assert.equal((await readLastScan(ws)).manifests[0].manifest.version, "2.0.0");
});

Deno.test("scanWorkspace() never follows symlinks out of the workspace and honours ignore globs", async () => {
  await using outside = await tempDir();
  await using dir = await tempDir();
  await writeTree(outside.path, { "evil.agent.json": manifest("rtt://evil/agent/x") });
  await writeTree(dir.path, {
    ".rtt/manifests/a.json": manifest("rtt://core/api/a"),
    "agents/node_modules/x.agent.json": "not even json",
  });
  await Deno.symlink(outside.path, `${dir.path}/agents/linked`);
  await Deno.symlink(`${dir.path}/.rtt/manifests`, `${dir.path}/agents/loop`);
  const r = await scanWorkspace(workspaceAt(dir.path), panel);
  assert.deepEqual(r.manifests.map((m) => m.manifest.saddr), ["rtt://core/api/a"]);
  assert.equal(r.invalid.length, 0);
});

Deno.test("buildSymbolTable() orders versions by semver precedence", () => {
  const recs = ["1.0.0", "1.10.0", "1.2.0", "2.0.0-rc.1", "2.0.0"].map((v) => {
    const m = manifest("rtt://a/api/b", v) as never;
    return { file: v, hash: symbolHash(m), manifest: m };
  });
  assert.deepEqual(buildSymbolTable(recs).get("rtt://a/api/b")!.map((e) => e.version), [
    "2.0.0",
    "2.0.0-rc.1",
    "1.10.0",
    "1.2.0",
    "1.0.0",
  ]);
  assert.ok(compareVersions("1.0.0-alpha", "1.0.0-alpha.1") < 0);
  assert.ok(compareVersions("1.0.0-beta.11", "1.0.0-beta.2") > 0);
});
