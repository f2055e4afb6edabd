/**
 * `recover`: finish or undo an interrupted transaction from the WAL.
 *
 * @module
 */
import type { Hooks, Workspace } from "../core/mod.ts";
import { recover, type RecoveryReport } from "../reconciler/mod.ts";

/** Options for {@linkcode recoverWorkspace}. */
export interface RecoverWorkspaceOptions {
  /** Test hooks passed down to the writers (default: none). */
  hooks?: Hooks;
}

/** What recovery did, and the committed state it left. */
export interface RecoverReport {
  /** What recovery did (`none` when the log was clean). */
  recovery: RecoveryReport;
  /** The committed state afterwards. */
  committed: { seq: number; graph_hash: string; routes: number };
}

/**
 * Brings the workspace to a consistent committed state (idempotent).
 * @throws {IoError} when another live process holds the lock
 * @throws {VerificationError} when the WAL is corrupt before its tail
 */
export async function recoverWorkspace(
  ws: Workspace,
  options: RecoverWorkspaceOptions = {},
): Promise<RecoverReport> {
  const { readCommittedState } = await import("../graph/mod.ts");
  const recovery: RecoveryReport = await recover(ws, { hooks: options.hooks });
  const state = await readCommittedState(ws);
  return {
    recovery,
    committed: { seq: state.seq, graph_hash: state.graph_hash, routes: state.graph.routes.length },
  };
}
