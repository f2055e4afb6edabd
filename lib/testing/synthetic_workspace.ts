/**
 * Synthetic workspaces for benchmarks and scale tests: N valid manifests
 * forming a realistic dependency graph (a few hubs everything uses, mostly
 * local dependencies otherwise), acyclic, with every `requires` range
 * satisfied, every contract and capability matched, so scan and doctor see
 * a healthy workspace. Deterministic for a given seed.
 *
 * @module
 */
import {
  DEFAULT_PANEL_YAML,
  DEFAULT_POLICY,
  DEFAULT_ROUTES,
  type SymbolManifest,
} from "../config/mod.ts";
import { type KeyPair, signPayload } from "../core/mod.ts";
import { manifestBody } from "../symbols/mod.ts";
import { rng } from "./rng.ts";

/** Options for {@linkcode writeSyntheticWorkspace}. */
export interface SyntheticWorkspaceOptions {
  /** PRNG seed (default 1). */
  seed?: number;
  /** Most `requires` per manifest (default 3). */
  maxRequires?: number;
  /** Symbols every layer may depend on (default min(20, n/10)). */
  hubs?: number;
  /** Sign each manifest (`sign` field, domain "manifest") with this key. */
  signWith?: KeyPair;
  /** Write panel.yaml, policy.json and routes.json too (default true). */
  config?: boolean;
}

/** What {@linkcode writeSyntheticWorkspace} wrote. */
export interface SyntheticWorkspace {
  /** Manifest files, relative to the workspace root. */
  files: string[];
  /** The manifests, in the same order. */
  manifests: SymbolManifest[];
  /** Dependency edges (requires) in total. */
  edges: number;
}

const KINDS = ["api", "service", "tool", "bus", "hook", "extension", "contract", "agent"] as const;

/** Builds the manifests without writing them. */
export function syntheticManifests(
  n: number,
  options: SyntheticWorkspaceOptions = {},
): SymbolManifest[] {
  const rand = rng(options.seed ?? 1);
  const maxReq = options.maxRequires ?? 3;
  const hubs = Math.max(1, options.hubs ?? Math.min(20, Math.floor(n / 10)));
  const out: SymbolManifest[] = [];
  for (let i = 0; i < n; i++) {
    const kind = i < hubs ? (i % 2 ? "bus" : "api") : KINDS[Math.floor(rand() * KINDS.length)];
    const ns = `ns${String(i % 50).padStart(2, "0")}`;
    const version = `${1 + (i % 3)}.${i % 7}.${i % 5}`;
    const deps = new Set<number>();
    if (i > 0) {
      const want = Math.floor(rand() * (maxReq + 1));
      for (let k = 0; k < want * 3 && deps.size < want; k++) {
        // Half the edges go to hubs, the rest to recent neighbours (only earlier symbols: no cycles).
        const j = rand() < 0.5
          ? Math.floor(rand() * Math.min(hubs, i))
          : Math.max(0, i - 1 - Math.floor(rand() * 50));
        if (j < i) deps.add(j);
      }
    }
    const req = [...deps].sort((a, b) => a - b).map((j) => out[j]);
    const m: SymbolManifest = {
      saddr: `rtt://${ns}/${kind}/s${i}`,
      kind,
      version,
      description: `Synthetic ${kind} ${i} with ${req.length} dependencies.`,
      type: { in: [`c${i}.v1`], ...(req.length ? { out: req.map((d) => d.type!.in![0]) } : {}) },
      caps: {
        provides: [`cap.s${i}`],
        ...(req.length ? { needs: [req[0].caps!.provides![0]] } : {}),
      },
      lanes: ["shm", "uds", "tcp"],
      qos: { latency_budget_ms: 1 + (i % 20), throughput_qps: 100 * (1 + (i % 10)) },
      labels: { team: `t${i % 13}`, tier: String(i % 3) },
    };
    if (req.length) {
      m.requires = req.map((d) => {
        const [maj, min] = d.version.split(".");
        return { saddr: d.saddr, version: `^${maj}.${min}.0` };
      });
    }
    if (kind === "agent") {
      m.agent = {
        name: `s${i}`,
        description: `Use for synthetic task ${i}.`,
        instructions: `Handle task ${i}; call dependencies in order; report results with sources.`,
      };
    }
    out.push(m);
  }
  return out;
}

/**
 * Writes `n` manifests under `dir/.rtt/manifests/nsXX/` (and, by default,
 * the workspace config), signing them when asked.
 */
export async function writeSyntheticWorkspace(
  dir: string,
  n: number,
  options: SyntheticWorkspaceOptions = {},
): Promise<SyntheticWorkspace> {
  const manifests = syntheticManifests(n, options);
  if (options.config ?? true) {
    await Deno.mkdir(`${dir}/.rtt`, { recursive: true });
    await Deno.writeTextFile(`${dir}/.rtt/panel.yaml`, DEFAULT_PANEL_YAML);
    await Deno.writeTextFile(`${dir}/.rtt/policy.json`, JSON.stringify(DEFAULT_POLICY, null, 2));
    await Deno.writeTextFile(`${dir}/.rtt/routes.json`, JSON.stringify(DEFAULT_ROUTES, null, 2));
  }
  const files: string[] = [];
  const folders = new Set(manifests.map((m) => `.rtt/manifests/${m.saddr.split("/")[2]}`));
  for (const f of folders) await Deno.mkdir(`${dir}/${f}`, { recursive: true });
  let edges = 0;
  for (let i = 0; i < manifests.length; i += 256) {
    await Promise.all(
      manifests.slice(i, i + 256).map(async (m, k) => {
        const idx = i + k;
        const folder = `.rtt/manifests/${m.saddr.split("/")[2]}`;
        const doc = options.signWith
          ? { ...m, sign: await signPayload(options.signWith, "manifest", manifestBody(m)) }
          : m;
        const rel = `${folder}/s${idx}.json`;
        files[idx] = rel;
        edges += m.requires?.length ?? 0;
        await Deno.writeTextFile(`${dir}/${rel}`, JSON.stringify(doc, null, 2) + "\n");
      }),
    );
  }
  return { files, manifests, edges };
}
