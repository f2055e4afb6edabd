/**
 * What every command action gets: output, workspace and exit-code setter,
 * built from the global options.
 *
 * @module
 */
import type { Command } from "commander";
import { findWorkspace, type Hooks, NO_HOOKS, type Workspace } from "../core/mod.ts";
import type { Participant } from "../reconciler/mod.ts";
import { Output } from "./output.ts";

/** Global options every command accepts. */
export interface GlobalOptions {
  workspace?: string;
  json?: boolean;
  debug?: boolean;
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

let current: CommandContext | undefined;

/** Creates the context for one command run (the CLI does it before each action). */
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
  current = ctx;
  return ctx;
}

/** The context of the running command (created from its parsed global options). */
export function contextOf(cmd: Command): CommandContext {
  return current ?? createContext(cmd.optsWithGlobals() as GlobalOptions);
}

/** Makes `ctx` current again (a nested CLI run restores its caller's context). */
export function restoreContext(ctx: CommandContext | undefined): void {
  current = ctx;
}

/** The most recent context (for the error boundary). */
export function lastContext(): CommandContext | undefined {
  return current;
}
