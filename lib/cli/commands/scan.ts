/**
 * `rtt-deno scan` (stage 10): call {@linkcode scanWorkspace}, render;
 * {@linkcode showScan} is shared with `auto`.
 *
 * @module
 */
import type { Command } from "commander";
import { contextOf } from "../context.ts";
import { EXIT } from "../errors.ts";
import { formatProblem } from "../../core/mod.ts";
import type { ScanReport } from "../../pipeline/mod.ts";
import type { Output } from "../output.ts";
import { stageLine, type StageReporter, stageReporter } from "../stage_reporter.ts";

/** `rtt-deno scan` */
export function registerScan(program: Command): void {
  program.command("scan")
    .description(
      "find, parse and validate every manifest under the scan roots; build the symbol table",
    )
    .option("--no-cache", "re-read every file instead of reusing unchanged results")
    .option("--symbols", "list every symbol found")
    .action(async (opts: { cache: boolean; symbols?: boolean }, cmd: Command) => {
      const ctx = contextOf(cmd);
      const { scanWorkspace } = await import("../../pipeline/mod.ts");
      const stage = stageReporter(ctx.out, "10");
      const r = await scanWorkspace(ctx.workspace(), {
        noCache: !opts.cache,
        onProgress: (done, total) => ctx.out.progress(`scanning ${done}/${total}`),
        onEvent: (e) => {
          ctx.out.progressDone(); // a note must not land on the progress line
          stage.onEvent(e);
        },
      });
      ctx.out.progressDone();
      ctx.setExit(showScan(ctx.out, r, !!opts.symbols));
    });
}

function symbolRows(r: ScanReport) {
  return r.manifests.map((m) => ({
    saddr: m.manifest.saddr,
    version: m.manifest.version,
    kind: m.manifest.kind,
    hash: m.hash,
    file: m.file,
  }));
}

function scanJson(r: ScanReport, listSymbols: boolean) {
  return {
    files: r.files,
    cached: r.cached,
    skipped: r.skipped,
    manifests: r.manifests.length,
    symbols: r.symbols,
    providers: r.providers,
    invalid: r.invalid,
    duplicates: r.duplicates,
    collisions: r.collisions,
    missing_roots: r.missingRoots,
    elapsed_ms: Math.round(r.elapsedMs),
    table: listSymbols ? symbolRows(r) : undefined,
  };
}

/**
 * Prints a scan report (the machine result and the human lines) and returns
 * its exit code: 65 when a file is invalid or two files collide.
 */
export function showScan(out: Output, r: ScanReport, listSymbols = false): number {
  out.result(scanJson(r, listSymbols));
  renderScan(out, stageReporter(out, "10"), r, listSymbols);
  return r.ok ? EXIT.ok : EXIT.dataErr;
}

function renderScan(
  out: Output,
  stage: StageReporter,
  r: ScanReport,
  listSymbols: boolean,
): void {
  stage.info(
    `Discovered ${r.symbols} symbols in ${r.manifests.length} manifests (${r.files} files, ${r.cached} cached, ${r.providers.length} provider file(s)) in ${
      r.elapsedMs.toFixed(0)
    } ms`,
  );
  for (const d of r.duplicates) {
    // Shown with --quiet too (unlike a stage note): identical copies are worth cleaning up.
    out.line(
      stageLine(
        "10",
        "NOTE",
        `duplicate: ${d.saddr}@${d.version} has identical content in ${d.files.join(", ")}`,
      ),
    );
  }
  for (const c of r.collisions) {
    out.error(
      `collision: ${c.saddr}@${c.version} has different content in ${
        c.entries.map((e) => `${e.file} (${e.hash.slice(7, 19)})`).join(", ")
      }`,
    );
  }
  for (const p of r.invalid) out.error(formatProblem(p));
  if (listSymbols) {
    out.table(
      ["SADDR", "VERSION", "KIND", "HASH", "FILE"],
      symbolRows(r).map((s) => [s.saddr, s.version, s.kind, s.hash.slice(7, 19), s.file]),
    );
  }
  if (!r.ok) {
    stage.error(
      `${r.invalid.length} problem(s) in invalid files, ${r.collisions.length} collision(s)`,
    );
  }
}
