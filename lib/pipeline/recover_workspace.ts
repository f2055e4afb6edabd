/**
 * `recover`: finish or undo an interrupted transaction from the WAL.
 *
 * @module
 */
import type { Hooks, Workspace } from "../core/mod.ts";
import {
  recover,
  type RecoverOptions,
  type RecoveryReport,
  withLock,
  type WithLockOptions,
} from "../reconciler/mod.ts";

/** Options for {@linkcode recoverWorkspace}. */
export interface RecoverWorkspaceOptions {
  /** Test hooks passed down to the writers (default: none). */
  hooks?: Hooks;
  /** Break the lock a dead process left behind, if its id is this one. */
  breakLock?: string;
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
 * @throws {IoError} when another process holds the lock, or a dead one's lock is not named by `breakLock`
 * @throws {VerificationError} when the WAL is corrupt before its tail
 */
export async function recoverWorkspace(
  ws: Workspace,
  options: RecoverWorkspaceOptions = {},
): Promise<RecoverReport> {
  const { readCommittedState } = await import("../graph/mod.ts");
  let recovery: RecoveryReport;
  if (options.breakLock !== undefined) {
    // Breaking a lock needs the lock taken even when the log looks clean.
    const lockOptions: WithLockOptions & { hooks?: Hooks } = {
      command: "recover",
      breakLock: options.breakLock,
      hooks: options.hooks,
    };
    recovery = await withLock(ws, (r) => Promise.resolve(r), lockOptions);
  } else {
    const recoverOptions: RecoverOptions & { hooks?: Hooks } = { hooks: options.hooks };
    recovery = await recover(ws, recoverOptions);
  }
  const state = await readCommittedState(ws);
  return {
    recovery,
    committed: { seq: state.seq, graph_hash: state.graph_hash, routes: state.graph.routes.length },
  };
}
