/**
 * The `rtt-deno` command line: argument parsing (commander), dispatch to the
 * command modules, and the single error boundary mapping errors to exit codes.
 *
 * Command modules import their heavy libraries lazily inside their actions,
 * so `--version`, `--help` and `status` stay fast.
 *
 * @module
 */
import { Command, CommanderError } from "commander";
import { errorMessage } from "../core/mod.ts";
import { registerCommands } from "./commands/mod.ts";
import {
  bindContext,
  boundContext,
  type CliCommand,
  type CommandContext,
  createContext,
  type GlobalOptions,
  type Injected,
} from "./context.ts";
import { errorJson, EXIT, exitCodeFor } from "./errors.ts";
import { Output } from "./output.ts";
import { VERSION } from "./version.ts";

export { EXIT, UsageError } from "./errors.ts";
export {
  type CliCommand,
  type CommandContext,
  contextOf,
  type GlobalOptions,
  type Injected,
} from "./context.ts";
export { formatTable, Output } from "./output.ts";
export { VERSION } from "./version.ts";

/** Builds the program (exposed for tests and help generation). */
export function buildProgram(options: RunOptions = {}): CliCommand {
  const program = new Command("rtt-deno")
    .description(
      "RTT: signed registry, deterministic plans, atomic apply and a local fabric for AI agents and tools",
    )
    .version(VERSION, "-V, --version", "print the version")
    .option(
      "-w, --workspace <dir>",
      "workspace folder (default: nearest ancestor holding .rtt/, else the current folder)",
    )
    .option("--json", "machine-readable output")
    .option("--debug", "print stacks on errors")
    .option("-q, --quiet", "print only results and errors")
    .showSuggestionAfterError(true)
    .showHelpAfterError(false)
    .exitOverride()
    .configureOutput({ outputError: () => {} });
  registerCommands(program);
  for (const cmd of program.commands) applyDefaults(cmd);
  // The context (output, workspace) is built from the parsed global options right before the
  // action runs, so every command sees the same --json/--quiet/--workspace.
  program.hook("preAction", (_root, action) => {
    const globals = action.optsWithGlobals() as GlobalOptions;
    const out = options.sinks ? new Output(globals, options.sinks) : undefined;
    bindContext(action, createContext(globals, out, options));
  });
  return program;
}

function applyDefaults(cmd: Command): void {
  cmd.exitOverride().showSuggestionAfterError(true).configureOutput({ outputError: () => {} });
  for (const sub of cmd.commands) applyDefaults(sub);
}

function commanderMessage(err: CommanderError): string {
  return err.message.replace(/^error: /, "").replace(/\n+/g, " ").trim();
}

/** Options for {@linkcode run}. */
export interface RunOptions extends Injected {
  /** Capture output instead of writing to stdout/stderr (tests). */
  sinks?: { out?: (s: string) => void; err?: (s: string) => void };
}

/**
 * Runs the CLI on `args` (without the program name) and returns the exit
 * code. Never exits the process itself.
 */
export async function run(args: string[], options: RunOptions = {}): Promise<number> {
  const program = buildProgram(options);
  const early = parseGlobalsLoosely(args);
  const earlyCtx = createContext(
    early,
    options.sinks ? new Output(early, options.sinks) : undefined,
    options,
  );
  if (args.length === 0) {
    earlyCtx.out.stderr(program.helpInformation());
    return EXIT.usage;
  }
  try {
    await program.parseAsync(args, { from: "user" });
    return boundContext(program)?.exitCode ?? 0;
  } catch (err) {
    return reportError(boundContext(program) ?? earlyCtx, err);
  }
}

// The error boundary: one red line (and the stack with --debug), the exit code from the error.
function reportError(ctx: CommandContext, err: unknown): number {
  const out = ctx.out;
  if (err instanceof CommanderError) {
    if (err.code === "commander.helpDisplayed" || err.code === "commander.version") return 0;
    if (err.code === "commander.help") return EXIT.usage;
    out.error(commanderMessage(err));
    return EXIT.usage;
  }
  const code = exitCodeFor(err);
  if (out.json) out.result(errorJson(err, code));
  out.error(errorMessage(err));
  if (out.debug && err instanceof Error) {
    out.stderr(err.stack ?? "");
    let cause = err.cause;
    while (cause) {
      out.stderr("caused by: " + (cause instanceof Error ? cause.stack : String(cause)));
      cause = cause instanceof Error ? cause.cause : undefined;
    }
  }
  return code;
}

// Global flags are needed before commander runs (to format its own errors).
function parseGlobalsLoosely(args: string[]) {
  return {
    json: args.includes("--json"),
    debug: args.includes("--debug"),
    quiet: args.includes("--quiet") || args.includes("-q"),
  };
}
