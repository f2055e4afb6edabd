/**
 * `rtt-deno auto`: parse, call {@linkcode runPipeline}, and render each stage
 * as it ends with the same renderer its own command uses, so `auto` prints
 * what `init`, `scan`, `doctor`, `registry ingest` + `verify`, `plan` and
 * `apply` would.
 *
 * @module
 */
import { type Command, Option } from "commander";
import type { PipelineReport, StageResult } from "../../pipeline/mod.ts";
import { oneOf } from "../arguments.ts";
import { contextOf } from "../context.ts";
import type { Output } from "../output.ts";
import { stageReporter } from "../stage_reporter.ts";
import { showApply } from "./apply.ts";
import { showDiagnosis } from "./doctor.ts";
import { showInit } from "./init.ts";
import { showPlan, SOLVERS } from "./plan.ts";
import { showIngest, showVerify } from "./registry.ts";
import { showScan } from "./scan.ts";

interface AutoOptions {
  sign?: boolean;
  solver: (typeof SOLVERS)[number];
  dryRun?: boolean;
}

/** `rtt-deno auto` */
export function registerAuto(program: Command): void {
  program.command("auto")
    .description(
      "run the pipeline: 00 init, 10 scan, 20 doctor, 30 registry ingest+verify, 40 plan, 50 apply",
    )
    .option(
      "--sign",
      "stage 30 vouches for unsigned manifests with the default key (registry ingest --sign)",
    )
    .addOption(
      new Option("--solver <name>", "stage 40 solver: exact, greedy or auto")
        .argParser(oneOf("solver", SOLVERS))
        .default("auto"),
    )
    .option("--dry-run", "stage 50 validates and prints the delta without applying")
    .action(async (opts: AutoOptions, cmd: Command) => {
      const ctx = contextOf(cmd);
      const { runPipeline } = await import("../../pipeline/mod.ts");
      const results = new Map<StageResult, unknown[]>();
      const report = await runPipeline(ctx.workspace(), {
        sign: opts.sign,
        solver: opts.solver,
        dryRun: opts.dryRun,
        sourceDateEpoch: Deno.env.get("SOURCE_DATE_EPOCH"),
        hooks: ctx.hooks,
        participants: ctx.participants,
      }, {
        onStage: (s) => {
          const collected: unknown[] = [];
          results.set(s, collected);
          showStage(ctx.out.collecting((v) => collected.push(v)), s);
        },
        onEvent: (stage, e) => stageReporter(ctx.out, stage).onEvent(e),
        onScanProgress: (_stage, done, total) => ctx.out.progress(`scanning ${done}/${total}`),
      });
      ctx.out.result(autoJson(report, results));
      if (report.ok) {
        stageReporter(ctx.out, "50").info(
          `Pipeline complete: stages 00-50 in ${(report.elapsed_ms / 1000).toFixed(2)} s`,
        );
      }
      ctx.setExit(report.exit_code);
    });
}

/** Renders one finished stage; a failed one ends with the line saying the pipeline stopped. */
function showStage(out: Output, s: StageResult): void {
  out.progressDone();
  const r = s.reports;
  if (r.init) showInit(out, r.init);
  if (r.scan) showScan(out, r.scan);
  if (r.doctor) showDiagnosis(out, r.doctor);
  if (r.ingest) showIngest(out, r.ingest);
  if (r.verify) showVerify(out, r.verify);
  if (r.plan) showPlan(out, r.plan);
  if (r.apply) showApply(out, r.apply);
  if (s.error) out.error(s.error.message);
  if (s.exit_code !== 0) {
    stageReporter(out, s.stage).error(
      `stage ${s.stage} (${s.name}) failed with exit ${s.exit_code}; pipeline stopped`,
    );
  }
}

function autoJson(report: PipelineReport, results: Map<StageResult, unknown[]>) {
  const stages = report.stages.map((s) => ({
    stage: s.stage,
    name: s.name,
    exit_code: s.exit_code,
    results: results.get(s) ?? [],
    error: s.error
      ? { name: s.error.name, message: s.error.message, file: s.error.file }
      : undefined,
  }));
  return report.ok
    ? { ok: true, exit_code: 0, elapsed_ms: report.elapsed_ms, stages }
    : { ok: false, failed_stage: report.failed_stage, exit_code: report.exit_code, stages };
}
