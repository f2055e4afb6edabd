import assert from "node:assert/strict";
import { join } from "node:path";
import { checkEdges, type Edge, findCycles, importGraph, layerOf } from "./check_cycles.ts";

const e = (from: string, to: string, kind: Edge["kind"] = "static"): Edge => ({ from, to, kind });

/** Writes `files` (path -> source) under a fresh temporary folder. */
async function tree(files: Record<string, string>): Promise<string> {
  const root = await Deno.makeTempDir({ prefix: "rtt-cycles-" });
  for (const [path, text] of Object.entries(files)) {
    await Deno.mkdir(join(root, path, ".."), { recursive: true });
    await Deno.writeTextFile(join(root, path), text);
  }
  return root;
}

Deno.test("layerOf() ranks main.ts, lib folders and ffi, and knows what it does not cover", () => {
  assert.equal(layerOf("main.ts"), "main");
  assert.equal(layerOf("ffi/ring.ts"), "base");
  assert.equal(layerOf("lib/core/hash.ts"), "base");
  assert.equal(layerOf("lib/registry/pack.ts"), "concept");
  assert.equal(layerOf("lib/pipeline/init.ts"), "pipeline");
  assert.equal(layerOf("lib/cli/commands/apply.ts"), "cli");
  assert.equal(layerOf("lib/newthing/x.ts"), undefined);
  assert.equal(layerOf("lib/loose.ts"), undefined);
  assert.equal(layerOf("tests/_helpers.ts"), null);
});

Deno.test("findCycles() gives each cycle once, with its path, and a self-import", () => {
  const cycles = findCycles([
    e("lib/core/a.ts", "lib/core/b.ts"),
    e("lib/core/b.ts", "lib/core/c.ts"),
    e("lib/core/c.ts", "lib/core/a.ts"),
    e("lib/core/c.ts", "lib/core/d.ts"),
    e("lib/core/d.ts", "lib/core/d.ts"),
  ]);
  assert.deepEqual(cycles, [
    ["lib/core/a.ts", "lib/core/b.ts", "lib/core/c.ts", "lib/core/a.ts"],
    ["lib/core/d.ts", "lib/core/d.ts"],
  ]);
});

Deno.test("findCycles() names every module of a component with two cycles", () => {
  const cycles = findCycles([
    e("m/a.ts", "m/b.ts"),
    e("m/b.ts", "m/a.ts"),
    e("m/b.ts", "m/c.ts"),
    e("m/c.ts", "m/b.ts"),
  ]);
  assert.deepEqual(cycles, [["m/a.ts", "m/b.ts", "m/a.ts"], ["m/b.ts", "m/c.ts", "m/b.ts"]]);
});

Deno.test("checkEdges() refuses upward edges and labels import type ones", () => {
  const findings = checkEdges([
    e("lib/cli/mod.ts", "lib/pipeline/mod.ts"),
    e("lib/pipeline/mod.ts", "lib/registry/mod.ts"),
    e("lib/registry/mod.ts", "lib/core/mod.ts"),
    e("lib/registry/mod.ts", "ffi/mod.ts"),
    e("lib/core/hash.ts", "lib/registry/pack.ts", "type"),
    e("lib/registry/pack.ts", "lib/cli/output.ts", "dynamic"),
  ]);
  assert.deepEqual(findings.map((f) => f.message), [
    "upward base -> concept: lib/core/hash.ts -> lib/registry/pack.ts (import type)",
    "upward concept -> cli: lib/registry/pack.ts -> lib/cli/output.ts (dynamic import)",
  ]);
});

Deno.test("checkEdges() refuses imports of tests/ and unlayered folders, allows schema JSON", () => {
  const findings = checkEdges([
    e("lib/registry/pack_test.ts", "tests/_helpers.ts"),
    e("lib/config/schemas.ts", "schemas/rtt.plan.schema.json"),
    e("lib/extra/x.ts", "lib/core/mod.ts"),
    e("tests/_helpers.ts", "lib/cli/mod.ts"),
  ]);
  assert.deepEqual(findings.map((f) => f.kind), ["unlayered", "outside"]);
  assert.match(findings[0].message, /lib\/extra\/ has no layer/);
  assert.match(findings[1].message, /lib\/registry\/pack_test\.ts -> tests\/_helpers\.ts/);
});

