import type { Command } from "commander";
import { contextOf } from "../context.ts";
import { EXIT, UsageError } from "../errors.ts";
import { relativePath, resolvePath, VerificationError, type Workspace } from "../../core/mod.ts";
import { InputError, MissingInputError } from "../../core/mod.ts";
import { isNotFound } from "../../core/mod.ts";

const PLAN_ID = /^sha256-[0-9a-f]{64}$/;

/** Resolves `[plan-file | plan_id]` (default plans/LATEST) to a path. */
async function resolvePlanPath(ws: Workspace, arg: string | undefined): Promise<string> {
  if (arg && PLAN_ID.test(arg)) return `${ws.plans}/${arg}.plan.json`;
  if (arg) return resolvePath(arg);
  const latest = `${ws.plans}/LATEST`;
  let name: string;
  try {
    name = (await Deno.readTextFile(latest)).trim();
  } catch (err) {
    if (isNotFound(err)) {
      throw new MissingInputError(
        `No plan given and "${
          relativePath(ws.root, latest)
        }" does not exist: run "rtt-deno plan" ` +
          `or pass a plan file or plan_id`,
        { cause: err },
      );
    }
    throw err;
  }
  if (!name || name.includes("/") && !name.startsWith("plans/")) {
    throw new InputError(
      `Cannot use "${relativePath(ws.root, latest)}": expected the file name of a plan in plans/`,
    );
  }
  return `${ws.plans}/${name.replace(/^plans\//, "")}`;
}

function parseCanary(v: string): number {
  const n = Number(v);
  if (!/^\d+(\.\d+)?$/.test(v) || !(n > 0 && n <= 100)) {
    throw new UsageError(`--canary expects a percentage in (0, 100], got "${v}"`);
  }
  return n;
}

/** `rtt-deno apply [plan-file | plan_id]` */
export function registerApply(program: Command): void {
  program.command("apply")
    .description(
      "apply a signed plan: verify, two-phase commit per batch, WAL, atomic state flip, verify window",
    )
    .argument("[plan]", "plan file or plan_id (default: the plan named in plans/LATEST)")
    .option("--dry-run", "verify the plan and print the delta; write nothing")
    .option("--canary <percent>", "apply this share of the batches first, verify, then the rest")
    .option(
      "--no-verify",
      "skip the signature check (only when panel.yaml security.allow_unsigned_plans is true)",
    )
    .action(async (
      arg: string | undefined,
      opts: { dryRun?: boolean; canary?: string; verify: boolean },
      cmd: Command,
    ) => {
      const ctx = contextOf(cmd);
      const ws = ctx.workspace();
      const canary = opts.canary === undefined ? undefined : parseCanary(opts.canary);
      const { loadPanelConfig } = await import("../../config/mod.ts");
      const { readPlan } = await import("../../graph/mod.ts");
      const rec = await import("../../reconciler/mod.ts");
      const panel = await loadPanelConfig(ws);
      if (!opts.verify) {
        if (panel.security.allow_unsigned_plans !== true) {
          throw new VerificationError(
            `--no-verify refused: .rtt/panel.yaml security.allow_unsigned_plans is not true`,
          );
        }
        ctx.out.warn(
          "SIGNATURE CHECK DISABLED (--no-verify, allowed by panel.yaml " +
            "security.allow_unsigned_plans): this plan's origin is NOT verified",
        );
      }
      const path = await resolvePlanPath(ws, arg);
      const file = relativePath(ws.root, path);
      const plan = await readPlan(ws, path, { skipSignature: !opts.verify });
      const short = plan.plan_id.slice(0, 19);

      if (opts.dryRun) {
        if (await rec.recoveryPending(ws)) {
          ctx.out.warn(`the WAL has an unfinished transaction; "rtt-deno recover" will resolve it`);
        }
        const { state, target } = await rec.checkPlanAgainstState(ws, plan);
        const batches = rec.planBatches(plan);
        ctx.out.result({
          dry_run: true,
          plan_id: plan.plan_id,
          plan_file: file,
          noop: target === null,
          base: { seq: state.seq, graph_hash: state.graph_hash },
          target_graph: plan.target_graph,
          batches: target
            ? batches.map((b) => ({
              add: b.adds.map((r) => ({ id: r.id, from: r.from, to: r.to, lane: r.lane })),
              del: b.dels,
            }))
            : [],
        });
        if (!target) {
          ctx.out.line(`[50] [INFO] Plan ${short} is already applied (graph ${plan.target_graph})`);
          return;
        }
        ctx.out.line(
          `[50] [INFO] Dry run of plan ${short} on seq ${state.seq}: ${batches.length} batch(es), ` +
            `+${plan.routes_add.length} -${plan.routes_del.length}; nothing written`,
        );
        ctx.out.table(
          ["BATCH", "OP", "ROUTE", "FROM", "TO", "LANE"],
          batches.flatMap((b, i) => [
            ...b.dels.map((d) => [i + 1, "-", d.id, d.from, d.to, ""]),
            ...b.adds.map((a) => [i + 1, "+", a.id, a.from, a.to, a.lane]),
          ]),
        );
        return;
      }

      const result = await rec.withLock(ws, async (recovery) => {
        if (recovery.action !== "none") ctx.out.note(`[50] [NOTE] recovery: ${recovery.detail}`);
        return await rec.applyPlan(ws, plan, {
          planFile: file,
          canaryPercent: canary,
          unverified: !opts.verify,
          participants: ctx.participants,
          hooks: ctx.hooks,
          prepareTimeoutMs: panel.apply?.prepare_timeout_ms,
          verifyWindowMs: panel.apply?.verify_window_ms,
          onEvent: (line) => ctx.out.note(`[50] [INFO] ${line}`),
        });
      }, { command: "apply", hooks: ctx.hooks });
      ctx.out.result(result);
      switch (result.status) {
        case "noop":
          ctx.out.line(
            `[50] [INFO] Plan ${short} is already applied: graph ${result.graph_hash} at seq ${result.seq}; nothing to do`,
          );
          break;
        case "applied":
          ctx.out.line(
            `[50] [INFO] Applied plan ${short}: seq ${result.seq}, graph ${result.graph_hash} ` +
              `(${result.routes} routes, +${result.adds} -${result.dels} in ${result.batches} batch(es)) ` +
              `committed in ${result.commit_ms.toFixed(0)} ms`,
          );
          if (result.verify) {
            ctx.out.note(
              `[50] [INFO] verify window ${result.verify.window_ms} ms: healthy (${result.verify.checks} checks)`,
            );
          }
          break;
        case "aborted":
          ctx.setExit(EXIT.failure);
          ctx.out.error(
            `apply of plan ${short} aborted: ${result.failure?.reason}; committed graph unchanged ` +
              `(${result.graph_hash}, seq ${result.seq})`,
          );
          break;
        case "slo-rollback":
          ctx.setExit(EXIT.failure);
          ctx.out.error(
            `plan ${short} was committed but the verify window failed (${result.verify?.breach?.participant}: ` +
              `${result.verify?.breach?.detail}); ${
                result.slo_rollback?.seq
                  ? `rolled back at seq ${result.slo_rollback.seq}`
                  : "ROLLBACK FAILED"
              }; committed graph ${result.graph_hash}`,
          );
          break;
      }
    });
}
