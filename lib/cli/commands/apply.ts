/**
 * `rtt-deno apply` (stage 50): parse, call {@linkcode applyPlan}, render the
 * dry run or the transaction's outcome.
 *
 * @module
 */
import { type Command, Option } from "commander";
import type { ApplyDone, ApplyDryRun, ApplyReport } from "../../pipeline/mod.ts";
import type { Output } from "../output.ts";
import { percentage } from "../arguments.ts";
import { contextOf } from "../context.ts";
import { EXIT } from "../errors.ts";
import { type StageReporter, stageReporter } from "../stage_reporter.ts";

/** `rtt-deno apply [plan-file | plan_id]` */
export function registerApply(program: Command): void {
  program.command("apply")
    .description(
      "apply a signed plan: verify, two-phase commit per batch, WAL, atomic state flip, verify window",
    )
    .argument("[plan]", "plan file or plan_id (default: the plan named in plans/LATEST)")
    .option("--dry-run", "verify the plan and print the delta; write nothing")
    .addOption(
      new Option(
        "--canary <percent>",
        "apply this share of the batches first, verify, then the rest",
      )
        .argParser(percentage("--canary")),
    )
    .option(
      "--no-verify",
      "skip the signature check (only when panel.yaml security.allow_unsigned_plans is true)",
    )
    .action(async (
      plan: string | undefined,
      opts: { dryRun?: boolean; canary?: number; verify: boolean },
      cmd: Command,
    ) => {
      const ctx = contextOf(cmd);
      const stage = stageReporter(ctx.out, "50");
      const { applyPlan } = await import("../../pipeline/mod.ts");
      const report = await applyPlan(ctx.workspace(), {
        plan,
        dryRun: opts.dryRun,
        canaryPercent: opts.canary,
        verifySignature: opts.verify,
        hooks: ctx.hooks,
        participants: ctx.participants,
        onEvent: stage.onEvent,
      });
      ctx.setExit(showApply(ctx.out, report));
    });
}

/**
 * Prints an apply report (the machine result and the human lines) and
 * returns its exit code: 1 when the transaction aborted or was rolled back.
 */
export function showApply(out: Output, r: ApplyReport): number {
  const stage = stageReporter(out, "50");
  if (r.dry_run) {
    showDryRun(out, stage, r);
    return EXIT.ok;
  }
  return showDone(out, stage, r);
}

function showDryRun(out: Output, stage: StageReporter, r: ApplyDryRun): void {
  const short = r.plan_id.slice(0, 19);
  out.result({
    dry_run: true,
    plan_id: r.plan_id,
    plan_file: r.plan_file,
    noop: r.noop,
    base: r.base,
    target_graph: r.target_graph,
    batches: r.batches,
  });
  if (r.noop) {
    stage.info(`Plan ${short} is already applied (graph ${r.target_graph})`);
    return;
  }
  stage.info(
    `Dry run of plan ${short} on seq ${r.base.seq}: ${r.batches.length} batch(es), ` +
      `+${r.routes_add} -${r.routes_del}; nothing written`,
  );
  out.table(
    ["BATCH", "OP", "ROUTE", "FROM", "TO", "LANE"],
    r.batches.flatMap((b, i) => [
      ...b.del.map((d) => [i + 1, "-", d.id, d.from, d.to, ""]),
      ...b.add.map((a) => [i + 1, "+", a.id, a.from, a.to, a.lane]),
    ]),
  );
}

function showDone(out: Output, stage: StageReporter, { result: r }: ApplyDone): number {
  const short = r.plan_id?.slice(0, 19);
  out.result(r);
  switch (r.status) {
    case "noop":
      stage.info(
        `Plan ${short} is already applied: graph ${r.graph_hash} at seq ${r.seq}; nothing to do`,
      );
      break;
    case "applied":
      stage.info(
        `Applied plan ${short}: seq ${r.seq}, graph ${r.graph_hash} ` +
          `(${r.routes} routes, +${r.adds} -${r.dels} in ${r.batches} batch(es)) ` +
          `committed in ${r.commit_ms.toFixed(0)} ms`,
      );
      if (r.verify) {
        stage.progress(
          `verify window ${r.verify.window_ms} ms: healthy (${r.verify.checks} checks)`,
        );
      }
      break;
    case "aborted":
      out.error(
        `apply of plan ${short} aborted: ${r.failure?.reason}; committed graph unchanged ` +
          `(${r.graph_hash}, seq ${r.seq})`,
      );
      return EXIT.failure;
    case "slo-rollback":
      out.error(
        `plan ${short} was committed but the verify window failed (${r.verify?.breach?.participant}: ` +
          `${r.verify?.breach?.detail}); ${
            r.slo_rollback?.seq ? `rolled back at seq ${r.slo_rollback.seq}` : "ROLLBACK FAILED"
          }; committed graph ${r.graph_hash}`,
      );
      return EXIT.failure;
  }
  return EXIT.ok;
}
