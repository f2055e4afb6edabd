/**
 * Registry benchmarks on 10,000 synthetic manifests (lib/testing/synthetic_workspace.ts):
 * ingest+sign, verify, pack, and hash lookup in an open pack.
 *
 * `deno bench -A lib/registry/registry_bench.ts` runs them as benches
 * (RTT_BENCH_N overrides the size). `deno run -A lib/registry/registry_bench.ts`
 * runs each once and prints the figures the issue asks for, including the
 * lookup p50 measured per call, as JSON.
 *
 * @module
 */
import { workspaceAt } from "../core/mod.ts";
import { loadPanelConfig } from "../config/mod.ts";
import { scanWorkspace } from "../symbols/mod.ts";
import { ensureIdentity, loadKey } from "../security/mod.ts";
import { syntheticManifests, writeSyntheticWorkspace } from "../testing/mod.ts";
import { symbolHash } from "../symbols/mod.ts";
import {
  buildPack,
  collectInputs,
  encodeObject,
  encodePack,
  ingestManifests,
  loadSignaturePolicy,
  Pack,
  readIndex,
  verifyRegistry,
} from "./mod.ts";
import { writeFilesDurably } from "./_durable.ts";

const N = Number(Deno.env.get("RTT_BENCH_N") ?? 10_000);
const root = await Deno.makeTempDir({ prefix: "rtt-bench-registry-" });
const ws = workspaceAt(root);
await writeSyntheticWorkspace(root, N);
await ensureIdentity(ws);
await scanWorkspace(ws, await loadPanelConfig(ws));
const key = await loadKey(ws);

// Deleting 10,000 files right before creating 10,000 others makes the file
// system journal pay for both inside the measurement (seen here: 5-7 s of
// kernel time instead of ~2 s), so an old CAS folder is moved aside and only
// deleted when the benchmark ends.
let resets = 0;
async function resetRegistry(): Promise<void> {
  await Deno.mkdir(`${root}/trash`, { recursive: true });
  await Deno.rename(ws.cas, `${root}/trash/cas-${resets++}`).catch(() => {});
  await Deno.remove(`${ws.registry}/index.json`).catch(() => {});
  await Deno.mkdir(ws.cas, { recursive: true });
}

/** Ingest + sign of every manifest into an empty registry (inputs from the last scan). */
async function ingestOnce(): Promise<number> {
  await resetRegistry();
  const t0 = performance.now();
  const inputs = await collectInputs(ws, []);
  const r = await ingestManifests(ws, inputs, { signWith: key });
  const ms = performance.now() - t0;
  if (r.added.length !== N) throw new Error(`ingested ${r.added.length} of ${N}`);
  return ms;
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
}

if (import.meta.main) {
  const load = Deno.loadavg();
  const ingestMs = await ingestOnce();
  const verifyMs = await timed(async () => {
    const r = await verifyRegistry(ws);
    if (r.problems.length) throw new Error(r.problems[0].message);
  });
  const packMs = await timed(() => buildPack(ws));
  const verifyPackedMs = await timed(() => verifyRegistry(ws));
  const hashes = (await readIndex(ws)).map((e) => e.hash);
  const openMs = await timed(async () => (await Pack.open(ws)).close());
  using pack = await Pack.open(ws);
  const samples = new Float64Array(100_000);
  for (let i = 0; i < 2000; i++) pack.get(hashes[i % hashes.length]); // warm up the JIT
  for (let i = 0; i < samples.length; i++) {
    const h = hashes[(i * 7919) % hashes.length];
    const t0 = performance.now();
    pack.get(h);
    samples[i] = (performance.now() - t0) * 1000;
  }
  samples.sort();
  console.log(JSON.stringify(
    {
      manifests: N,
      loadavg_1m_at_start: load[0],
      ingest_sign_ms: Math.round(ingestMs),
      verify_ms: Math.round(verifyMs),
      pack_ms: Math.round(packMs),
      verify_with_pack_ms: Math.round(verifyPackedMs),
      pack_open_ms: Math.round(openMs),
      lookup_us: {
        p50: +percentile(samples, 0.5).toFixed(2),
        p90: +percentile(samples, 0.9).toFixed(2),
        p99: +percentile(samples, 0.99).toFixed(2),
      },
    },
    null,
    2,
  ));
  await Deno.remove(root, { recursive: true });
} else {
  // Baseline: the same number of files of the same sizes written durably by the
  // registry's own writer (temp, fsync, rename, one folder sync), with no
  // canonicalisation, hashing, signing or index: the floor of any durable CAS.
  const rawBodies = syntheticManifests(N).map((m) => encodeObject({ manifest: m, signatures: [] }));
  let rawRound = 0;
  Deno.bench({
    name: `durable write of ${N} files, same sizes (baseline)`,
    group: "registry",
    baseline: true,
    n: 2,
    warmup: 0,
    async fn(b) {
      const dir = `${root}/raw-${rawRound++}`;
      await Deno.mkdir(dir, { recursive: true });
      const files = rawBodies.map((bytes, i) => [`${dir}/${i}.json`, bytes] as const);
      b.start();
      await writeFilesDurably(dir, files);
      b.end();
    },
  });
  Deno.bench({
    name: `registry ingest+sign ${N} manifests`,
    group: "registry",
    n: 2,
    warmup: 0,
    async fn(b) {
      await resetRegistry();
      const inputs = await collectInputs(ws, []);
      b.start();
      await ingestManifests(ws, inputs, { signWith: key });
      b.end();
    },
  });
  Deno.bench({
    name: `registry verify ${N} objects`,
    group: "registry",
    n: 3,
    warmup: 1,
    async fn() {
      await verifyRegistry(ws, { policy: await loadSignaturePolicy(ws) });
    },
  });
  Deno.bench({
    name: `registry pack ${N} objects`,
    group: "registry",
    n: 3,
    warmup: 1,
    async fn() {
      await Deno.remove(`${ws.pack}/index.lut`).catch(() => {});
      await buildPack(ws);
    },
  });
  // Lookups run against a pack of the same N manifests built directly (no CAS needed).
  const lookupWs = workspaceAt(`${root}/lookup`);
  const { pack: packBytes, lut } = await encodePack(
    syntheticManifests(N).map((m) => ({
      hash: symbolHash(m),
      bytes: encodeObject({ manifest: m, signatures: [] }),
    })),
  );
  await Deno.mkdir(lookupWs.pack, { recursive: true });
  await Deno.writeFile(`${lookupWs.pack}/agents.pack`, packBytes);
  await Deno.writeFile(`${lookupWs.pack}/index.lut`, lut);
  const pack = await Pack.open(lookupWs);
  const hashes = pack.hashes();
  let i = 0;
  Deno.bench({
    name: `pack lookup by hash (pack of ${N} open)`,
    group: "lookup",
    fn() {
      i = (i + 7919) % hashes.length;
      if (!pack.get(hashes[i])) throw new Error("lookup missed");
    },
  });
  globalThis.addEventListener("unload", () => {
    pack.close();
    Deno.removeSync(root, { recursive: true });
  });
}
