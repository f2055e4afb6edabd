/**
 * `rtt-deno doctor` (stage 20): call {@linkcode diagnose}, render the
 * findings; {@linkcode showDiagnosis} is shared with `auto`.
 *
 * @module
 */
import type { Command } from "commander";
import { contextOf } from "../context.ts";
import { EXIT } from "../errors.ts";
import { formatProblem } from "../../core/mod.ts";
import type { DiagnoseFindings, DiagnoseInvalidInput, DiagnoseReport } from "../../pipeline/mod.ts";
import type { Output } from "../output.ts";
import { stageReporter } from "../stage_reporter.ts";

/** `rtt-deno doctor` */
export function registerDoctor(program: Command): void {
  program.command("doctor")
    .description(
      "check dependencies: missing (exit 1), semver conflicts (exit 2), cycles (exit 3), contracts, capabilities",
    )
    .action(async (_opts: unknown, cmd: Command) => {
      const ctx = contextOf(cmd);
      const { diagnose } = await import("../../pipeline/mod.ts");
      const r = await diagnose(ctx.workspace(), {
        onProgress: (done, total) => ctx.out.progress(`scanning ${done}/${total}`),
      });
      ctx.out.progressDone();
      ctx.setExit(showDiagnosis(ctx.out, r));
    });
}

/**
 * Prints a doctor report (the machine result and the human lines) and
 * returns its exit code: 65 for invalid input, else the doctor's 0/1/2/3.
 */
export function showDiagnosis(out: Output, r: DiagnoseReport): number {
  if (r.kind === "invalid-input") {
    renderInvalidInput(out, r);
    return EXIT.dataErr;
  }
  renderFindings(out, r);
  return r.exitCode;
}

function renderInvalidInput(out: Output, r: DiagnoseInvalidInput): void {
  for (const p of r.invalid) out.error(formatProblem(p));
  for (const c of r.collisions) {
    out.error(`collision: ${c.saddr}@${c.version} in ${c.entries.map((e) => e.file).join(", ")}`);
  }
  out.result({ ok: false, invalid: r.invalid, collisions: r.collisions });
  stageReporter(out, "20").error(
    "scan found invalid input; fix it before doctor can judge dependencies",
  );
}

function renderFindings(out: Output, r: DiagnoseFindings): void {
  out.result({ ok: r.ok, exit_code: r.exitCode, symbols: r.symbols, findings: r.findings });
  if (r.findings.length) {
    out.table(
      ["KIND", "SYMBOL", "PROBLEM", "FIX"],
      r.findings.map((f) => [f.kind, f.symbol, f.message, f.fix ?? ""]),
    );
  }
  const stage = stageReporter(out, "20");
  if (r.ok) {
    stage.info(
      `${r.symbols} symbols healthy${r.findings.length ? ` (${r.findings.length} note(s))` : ""}`,
    );
  } else stage.error(`${r.errors} problem(s) in ${r.symbols} symbols; exit ${r.exitCode}`);
}
