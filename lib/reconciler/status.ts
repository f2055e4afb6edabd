/**
 * What `rtt-deno status` shows about the reconciler, gathered in one call
 * that loads nothing heavy: the committed graph, the last applied plan, the
 * lock, and recovery (run when nobody holds the lock, otherwise only
 * detected, because recovery writes).
 *
 * @module
 */
import { type Hooks, type LockOwner, readWorkspaceLock, type Workspace } from "../core/mod.ts";
import { readCommittedState } from "../graph/mod.ts";
import { recover, recoveryPending, type RecoveryReport } from "./recover.ts";
import type { LastApplied } from "./transaction.ts";
import { readLastApplied } from "./last_applied.ts";

/** Reconciler part of `status`. */
export interface ReconcilerStatus {
  /** The committed graph after any recovery: its seq, hash, plan and route count. */
  committed: { seq: number; graph_hash: string; plan_id: string | null; routes: number };
  /** `plans/last_applied.json` (null when no plan was ever applied). */
  last_applied: LastApplied | null;
  /** The live holder of the workspace lock, if any. */
  lock: LockOwner | null;
  /** What recovery did now (null when nothing). */
  recovery: RecoveryReport | null;
  /** An unfinished transaction waits for recovery (the lock is held). */
  recovery_pending: boolean;
}

/** Recovers when possible, then reports the committed state, last plan and lock. */
export async function reconcilerStatus(
  ws: Workspace,
  options: { hooks?: Hooks } = {},
): Promise<ReconcilerStatus> {
  const lock = await readWorkspaceLock(ws);
  let recovery: RecoveryReport | null = null;
  let pending = false;
  if (!lock) {
    const r = await recover(ws, options);
    if (r.action !== "none") recovery = r;
  } else pending = await recoveryPending(ws);
  const state = await readCommittedState(ws);
  const last = await readLastApplied(ws);
  return {
    committed: {
      seq: state.seq,
      graph_hash: state.graph_hash,
      plan_id: state.plan_id,
      routes: state.graph.routes.length,
    },
    last_applied: last,
    lock,
    recovery,
    recovery_pending: pending,
  };
}
