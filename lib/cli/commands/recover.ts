import type { Command } from "commander";
import { contextOf } from "../context.ts";

/** `rtt-deno recover` */
export function registerRecover(program: Command): void {
  program.command("recover")
    .description(
      "finish or undo an interrupted transaction from the WAL (idempotent; runs automatically before apply, rollback, status)",
    )
    .action(async (_opts: unknown, cmd: Command) => {
      const ctx = contextOf(cmd);
      const ws = ctx.workspace();
      const rec = await import("../../reconciler/mod.ts");
      const { readCommittedState } = await import("../../graph/mod.ts");
      const report = await rec.recover(ws, { hooks: ctx.hooks });
      const state = await readCommittedState(ws);
      ctx.out.result({ ...report, seq: state.seq, graph_hash: state.graph_hash });
      ctx.out.line(`[50] [INFO] Recovery: ${report.detail}`);
      ctx.out.line(
        `[50] [INFO] Committed graph ${state.graph_hash} at seq ${state.seq} (${state.graph.routes.length} routes)`,
      );
    });
}
