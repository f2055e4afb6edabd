import type { Command } from "commander";
import { contextOf } from "../context.ts";
import { exists } from "../../core/mod.ts";

/** `rtt-deno status` */
export function registerStatus(program: Command): void {
  program.command("status")
    .description("show the workspace, its signing key and committed state")
    .action(async (_opts: unknown, cmd: Command) => {
      const ctx = contextOf(cmd);
      const ws = ctx.workspace();
      const initialised = await exists(ws.rtt);
      let keyId: string | null = null;
      try {
        keyId = JSON.parse(await Deno.readTextFile(`${ws.keys}/default.pub.json`)).key_id ?? null;
      } catch { /* no key yet */ }
      const status = { workspace: ws.root, initialised, key_id: keyId };
      ctx.out.result(status);
      ctx.out.line(
        `workspace   ${ws.root}${initialised ? "" : " (not initialised: run rtt-deno init)"}`,
      );
      ctx.out.line(`signing key ${keyId ?? "none"}`);
    });
}
