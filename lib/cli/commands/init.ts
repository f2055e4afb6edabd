/**
 * `rtt-deno init` (stage 00): parse, call {@linkcode initWorkspace}, render;
 * {@linkcode showInit} is shared with `auto`.
 *
 * @module
 */
import type { Command } from "commander";
import { resolve } from "node:path";
import { contextOf } from "../context.ts";
import { findWorkspace } from "../../core/mod.ts";
import type { InitReport } from "../../pipeline/mod.ts";
import type { Output } from "../output.ts";
import { stageReporter } from "../stage_reporter.ts";

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
      const ws = findWorkspace(dir ? resolve(dir) : (ctx.globals.workspace ?? Deno.cwd()));
      const r = await initWorkspace(ws, { hooks: ctx.hooks });
      showInit(ctx.out, r);
    });
}

/** Prints an init report: the machine result and the human lines. */
export function showInit(out: Output, r: InitReport): void {
  out.result(r);
  const changed = r.createdDirs.length + r.createdFiles.length + (r.createdKey ? 1 : 0);
  stageReporter(out, "00").info(
    changed
      ? `Initialised workspace ${r.root}`
      : `Workspace ${r.root} already initialised; nothing changed`,
  );
  for (const f of r.createdFiles) out.note(`  created ${f}`);
  for (const f of r.keptFiles) out.note(`  kept    ${f}`);
  if (r.createdDirs.length) out.note(`  created ${r.createdDirs.length} folder(s)`);
  out.note(
    r.createdKey
      ? `  created signing key ${r.keyId} (.rtt/keys/default.key.json, mode 600)`
      : `  signing key ${r.keyId}`,
  );
  if (r.createdTrustRoot) {
    out.note(`  created trust root v1 trusting ${r.keyId} for root, manifests, plans`);
  }
}
