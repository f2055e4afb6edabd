/**
 * What apply and rollback share: the workspace lock with recovery first, and
 * the reconciler options built from panel.yaml and the caller's options.
 *
 * @module
 */
import type { Hooks, Workspace } from "../core/mod.ts";
import type { PanelConfig } from "../config/mod.ts";
import { type ReconcileOptions, withLock, type WithLockOptions } from "../reconciler/mod.ts";
import type { TransactionOptions } from "./stage_event.ts";

/** Reconciler options plus the hooks the writers below them honour. */
export type ReconcileWith = ReconcileOptions & { hooks?: Hooks };

/**
 * Runs `fn` holding the workspace lock, after recovery (reported as a note),
 * with the reconciler options for this transaction.
 */
export async function underTransactionLock<T>(
  ws: Workspace,
  command: string,
  panel: PanelConfig,
  options: TransactionOptions,
  fn: (reconcile: ReconcileWith) => Promise<T>,
): Promise<T> {
  const reconcile: ReconcileWith = {
    participants: [...(options.participants ?? [])],
    prepareTimeoutMs: panel.apply?.prepare_timeout_ms,
    verifyWindowMs: panel.apply?.verify_window_ms,
    onEvent: (line) => options.onEvent?.({ level: "info", message: line }),
    hooks: options.hooks,
  };
  const lockOptions: WithLockOptions & { hooks?: Hooks } = {
    command,
    hooks: options.hooks,
  };
  return await withLock(ws, async (recovery) => {
    if (recovery.action !== "none") {
      options.onEvent?.({ level: "note", message: `recovery: ${recovery.detail}` });
    }
    return await fn(reconcile);
  }, lockOptions);
}
