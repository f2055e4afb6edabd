import type { Command } from "commander";
import { contextOf } from "../context.ts";
import { exists } from "../../core/mod.ts";

/** `rtt-deno status` */
export function registerStatus(program: Command): void {
  program.command("status")
    .description(
      "show the workspace, its signing key, the committed graph (hash, seq), the last plan and any lock",
    )
    .action(async (_opts: unknown, cmd: Command) => {
      const ctx = contextOf(cmd);
      const ws = ctx.workspace();
      const initialised = await exists(ws.rtt);
      let keyId: string | null = null;
      try {
        keyId = JSON.parse(await Deno.readTextFile(`${ws.keys}/default.pub.json`)).key_id ?? null;
      } catch { /* no key yet */ }
      const { reconcilerStatus } = await import("../../reconciler/mod.ts");
      const r = initialised ? await reconcilerStatus(ws, { hooks: ctx.hooks }) : null;
      const status = {
        workspace: ws.root,
        initialised,
        key_id: keyId,
        committed: r?.committed ?? null,
        last_applied: r?.last_applied ?? null,
        lock: r?.lock ?? null,
        recovery: r?.recovery ?? null,
        recovery_pending: r?.recovery_pending ?? false,
      };
      ctx.out.result(status);
      ctx.out.line(
        `workspace   ${ws.root}${initialised ? "" : " (not initialised: run rtt-deno init)"}`,
      );
      ctx.out.line(`signing key ${keyId ?? "none"}`);
      if (!r) return;
      const { committed: c, last_applied: lastApplied, lock } = r;
      ctx.out.line(
        `committed   seq ${c.seq}, graph ${c.graph_hash} (${c.routes} routes)${
          c.seq === 0 ? ", nothing applied yet" : c.plan_id ? "" : ", from a rollback"
        }`,
      );
      ctx.out.line(
        `last plan   ${
          lastApplied
            ? `${lastApplied.plan_id} (seq ${lastApplied.seq}, ${lastApplied.applied_at})`
            : "none"
        }`,
      );
      if (lock) {
        ctx.out.line(
          `lock        ${lock.id}: ${lock.command} pid ${lock.pid} since ${lock.started_at} (running)`,
        );
      } else ctx.out.line("lock        none");
      if (status.recovery) ctx.out.line(`recovery    ${status.recovery.detail}`);
      if (r.recovery_pending) {
        ctx.out.line("recovery    pending: an unfinished transaction is in the WAL");
      }
    });
}
