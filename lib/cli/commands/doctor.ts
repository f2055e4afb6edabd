import type { Command } from "commander";
import { contextOf } from "../context.ts";
import { EXIT } from "../errors.ts";
import { formatProblem } from "../../core/mod.ts";

/** `rtt-deno doctor` */
export function registerDoctor(program: Command): void {
  program.command("doctor")
    .description(
      "check dependencies: missing (exit 1), semver conflicts (exit 2), cycles (exit 3), contracts, capabilities",
    )
    .action(async (_opts: unknown, cmd: Command) => {
      const ctx = contextOf(cmd);
      const ws = ctx.workspace();
      const { loadPanelConfig } = await import("../../config/mod.ts");
      const { scanWorkspace, buildSymbolTable, diagnose } = await import("../../symbols/mod.ts");
      const { default: semver } = await import("semver");
      const panel = await loadPanelConfig(ws);
      const scan = await scanWorkspace(ws, panel);
      if (scan.invalid.length || scan.collisions.length) {
        for (const p of scan.invalid) ctx.out.error(formatProblem(p));
        for (const c of scan.collisions) {
          ctx.out.error(
            `collision: ${c.saddr}@${c.version} in ${c.entries.map((e) => e.file).join(", ")}`,
          );
        }
        ctx.out.result({ ok: false, invalid: scan.invalid, collisions: scan.collisions });
        ctx.setExit(EXIT.dataErr);
        ctx.out.line(
          `[20] [ERROR] scan found invalid input; fix it before doctor can judge dependencies`,
        );
        return;
      }
      const report = diagnose(buildSymbolTable(scan.manifests), semver);
      ctx.out.result({
        ok: report.exitCode === 0,
        exit_code: report.exitCode,
        symbols: report.symbols,
        findings: report.findings,
      });
      if (report.findings.length) {
        ctx.out.table(
          ["KIND", "SYMBOL", "PROBLEM", "FIX"],
          report.findings.map((f) => [f.kind, f.symbol, f.message, f.fix ?? ""]),
        );
      }
      const errors = report.findings.filter((f) => f.kind !== "note").length;
      ctx.out.line(
        report.exitCode === 0
          ? `[20] [INFO] ${report.symbols} symbols healthy${
            report.findings.length ? ` (${report.findings.length} note(s))` : ""
          }`
          : `[20] [ERROR] ${errors} problem(s) in ${report.symbols} symbols; exit ${report.exitCode}`,
      );
      ctx.setExit(report.exitCode);
    });
}
