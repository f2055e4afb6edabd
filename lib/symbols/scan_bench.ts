/**
 * Scan (stage 10) and doctor (stage 20) on 10,000 synthetic manifests
 * (lib/testing/synthetic_workspace.ts; RTT_BENCH_N overrides the size). The baseline is
 * reading and JSON-parsing the same files, measured in the same run, so the
 * ratios say what validation, hashing and the symbol table cost on top.
 *
 * Run: `deno bench -A lib/symbols/scan_bench.ts`
 *
 * @module
 */
import semver from "semver";
import { workspaceAt } from "../core/mod.ts";
import { loadPanelConfig } from "../config/mod.ts";
import { writeSyntheticWorkspace } from "../testing/mod.ts";
import { buildSymbolTable, diagnose, scanWorkspace } from "./mod.ts";

const N = Number(Deno.env.get("RTT_BENCH_N") ?? 10_000);
const root = await Deno.makeTempDir({ prefix: "rtt-bench-scan-" });
const ws = workspaceAt(root);
const written = await writeSyntheticWorkspace(root, N);
const panel = await loadPanelConfig(ws);
await scanWorkspace(ws, panel); // warm the cache and the schema compiler

Deno.bench({
  name: `read + JSON.parse ${N} manifests (baseline)`,
  group: "scan",
  baseline: true,
  async fn() {
    for (let i = 0; i < written.files.length; i += 64) {
      await Promise.all(
        written.files.slice(i, i + 64).map(async (f) =>
          JSON.parse(await Deno.readTextFile(`${root}/${f}`))
        ),
      );
    }
  },
});

Deno.bench({
  name: `scan ${N} manifests, cold (validate, hash, table)`,
  group: "scan",
  async fn() {
    await scanWorkspace(ws, panel, { noCache: true });
  },
});

Deno.bench({
  name: `scan ${N} manifests, warm (cache hit)`,
  group: "scan",
  async fn() {
    await scanWorkspace(ws, panel);
  },
});

Deno.bench({
  name: `scan (warm) + doctor on ${N} manifests`,
  group: "scan",
  async fn() {
    const r = await scanWorkspace(ws, panel);
    const report = diagnose(buildSymbolTable(r.manifests), semver);
    if (report.exitCode !== 0) {
      throw new Error(`synthetic workspace is unhealthy: ${report.findings[0]?.message}`);
    }
  },
});

globalThis.addEventListener("unload", () => {
  Deno.removeSync(root, { recursive: true });
});
