/**
 * `rtt-deno rollback` (stage 50): parse, call {@linkcode rollbackTo}, render.
 *
 * @module
 */
import type { Command } from "commander";
import { nonNegativeInteger } from "../arguments.ts";
import { contextOf } from "../context.ts";
import { EXIT } from "../errors.ts";
import { stageReporter } from "../stage_reporter.ts";

/** `rtt-deno rollback [seq]` */
export function registerRollback(program: Command): void {
  program.command("rollback")
    .description(
      "return to the graph committed at <seq> (default: the commit before the current one) as a new transaction",
    )
    .argument(
      "[seq]",
      "WAL seq of a COMMIT record (0 = the empty graph)",
      nonNegativeInteger("rollback expects a WAL seq (a non-negative integer)"),
    )
    .action(async (seq: number | undefined, _opts: unknown, cmd: Command) => {
      const ctx = contextOf(cmd);
      const stage = stageReporter(ctx.out, "50");
      const { rollbackTo } = await import("../../pipeline/mod.ts");
      const r = await rollbackTo(ctx.workspace(), {
        seq,
        hooks: ctx.hooks,
        participants: ctx.participants,
        onEvent: stage.onEvent,
      });
      ctx.out.result(r);
      if (r.status === "noop") {
        stage.info(
          `The committed graph already is the one of seq ${r.to_seq} (${r.graph_hash}); nothing to do`,
        );
      } else if (r.status === "rolled-back-to") {
        stage.info(
          `Rolled back to the graph of seq ${r.to_seq}: new seq ${r.seq}, graph ${r.graph_hash} ` +
            `(${r.routes} routes, +${r.adds} -${r.dels}) ` +
            `committed in ${r.commit_ms.toFixed(0)} ms`,
        );
      } else {
        ctx.setExit(EXIT.failure);
        ctx.out.error(
          `rollback aborted: ${r.failure?.reason}; committed graph unchanged (${r.graph_hash}, seq ${r.seq})`,
        );
      }
    });
}
