/**
 * What every command action gets: output, workspace and exit-code setter,
 * built from the global options.
 *
 * @module
 */
import type { Command } from "commander";
import { findWorkspace, type Hooks, NO_HOOKS, type Workspace } from "../core/mod.ts";
import type { Participant } from "../pipeline/mod.ts";
import { Output } from "./output.ts";

/**
 * A commander command: the program `buildProgram` returns, or one
 * of its subcommands as an action receives it. Named here so the CLI's
 * signatures need no re-export of commander's whole API.
 */
export type CliCommand = Command;

/** Global options every command accepts. */
export interface GlobalOptions {
  /** `--workspace`: the workspace folder (default: nearest ancestor holding `.rtt/`, else cwd). */
  workspace?: string;
  /** `--json`: exactly one JSON document on stdout, for machines. */
  json?: boolean;
  /** `--debug`: stacks and causes with errors. */
  debug?: boolean;
  /** `--quiet`: only results and errors. */
  quiet?: boolean;
}

/** Per-invocation state shared by the error boundary and the command. */
export interface CommandContext {
  /** Output honouring --json/--quiet/--debug. */
  out: Output;
  /** Global options as parsed. */
  globals: GlobalOptions;
  /** The workspace (resolved on first use). */
  workspace(): Workspace;
  /** Sets the process exit code without throwing (e.g. doctor's 1/2/3). */
  setExit(code: number): void;
  /** Exit code set so far. */
  exitCode: number;
  /** Test hooks to pass to every use case ({@linkcode NO_HOOKS} in the product). */
  hooks: Hooks;
  /** Extra 2PC participants to pass to apply/rollback/recover (tests only; empty in the product). */
  participants: readonly Participant[];
}

/** What a test-only entry point injects into a CLI run. */
export interface Injected {
  /** Test hooks (default {@linkcode NO_HOOKS}). */
  hooks?: Hooks;
  /** Extra participants (default none). */
  participants?: readonly Participant[];
}

// One context per program instance (keyed by its root command), so runs never share state.
const contexts = new WeakMap<Command, CommandContext>();

/** Creates the context of one command run. */
export function createContext(
  globals: GlobalOptions,
  out?: Output,
  injected: Injected = {},
): CommandContext {
  let ws: Workspace | undefined;
  const ctx: CommandContext = {
    out: out ?? new Output(globals),
    globals,
    workspace: () => (ws ??= findWorkspace(globals.workspace)),
    setExit(code: number) {
      ctx.exitCode = code;
    },
    exitCode: 0,
    hooks: injected.hooks ?? NO_HOOKS,
    participants: injected.participants ?? [],
  };
  return ctx;
}

function rootOf(cmd: Command): Command {
  let c = cmd;
  while (c.parent) c = c.parent;
  return c;
}

/** Makes `ctx` the context of every command of `cmd`'s program. */
export function bindContext(cmd: Command, ctx: CommandContext): void {
  contexts.set(rootOf(cmd), ctx);
}

/** The context bound to `cmd`'s program, if any. */
export function boundContext(cmd: Command): CommandContext | undefined {
  return contexts.get(rootOf(cmd));
}

/** The context of the running command (created from its parsed global options). */
export function contextOf(cmd: CliCommand): CommandContext {
  let ctx = boundContext(cmd);
  if (!ctx) {
    ctx = createContext(cmd.optsWithGlobals() as GlobalOptions);
    bindContext(cmd, ctx);
  }
  return ctx;
}