Deno.test("checkEdges() labels the strongest of several imports between two modules", () => {
  const findings = checkEdges([
    e("lib/core/a.ts", "lib/cli/b.ts", "type"),
    e("lib/core/a.ts", "lib/cli/b.ts", "dynamic"),
    e("lib/core/a.ts", "lib/cli/b.ts"),
    e("lib/core/a.ts", "lib/cli/c.ts", "type"),
    e("lib/core/a.ts", "lib/cli/c.ts", "dynamic"),
  ]);
  assert.deepEqual(findings.map((f) => f.message), [
    "upward base -> cli: lib/core/a.ts -> lib/cli/b.ts",
    "upward base -> cli: lib/core/a.ts -> lib/cli/c.ts (dynamic import)",
  ]);
});

Deno.test("checkEdges() reports a cycle that runs through import type as such", () => {
  const [f] = checkEdges([
    e("lib/core/a.ts", "lib/core/b.ts"),
    e("lib/core/b.ts", "lib/core/a.ts", "type"),
  ]);
  assert.equal(
    f.message,
    "cycle (through import type): lib/core/a.ts -> lib/core/b.ts -> lib/core/a.ts (import type)",
  );
});

Deno.test("importGraph() reads static, dynamic and type imports of a module tree", async () => {
  const root = await tree({
    "main.ts": 'import { run } from "./lib/cli/mod.ts";\nawait run();\n',
    "lib/cli/mod.ts":
      'import type { Report } from "../pipeline/mod.ts";\nexport async function run(): Promise<Report> {\n  const p = await import("../pipeline/mod.ts");\n  return p.go();\n}\n',
    "lib/pipeline/mod.ts":
      'export { hash } from "../core/mod.ts";\nexport type Report = number;\nexport const go = (): Report => 1;\n',
    "lib/core/mod.ts":
      '// import "../cli/mod.ts" in a comment is no import\nexport const hash = "import(\\"../cli/mod.ts\\")";\n',
    "lib/core/mod_test.ts": 'import { hash } from "./mod.ts";\nconsole.log(hash);\n',
    "tests/unused.ts": 'import "../lib/cli/mod.ts";\n',
  });
  try {
    const edges = await importGraph(root);
    const text = edges.map((x) => `${x.from} -> ${x.to} ${x.kind}`).sort();
    assert.deepEqual(text, [
      "lib/cli/mod.ts -> lib/pipeline/mod.ts dynamic",
      "lib/core/mod_test.ts -> lib/core/mod.ts static",
      "lib/pipeline/mod.ts -> lib/core/mod.ts static",
      "main.ts -> lib/cli/mod.ts static",
    ]);
    assert.deepEqual(checkEdges(edges), []);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("importGraph() and checkEdges() find a cycle and an upward type edge on disk", async () => {
  const root = await tree({
    "lib/core/a.ts": 'import type { B } from "../registry/b.ts";\nexport type A = B;\n',
    "lib/registry/b.ts":
      'import { c } from "./c.ts";\nexport type B = number;\nexport const b = c;\n',
    "lib/registry/c.ts":
      'import { b } from "./b.ts";\nexport const c = 1;\nexport const d = () => b;\n',
  });
  try {
    const messages = checkEdges(await importGraph(root)).map((f) => f.message);
    assert.deepEqual(messages, [
      "cycle: lib/registry/b.ts -> lib/registry/c.ts -> lib/registry/b.ts",
      "upward base -> concept: lib/core/a.ts -> lib/registry/b.ts (import type)",
    ]);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("checkEdges() lets tests and benches use lib/testing, and nothing else", () => {
  assert.equal(layerOf("lib/registry/pack_test.ts"), "testing");
  assert.equal(layerOf("lib/fabric/fabric_bench.ts"), "testing");
  assert.equal(layerOf("lib/testing/temp_dir.ts"), "testing");
  assert.deepEqual(
    checkEdges([
      e("lib/registry/pack_test.ts", "lib/testing/temp_dir.ts"),
      e("lib/testing/temp_dir.ts", "lib/pipeline/init.ts"),
    ]),
    [],
  );
  const found = checkEdges([e("lib/registry/pack.ts", "lib/testing/temp_dir.ts")]);
  assert.deepEqual(found.map((f) => f.kind), ["upward"]);
});
