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
      const rec = await import("../../reconciler/mod.ts");
      const { readCommittedState } = await import("../../graph/mod.ts");
      const lock = await rec.readLock(ws);
      // Recovery writes, so it only runs when nobody holds the lock; otherwise report what is pending.
      let recovery: { action: string; detail: string } | null = null;
      let pending = false;
      if (initialised && !lock) recovery = await rec.recover(ws);
      else if (initialised) pending = await rec.recoveryPending(ws);
      const state = await readCommittedState(ws);
      let lastApplied: Record<string, unknown> | null = null;
      try {
        lastApplied = JSON.parse(await Deno.readTextFile(rec.lastAppliedPath(ws)));
      } catch { /* nothing applied yet */ }
      const status = {
        workspace: ws.root,
        initialised,
        key_id: keyId,
        committed: {
          seq: state.seq,
          graph_hash: state.graph_hash,
          plan_id: state.plan_id,
          routes: state.graph.routes.length,
        },
        last_applied: lastApplied,
        lock,
        recovery: recovery && recovery.action !== "none" ? recovery : null,
        recovery_pending: pending,
      };
      ctx.out.result(status);
      ctx.out.line(
        `workspace   ${ws.root}${initialised ? "" : " (not initialised: run rtt-deno init)"}`,
      );
      ctx.out.line(`signing key ${keyId ?? "none"}`);
      ctx.out.line(
        `committed   seq ${state.seq}, graph ${state.graph_hash} (${state.graph.routes.length} routes)${
          state.seq === 0 ? ", nothing applied yet" : state.plan_id ? "" : ", from a rollback"
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
          `lock        ${lock.id}: ${lock.command} pid ${lock.pid} since ${lock.started_at} ` +
            (lock.alive ? "(running)" : `(DEAD: run "rtt-deno recover --break-lock ${lock.id}")`),
        );
      } else ctx.out.line("lock        none");
      if (status.recovery) ctx.out.line(`recovery    ${status.recovery.detail}`);
      if (pending) ctx.out.line("recovery    pending: an unfinished transaction is in the WAL");
    });
}
