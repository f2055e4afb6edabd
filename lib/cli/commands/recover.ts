/**
 * `rtt-deno recover` (stage 50): call {@linkcode recoverWorkspace}, render.
 *
 * @module
 */
import type { Command } from "commander";
import { contextOf } from "../context.ts";
import { stageReporter } from "../stage_reporter.ts";

/** `rtt-deno recover` */
export function registerRecover(program: Command): void {
  program.command("recover")
    .description(
      "finish or undo an interrupted transaction from the WAL (idempotent; runs automatically before apply, rollback, status)",
    )
    .action(async (_opts: unknown, cmd: Command) => {
      const ctx = contextOf(cmd);
      const stage = stageReporter(ctx.out, "50");
      const { recoverWorkspace } = await import("../../pipeline/mod.ts");
      const { recovery, committed } = await recoverWorkspace(ctx.workspace(), {
        hooks: ctx.hooks,
      });
      ctx.out.result({ ...recovery, seq: committed.seq, graph_hash: committed.graph_hash });
      stage.info(`Recovery: ${recovery.detail}`);
      stage.info(
        `Committed graph ${committed.graph_hash} at seq ${committed.seq} (${committed.routes} routes)`,
      );
    });
}
