/**
 * Which symbols a plan binds, and from where.
 *
 * @module
 */
import { InputError, relativePath, type Workspace } from "../core/mod.ts";
import type { SymbolEntry } from "../symbols/mod.ts";

/** Where the planned symbols came from. */
export type SymbolSource = "registry" | "scan";

/**
 * The symbols a plan binds. The registry is the source of truth: when its
 * index has entries, every symbol comes from a verified CAS object (hash and
 * trusted signature checked), so the plan pins exactly signed content. A
 * workspace that has not ingested anything yet plans from the scan (same
 * content hashes), and the caller says so.
 * @throws {InputError} when planning from a scan that found invalid manifests or collisions
 */
export async function loadPlanSymbols(
  ws: Workspace,
): Promise<{ symbols: SymbolEntry[]; source: SymbolSource }> {
  const registry = await import("../registry/mod.ts");
  const entries = await registry.readIndex(ws);
  if (entries.length) {
    const policy = await registry.loadSignaturePolicy(ws);
    const symbols = await Promise.all(entries.map(async (e) => ({
      saddr: e.saddr,
      version: e.version,
      hash: e.hash,
      file: relativePath(ws.root, registry.objectPath(ws, e.hash)),
      manifest: (await registry.readObject(ws, e.hash, { policy, expect: e })).manifest,
    })));
    return { symbols, source: "registry" };
  }
  const { loadPanelConfig } = await import("../config/mod.ts");
  const { scanWorkspace, buildSymbolTable } = await import("../symbols/mod.ts");
  const scan = await scanWorkspace(ws, await loadPanelConfig(ws));
  if (scan.invalid.length || scan.collisions.length) {
    throw new InputError(
      `Cannot plan: the scan found ${scan.invalid.length} invalid manifest(s) and ${scan.collisions.length} collision(s); run "rtt-deno scan" for details`,
    );
  }
  return { symbols: [...buildSymbolTable(scan.manifests).values()].flat(), source: "scan" };
}
