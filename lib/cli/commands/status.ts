/**
 * `rtt-deno status`: call {@linkcode workspaceStatus}, render.
 *
 * @module
 */
import type { Command } from "commander";
import type { WorkspaceStatus } from "../../pipeline/workspace_status.ts";
import { type CommandContext, contextOf } from "../context.ts";
import { EXIT } from "../errors.ts";

/** `rtt-deno status` */
export function registerStatus(program: Command): void {
  program.command("status")
    .description(
      "show the workspace, its signing key, the committed graph (hash, seq), the last plan and any lock",
    )
    .action(async (_opts: unknown, cmd: Command) => {
      const ctx = contextOf(cmd);
      // The use case's own module, not pipeline/mod.ts: that one loads every use case and
      // their configuration parsers, which the most-run command must not pay for.
      const { workspaceStatus } = await import("../../pipeline/workspace_status.ts");
      const status = await workspaceStatus(ctx.workspace(), { hooks: ctx.hooks });
      ctx.out.result(status);
      renderStatus(ctx, status);
      if (!status.initialised) {
        // Not an error thrown by the use case: the report is still worth printing.
        ctx.out.error(
          `"${status.workspace}" is not an RTT workspace (no .rtt/): run "rtt-deno init"`,
        );
        ctx.setExit(EXIT.noInput);
      }
    });
}

function renderStatus(ctx: CommandContext, s: WorkspaceStatus): void {
  ctx.out.line(
    `workspace   ${s.workspace}${s.initialised ? "" : " (not initialised: run rtt-deno init)"}`,
  );
  ctx.out.line(`signing key ${s.key_id ?? "none"}`);
  const { committed: c, last_applied: last, lock } = s;
  if (!c) return;
  ctx.out.line(
    `committed   seq ${c.seq}, graph ${c.graph_hash} (${c.routes} routes)${
      c.seq === 0 ? ", nothing applied yet" : c.plan_id ? "" : ", from a rollback"
    }`,
  );
  ctx.out.line(
    `last plan   ${last ? `${last.plan_id} (seq ${last.seq}, ${last.applied_at})` : "none"}`,
  );
  if (lock) {
    ctx.out.line(
      `lock        ${lock.id}: ${lock.command} pid ${lock.pid} since ${lock.started_at} (running)`,
    );
  } else ctx.out.line("lock        none");
  if (s.recovery) ctx.out.line(`recovery    ${s.recovery.detail}`);
  if (s.recovery_pending) {
    ctx.out.line("recovery    pending: an unfinished transaction is in the WAL");
  }
}
