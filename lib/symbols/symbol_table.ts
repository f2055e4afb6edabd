/**
 * The symbol table: every valid manifest by saddr and version.
 *
 * @module
 */
import compare from "semver/functions/compare.js";
import type { SymbolManifest } from "../config/mod.ts";
import { compareStrings } from "../core/mod.ts";
import type { ManifestRecord } from "./scan.ts";

/** One version of a symbol. */
export interface SymbolEntry {
  /** The symbol's address, as its manifest declares it. */
  saddr: string;
  /** Its semver version. */
  version: string;
  /** Content identity of the manifest (`sha256:<hex>`, see `symbolHash`). */
  hash: string;
  /** Manifest file, relative to the workspace root. */
  file: string;
  /** The parsed, validated manifest. */
  manifest: SymbolManifest;
}

/** Symbols by saddr; each list sorted by version, highest first. */
export type SymbolTable = Map<string, SymbolEntry[]>;

/**
 * Compares semver strings by precedence (semver 2.0; build metadata
 * ignored), for sorting. Only the comparison is loaded from `semver`, not
 * its range parser, since every scan sorts versions.
 * @throws {TypeError} for a string that is not a version (manifests are validated first).
 */
export function compareVersions(a: string, b: string): number {
  return compare(a, b);
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
  return new Map([...table.entries()].sort(([a], [b]) => compareStrings(a, b)));
}
