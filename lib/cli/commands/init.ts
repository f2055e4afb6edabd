import type { Command } from "commander";
import { contextOf } from "../context.ts";
import { findWorkspace, resolvePath } from "../../core/mod.ts";

/** `rtt-deno init [dir]` */
export function registerInit(program: Command): void {
  program.command("init")
    .description(
      "create the .rtt/ layout, default config and a signing key where absent (idempotent)",
    )
    .argument("[dir]", "workspace folder (default: --workspace or the current folder)")
    .action(async (dir: string | undefined, _opts: unknown, cmd: Command) => {
      const ctx = contextOf(cmd);
      const { initWorkspace } = await import("../../pipeline/mod.ts");
      const ws = findWorkspace(dir ? resolvePath(dir) : (ctx.globals.workspace ?? Deno.cwd()));
      const r = await initWorkspace(ws, { hooks: ctx.hooks });
      ctx.out.result(r);
      const changed = r.createdDirs.length + r.createdFiles.length + (r.createdKey ? 1 : 0);
      ctx.out.line(
        changed
          ? `[00] [INFO] Initialised workspace ${r.root}`
          : `[00] [INFO] Workspace ${r.root} already initialised; nothing changed`,
      );
      for (const f of r.createdFiles) ctx.out.note(`  created ${f}`);
      for (const f of r.keptFiles) ctx.out.note(`  kept    ${f}`);
      if (r.createdDirs.length) ctx.out.note(`  created ${r.createdDirs.length} folder(s)`);
      ctx.out.note(
        r.createdKey
          ? `  created signing key ${r.keyId} (.rtt/keys/default.key.json, mode 600)`
          : `  signing key ${r.keyId}`,
      );
      if (r.createdTrustRoot) {
        ctx.out.note(`  created trust root v1 trusting ${r.keyId} for root, manifests, plans`);
      }
    });
}
