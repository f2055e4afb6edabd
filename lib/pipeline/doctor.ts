/**
 * Stage 20: dependency health of the scanned symbols (missing dependencies,
 * semver conflicts, cycles, contracts, capabilities).
 *
 * @module
 */
import type { Workspace } from "../core/mod.ts";
import { loadPanelConfig } from "../config/mod.ts";
import * as symbols from "../symbols/mod.ts";

export { type Finding, FINDING_CODES } from "../symbols/mod.ts";

/** Options for {@linkcode diagnose}. */
export interface DiagnoseOptions {
  /** Called with (done, total) while the scan examines files. */
  onProgress?: (done: number, total: number) => void;
}

/** The scan found invalid input, so dependencies were not judged. */
export interface DiagnoseInvalidInput {
  /** Discriminant. */
  kind: "invalid-input";
  /** Always false. */
  ok: false;
  /** Every problem in an invalid file. */
  invalid: symbols.FileProblem[];
  /** Same saddr and version with different content. */
  collisions: symbols.ScanResult["collisions"];
}

/** The symbol table was diagnosed. */
export interface DiagnoseFindings {
  /** Discriminant. */
  kind: "diagnosed";
  /** No finding other than notes. */
  ok: boolean;
  /** 0 when healthy, else the first of 1 (missing, contract, capability), 2 (conflict), 3 (cycle). */
  exitCode: number;
  /** Symbols examined (saddr@version count). */
  symbols: number;
  /** Every finding, errors first. */
  findings: symbols.Finding[];
  /** Findings that are not notes. */
  errors: number;
}

/** What {@linkcode diagnose} concluded. */
export type DiagnoseReport = DiagnoseInvalidInput | DiagnoseFindings;

/**
 * Scans the workspace and diagnoses its symbol table. Invalid input is a
 * report of kind `invalid-input`, not an error, so the caller can list it.
 * @throws {SchemaError} when `panel.yaml` is invalid.
 */
export async function diagnose(
  ws: Workspace,
  options: DiagnoseOptions = {},
): Promise<DiagnoseReport> {
  const panel = await loadPanelConfig(ws);
  const scan = await symbols.scanWorkspace(ws, panel, { onProgress: options.onProgress });
  if (scan.invalid.length || scan.collisions.length) {
    return { kind: "invalid-input", ok: false, invalid: scan.invalid, collisions: scan.collisions };
  }
  // semver is loaded only here so the rest of the pipeline stays cheap to import.
  const { default: semver } = await import("semver");
  const r = symbols.diagnose(symbols.buildSymbolTable(scan.manifests), semver);
  return {
    kind: "diagnosed",
    ok: r.exitCode === 0,
    exitCode: r.exitCode,
    symbols: r.symbols,
    findings: r.findings,
    errors: r.findings.filter((f) => f.kind !== "note").length,
  };
}
