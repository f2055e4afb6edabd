/**
 * `status`: the workspace at a glance (signing key, committed graph, last
 * plan, lock, recovery). Loads nothing heavy: it is the command people run
 * most.
 *
 * @module
 */
import { exists, type Hooks, type Workspace } from "../core/mod.ts";
import { type ReconcilerStatus, reconcilerStatus, type RecoverOptions } from "../reconciler/mod.ts";
import { publicKeyId } from "../security/mod.ts";

/** Options for {@linkcode workspaceStatus}. */
export interface WorkspaceStatusOptions {
  /** Test hooks for the recovery status may run. */
  hooks?: Hooks;
}

/** The workspace at a glance. */
export interface WorkspaceStatus {
  /** Workspace root. */
  workspace: string;
  /** `.rtt/` exists. */
  initialised: boolean;
  /** Id of the default signing key (null when there is none). */
  key_id: string | null;
  /** The committed graph (null when the workspace is not initialised). */
  committed: ReconcilerStatus["committed"] | null;
  /** The last plan applied (null when none was). */
  last_applied: ReconcilerStatus["last_applied"];
  /** Who holds the workspace lock (null when nobody does). */
  lock: ReconcilerStatus["lock"];
  /** What recovery did now (null when nothing). */
  recovery: ReconcilerStatus["recovery"];
  /** An unfinished transaction waits for recovery (the lock is held). */
  recovery_pending: boolean;
}

/**
 * Reports the workspace. Runs recovery when nobody holds the lock (so the
 * committed graph shown is consistent); otherwise only detects that it is
 * pending.
 */
export async function workspaceStatus(
  ws: Workspace,
  options: WorkspaceStatusOptions = {},
): Promise<WorkspaceStatus> {
  const initialised = await exists(ws.rtt);
  const keyId = await publicKeyId(ws);
  const recoverOptions: RecoverOptions & { hooks?: Hooks } = { hooks: options.hooks };
  const r = initialised ? await reconcilerStatus(ws, recoverOptions) : null;
  return {
    workspace: ws.root,
    initialised,
    key_id: keyId,
    committed: r?.committed ?? null,
    last_applied: r?.last_applied ?? null,
    lock: r?.lock ?? null,
    recovery: r?.recovery ?? null,
    recovery_pending: r?.recovery_pending ?? false,
  };
}
