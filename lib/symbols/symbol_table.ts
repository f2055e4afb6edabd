/**
 * The symbol table: every valid manifest by saddr and version.
 *
 * @module
 */
import type { SymbolManifest } from "../config/mod.ts";
import type { ManifestRecord } from "./scan.ts";

/** One version of a symbol. */
export interface SymbolEntry {
  saddr: string;
  version: string;
  hash: string;
  file: string;
  manifest: SymbolManifest;
}

/** Symbols by saddr; each list sorted by version, highest first. */
export type SymbolTable = Map<string, SymbolEntry[]>;

/** Compares semver strings (precedence per semver 2.0; build metadata ignored). */
export function compareVersions(a: string, b: string): number {
  const pa = a.split("+")[0].split("-");
  const pb = b.split("+")[0].split("-");
  const na = pa[0].split(".").map(Number);
  const nb = pb[0].split(".").map(Number);
  for (let i = 0; i < 3; i++) if (na[i] !== nb[i]) return na[i] - nb[i];
  const ra = pa.slice(1).join("-");
  const rb = pb.slice(1).join("-");
  if (ra === rb) return 0;
  if (!ra) return 1; // a release outranks its pre-releases
  if (!rb) return -1;
  const ia = ra.split(".");
  const ib = rb.split(".");
  for (let i = 0; i < Math.max(ia.length, ib.length); i++) {
    if (ia[i] === undefined) return -1;
    if (ib[i] === undefined) return 1;
    const xa = /^\d+$/.test(ia[i]);
    const xb = /^\d+$/.test(ib[i]);
    if (xa && xb && Number(ia[i]) !== Number(ib[i])) return Number(ia[i]) - Number(ib[i]);
    if (xa !== xb) return xa ? -1 : 1;
    if (ia[i] !== ib[i]) return ia[i] < ib[i] ? -1 : 1;
  }
  return 0;
}

/**
 * Builds the table from scan records. When a saddr+version appears with
 * different content (a collision) the first file in path order wins here;
 * scan reports the collision as an error.
 */
export function buildSymbolTable(records: readonly ManifestRecord[]): SymbolTable {
  const table: SymbolTable = new Map();
  for (const r of records) {
    const list = table.get(r.manifest.saddr) ?? [];
    if (!list.some((e) => e.version === r.manifest.version)) {
      list.push({
        saddr: r.manifest.saddr,
        version: r.manifest.version,
        hash: r.hash,
        file: r.file,
        manifest: r.manifest,
      });
    }
    table.set(r.manifest.saddr, list);
  }
  for (const list of table.values()) list.sort((a, b) => compareVersions(b.version, a.version));
  return new Map([...table.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
