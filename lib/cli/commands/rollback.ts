import type { Command } from "commander";
import { contextOf } from "../context.ts";
import { EXIT, UsageError } from "../errors.ts";

/** `rtt-deno rollback [seq]` */
export function registerRollback(program: Command): void {
  program.command("rollback")
    .description(
      "return to the graph committed at <seq> (default: the commit before the current one) as a new transaction",
    )
    .argument("[seq]", "WAL seq of a COMMIT record (0 = the empty graph)")
    .action(async (seqArg: string | undefined, _opts: unknown, cmd: Command) => {
      const ctx = contextOf(cmd);
      const ws = ctx.workspace();
      if (seqArg !== undefined && !/^\d+$/.test(seqArg)) {
        throw new UsageError(
          `rollback expects a WAL seq (a non-negative integer), got "${seqArg}"`,
        );
      }
      const { loadPanelConfig } = await import("../../config/mod.ts");
      const rec = await import("../../reconciler/mod.ts");
      const panel = await loadPanelConfig(ws);
      const result = await rec.withLock(ws, async (recovery) => {
        if (recovery.action !== "none") ctx.out.note(`[50] [NOTE] recovery: ${recovery.detail}`);
        return await rec.rollbackTo(ws, seqArg === undefined ? undefined : Number(seqArg), {
          participants: ctx.participants,
          hooks: ctx.hooks,
          prepareTimeoutMs: panel.apply?.prepare_timeout_ms,
          verifyWindowMs: panel.apply?.verify_window_ms,
          onEvent: (line) => ctx.out.note(`[50] [INFO] ${line}`),
        });
      }, { command: "rollback", hooks: ctx.hooks });
      ctx.out.result(result);
      if (result.status === "noop") {
        ctx.out.line(
          `[50] [INFO] The committed graph already is the one of seq ${result.to_seq} (${result.graph_hash}); nothing to do`,
        );
      } else if (result.status === "rolled-back-to") {
        ctx.out.line(
          `[50] [INFO] Rolled back to the graph of seq ${result.to_seq}: new seq ${result.seq}, graph ${result.graph_hash} ` +
            `(${result.routes} routes, +${result.adds} -${result.dels}) ` +
            `committed in ${result.commit_ms.toFixed(0)} ms`,
        );
      } else {
        ctx.setExit(EXIT.failure);
        ctx.out.error(
          `rollback aborted: ${result.failure?.reason}; committed graph unchanged (${result.graph_hash}, seq ${result.seq})`,
        );
      }
    });
}
