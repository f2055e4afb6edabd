/**
 * Stage 50, backwards: return to an earlier committed graph as a new
 * transaction (history is never rewritten).
 *
 * @module
 */
import { MissingInputError, type Workspace } from "../core/mod.ts";
import {
  type ReconcileResult,
  recoveryPending,
  rollbackTo as reconcileRollback,
} from "../reconciler/mod.ts";
import type { TransactionOptions } from "./stage_event.ts";
import { underTransactionLock } from "./_transaction.ts";

/** Options for {@linkcode rollbackTo}. */
export interface RollbackOptions extends TransactionOptions {
  /**
   * WAL seq of the COMMIT whose graph to return to (0 = the empty graph;
   * default: the commit before the current one).
   */
  seq?: number;
}

/** What a rollback did (status rolled-back-to, noop or aborted). */
export type RollbackReport = ReconcileResult & {
  /** The seq whose graph was the target. */
  to_seq: number;
};

/**
 * Returns to the graph committed at `seq`.
 * @throws {MissingInputError} when no graph has been committed yet and no seq is given (66)
 * @throws {UsageError} when `seq` is not a COMMIT record (64)
 * @throws {IoError} when the workspace is locked
 */
export async function rollbackTo(
  ws: Workspace,
  options: RollbackOptions = {},
): Promise<RollbackReport> {
  const { readCommittedState } = await import("../graph/mod.ts");
  // Checked before the lock, which an uninitialised folder cannot hold.
  if (
    options.seq === undefined && (await readCommittedState(ws)).seq === 0 &&
    !(await recoveryPending(ws))
  ) {
    throw new MissingInputError("Nothing to roll back: no graph has been committed yet");
  }
  const { loadPanelConfig } = await import("../config/mod.ts");
  const panel = await loadPanelConfig(ws);
  return await underTransactionLock(
    ws,
    "rollback",
    panel,
    options,
    (reconcile) => reconcileRollback(ws, options.seq, reconcile),
  );
}
