import type { Command } from "commander";
import { contextOf } from "../context.ts";

/** One pipeline stage: its number, name and the commands it runs. */
interface Stage {
  id: string;
  name: string;
  commands: string[][];
}

function stages(opts: AutoOptions): Stage[] {
  return [
    { id: "00", name: "init", commands: [["init"]] },
    { id: "10", name: "scan", commands: [["scan"]] },
    { id: "20", name: "doctor", commands: [["doctor"]] },
    {
      id: "30",
      name: "registry",
      commands: [["registry", "ingest", ...(opts.sign ? ["--sign"] : [])], ["registry", "verify"]],
    },
    { id: "40", name: "plan", commands: [["plan", "--solver", opts.solver]] },
    { id: "50", name: "apply", commands: [["apply", ...(opts.dryRun ? ["--dry-run"] : [])]] },
  ];
}

interface AutoOptions {
  sign?: boolean;
  solver: string;
  dryRun?: boolean;
}

/**
 * `rtt-deno auto`: stages 00 to 50 in order, each exactly as its own command
 * runs it (same checks, same output), stopping at the first failing stage
 * with that stage's exit code.
 */
export function registerAuto(program: Command): void {
  program.command("auto")
    .description(
      "run the pipeline: 00 init, 10 scan, 20 doctor, 30 registry ingest+verify, 40 plan, 50 apply",
    )
    .option(
      "--sign",
      "stage 30 vouches for unsigned manifests with the default key (registry ingest --sign)",
    )
    .option("--solver <name>", "stage 40 solver: exact, greedy or auto", "auto")
    .option("--dry-run", "stage 50 validates and prints the delta without applying")
    .action(async (opts: AutoOptions, cmd: Command) => {
      const ctx = contextOf(cmd);
      const { run } = await import("../mod.ts");
      const g = ctx.globals;
      const globalArgs = [
        "--workspace",
        ctx.workspace().root,
        ...(g.json ? ["--json"] : []),
        ...(g.quiet ? ["--quiet"] : []),
        ...(g.debug ? ["--debug"] : []),
      ];
      const report: Array<{ stage: string; name: string; exit_code: number; results: unknown[] }> =
        [];
      const t0 = performance.now();
      for (const stage of stages(opts)) {
        const results: unknown[] = [];
        let code = 0;
        for (const args of stage.commands) {
          let captured = "";
          code = await run(
            [...globalArgs, ...args],
            {
              hooks: ctx.hooks,
              participants: ctx.participants,
              ...(g.json ? { sinks: { out: (s: string) => void (captured += s) } } : {}),
            },
          );
          if (g.json && captured.trim()) results.push(JSON.parse(captured));
          if (code !== 0) break;
        }
        report.push({ stage: stage.id, name: stage.name, exit_code: code, results });
        if (code !== 0) {
          ctx.out.line(
            `[${stage.id}] [ERROR] stage ${stage.id} (${stage.name}) failed with exit ${code}; pipeline stopped`,
          );
          ctx.out.result({ ok: false, failed_stage: stage.id, exit_code: code, stages: report });
          ctx.setExit(code);
          return;
        }
      }
      const ms = performance.now() - t0;
      ctx.out.line(`[50] [INFO] Pipeline complete: stages 00-50 in ${(ms / 1000).toFixed(2)} s`);
      ctx.out.result({ ok: true, exit_code: 0, elapsed_ms: Math.round(ms), stages: report });
    });
}
