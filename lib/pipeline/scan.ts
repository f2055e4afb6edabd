/**
 * Stage 10: find, parse and validate every manifest under the scan roots and
 * build the symbol table.
 *
 * @module
 */
import type { Workspace } from "../core/mod.ts";
import { loadPanelConfig } from "../config/mod.ts";
import * as symbols from "../symbols/mod.ts";
import type { OnEvent } from "./stage_event.ts";

export type { FileProblem, ManifestRecord, ScanResult } from "../symbols/mod.ts";

/** Options for {@linkcode scanWorkspace}. */
export interface ScanOptions {
  /** Re-read every file instead of reusing unchanged results from the scan cache. */
  noCache?: boolean;
  /** Called with (done, total) while files are examined. */
  onProgress?: (done: number, total: number) => void;
  /** Notes: each scan root that does not exist. */
  onEvent?: OnEvent;
}

/** What {@linkcode scanWorkspace} found. */
export interface ScanReport extends symbols.ScanResult {
  /** Distinct symbols (saddr) in the symbol table. */
  symbols: number;
  /** No invalid file and no collision: the result can be ingested and planned. */
  ok: boolean;
  /** Wall time of the scan in milliseconds. */
  elapsedMs: number;
}

/**
 * Scans the configured roots. Invalid files and collisions are reported, not
 * thrown, so one bad file does not hide the others; `ok` says whether any
 * was found. Writes only the scan cache (atomically), so it takes no lock.
 * @throws {SchemaError} when `panel.yaml` is invalid.
 */
export async function scanWorkspace(ws: Workspace, options: ScanOptions = {}): Promise<ScanReport> {
  const t0 = performance.now();
  const panel = await loadPanelConfig(ws);
  const r = await symbols.scanWorkspace(ws, panel, options);
  for (const root of r.missingRoots) {
    options.onEvent?.({ level: "note", message: `scan root "${root}" does not exist` });
  }
  const table = symbols.buildSymbolTable(r.manifests);
  return {
    ...r,
    symbols: table.size,
    ok: r.invalid.length === 0 && r.collisions.length === 0,
    elapsedMs: performance.now() - t0,
  };
}
