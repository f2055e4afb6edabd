import type { Command } from "commander";
import { contextOf } from "../context.ts";
import { EXIT } from "../errors.ts";
import { formatProblem } from "../../core/mod.ts";

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
      const ws = ctx.workspace();
      const { loadPanelConfig } = await import("../../config/mod.ts");
      const { scanWorkspace, buildSymbolTable } = await import("../../symbols/mod.ts");
      const panel = await loadPanelConfig(ws);
      const t0 = performance.now();
      const r = await scanWorkspace(ws, panel, {
        noCache: !opts.cache,
        onProgress: (done, total) => ctx.out.progress(`scanning ${done}/${total}`),
      });
      ctx.out.progressDone();
      const ms = performance.now() - t0;
      const table = buildSymbolTable(r.manifests);
      const failed = r.invalid.length > 0 || r.collisions.length > 0;
      if (failed) ctx.setExit(EXIT.dataErr);
      ctx.out.result({
        files: r.files,
        cached: r.cached,
        skipped: r.skipped,
        manifests: r.manifests.length,
        symbols: table.size,
        providers: r.providers,
        invalid: r.invalid,
        duplicates: r.duplicates,
        collisions: r.collisions,
        missing_roots: r.missingRoots,
        elapsed_ms: Math.round(ms),
        table: opts.symbols
          ? r.manifests.map((m) => ({
            saddr: m.manifest.saddr,
            version: m.manifest.version,
            kind: m.manifest.kind,
            hash: m.hash,
            file: m.file,
          }))
          : undefined,
      });
      ctx.out.line(
        `[10] [INFO] Discovered ${table.size} symbols in ${r.manifests.length} manifests (${r.files} files, ${r.cached} cached, ${r.providers.length} provider file(s)) in ${
          ms.toFixed(0)
        } ms`,
      );
      for (const root of r.missingRoots) {
        ctx.out.note(`[10] [NOTE] scan root "${root}" does not exist`);
      }
      for (const d of r.duplicates) {
        ctx.out.line(
          `[10] [NOTE] duplicate: ${d.saddr}@${d.version} has identical content in ${
            d.files.join(", ")
          }`,
        );
      }
      for (const c of r.collisions) {
        ctx.out.error(
          `collision: ${c.saddr}@${c.version} has different content in ${
            c.entries.map((e) => `${e.file} (${e.hash.slice(7, 19)})`).join(", ")
          }`,
        );
      }
      for (const p of r.invalid) ctx.out.error(formatProblem(p));
      if (opts.symbols) {
        ctx.out.table(
          ["SADDR", "VERSION", "KIND", "HASH", "FILE"],
          r.manifests.map((
            m,
          ) => [
            m.manifest.saddr,
            m.manifest.version,
            m.manifest.kind,
            m.hash.slice(7, 19),
            m.file,
          ]),
        );
      }
      if (failed) {
        ctx.out.line(
          `[10] [ERROR] ${r.invalid.length} problem(s) in invalid files, ${r.collisions.length} collision(s)`,
        );
      }
    });
}
