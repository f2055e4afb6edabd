import assert from "node:assert/strict";

/** Modules `entry` loads when imported (static imports, not `import type` or dynamic ones). */
async function runtimeModules(entry: URL): Promise<string[]> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", entry.pathname],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  const info = JSON.parse(new TextDecoder().decode(out.stdout)) as {
    modules: Array<
      {
        specifier: string;
        dependencies?: Array<{ code?: { specifier: string }; isDynamic?: boolean }>;
      }
    >;
  };
  const bySpecifier = new Map(info.modules.map((m) => [m.specifier, m]));
  const seen = new Set<string>();
  const pending = [entry.href];
  while (pending.length) {
    const s = pending.pop()!;
    if (seen.has(s)) continue;
    seen.add(s);
    for (const d of bySpecifier.get(s)?.dependencies ?? []) {
      if (d.code && !d.isDynamic) pending.push(d.code.specifier);
    }
  }
  return [...seen];
}

Deno.test("lib/graph/mod.ts loads no plan sealing, YAML, source maps or trust root code", async () => {
  const loaded = await runtimeModules(new URL("./mod.ts", import.meta.url));
  assert.ok(loaded.some((s) => s.endsWith("/lib/graph/graph.ts")));
  // The committed state is schema-checked when read (lib/config/internal_json.ts, which loads
  // Ajv on first use); plan sealing, the YAML and source-map parsers and the trust root are not.
  const heavy = loaded.filter((s) =>
    /\/lib\/(plan|security)\/|\/lib\/config\/(validate|load|mod)\.ts|\/node_modules\/(ajv|yaml|json-source-map)\//
      .test(s)
  );
  assert.deepEqual(heavy, []);
});
