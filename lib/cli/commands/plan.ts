/**
 * `rtt-deno plan` and `plan verify` (stage 40): parse, call
 * {@linkcode planWorkspace} / {@linkcode verifyPlanFile}, render.
 *
 * @module
 */
import { type Command, Option } from "commander";
import type {
  PlanInfeasible,
  PlanReport,
  PlanWorkspaceOptions,
  PlanWritten,
} from "../../pipeline/mod.ts";
import type { Output } from "../output.ts";
import { oneOf } from "../arguments.ts";
import { contextOf } from "../context.ts";
import { EXIT } from "../errors.ts";
import { stageReporter } from "../stage_reporter.ts";

type SolverName = NonNullable<PlanWorkspaceOptions["solver"]>;
/** The solvers `--solver` accepts. */
export const SOLVERS: readonly SolverName[] = ["exact", "greedy", "auto"];

/** `rtt-deno plan` and `rtt-deno plan verify <file>` */
export function registerPlan(program: Command): void {
  const plan = program.command("plan")
    .description(
      "solve routes + policy + symbols + topology into a signed, deterministic plan (stage 40)",
    )
    .addOption(
      new Option("--solver <name>", "exact (HiGHS MIP), greedy, or auto (by problem size)")
        .argParser(oneOf("solver", SOLVERS))
        .default("auto"),
    )
    .option("--explain", "print each route's lane, placement, predicted p99, budget and why")
    .action(async (opts: { solver: SolverName; explain?: boolean }, cmd: Command) => {
      const ctx = contextOf(cmd);
      const stage = stageReporter(ctx.out, "40");
      const { planWorkspace } = await import("../../pipeline/mod.ts");
      const report = await planWorkspace(ctx.workspace(), {
        solver: opts.solver,
        sourceDateEpoch: Deno.env.get("SOURCE_DATE_EPOCH"),
        hooks: ctx.hooks,
        onEvent: stage.onEvent,
      });
      ctx.setExit(showPlan(ctx.out, report, !!opts.explain));
    });

  plan.command("verify")
    .description("check a plan's schema, plan_id and signature against the trust root")
    .argument("<file>", "plan file (plans/<plan_id>.plan.json)")
    .action(async (file: string, _opts: unknown, cmd: Command) => {
      const ctx = contextOf(cmd);
      const { verifyPlanFile } = await import("../../pipeline/mod.ts");
      const p = await verifyPlanFile(ctx.workspace(), { path: file });
      ctx.out.result(p);
      stageReporter(ctx.out, "40").info(
        `Plan ${p.plan_id} verified: schema, plan_id and signature by ${p.key_id} (trusted for plans)`,
      );
    });
}

/**
 * Prints a plan report (the machine result and the human lines) and returns
 * its exit code: 0 for a written plan, 1 when routes are infeasible.
 */
export function showPlan(out: Output, r: PlanReport, explain = false): number {
  if (!r.ok) return showInfeasible(out, r);
  showWritten(out, r, explain);
  return EXIT.ok;
}

function showWritten(out: Output, r: PlanWritten, explain: boolean): void {
  const stage = stageReporter(out, "40");
  out.result({
    ok: true,
    plan_id: r.plan_id,
    file: r.file,
    solver: r.solver,
    symbols_source: r.symbols_source,
    objective: r.objective,
    base_graph: r.base_graph,
    target_graph: r.target_graph,
    routes: r.routes,
    added: r.added,
    replaced: r.replaced,
    removed: r.removed,
    unchanged: r.unchanged,
    batches: r.batches,
    elapsed_ms: r.elapsed_ms,
    explain: explain ? r.explain : undefined,
  });
  stage.info(
    `Planned ${r.routes} route(s) with the ${r.solver} solver: +${r.added} added, ~${r.replaced} replaced, -${r.removed} removed, ${r.batches} batch(es) in ${r.elapsed_ms} ms`,
  );
  stage.info(`Wrote ${r.file} (signed ${r.key_id}; plans/LATEST updated)`);
  if (!explain) return;
  out.table(
    ["ROUTE", "LANE", "NODE", "P99_MS", "BUDGET_MS", "CHANGE", "WHY"],
    r.explain.map((e) => [
      `${e.from.slice(6)} -> ${e.to.slice(6)}`,
      e.lane,
      e.numa_node,
      e.predicted_p99_ms,
      e.latency_budget_ms,
      e.change,
      e.why,
    ]),
  );
  out.note(
    `symbols: ${r.symbols_source} (${r.inputs.symbols}); latency model: ${r.inputs.latency_model}; topology: ${r.inputs.topology_nodes} NUMA node(s) (${r.inputs.topology_source})`,
  );
}

/**
 * One error line per infeasible route, except that a constraint blocking
 * many routes shows its count and the first examples (thousands of
 * near-identical lines help nobody; `--json` keeps every route).
 */
function showInfeasible(out: Output, r: PlanInfeasible): number {
  out.result({ ok: false, infeasible: r.infeasible, planned: r.planned });
  for (const g of r.groups) {
    if (g.count === g.examples.length) {
      for (const b of g.examples) out.error(b.message);
      continue;
    }
    out.error(
      `${g.count} route(s) infeasible by constraint "${g.constraint}", the first ${g.examples.length}:`,
    );
    for (const b of g.examples) out.error(`  ${b.message}`);
    out.error(
      `  ... and ${g.count - g.examples.length} more ("rtt-deno --json plan" lists them all)`,
    );
  }
  stageReporter(out, "40").error(
    `${r.infeasible.length} of ${r.requested} route(s) infeasible; no plan written`,
  );
  return EXIT.failure;
}
