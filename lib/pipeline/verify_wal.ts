/**
 * `wal verify`: the WAL's hash chain end to end, across every segment, and
 * the committed state against the WAL's last END.
 *
 * @module
 */
import type { Workspace } from "../core/mod.ts";
import type { WalVerifyReport } from "../reconciler/mod.ts";

/** A WAL whose chain verified and whose last END matches the committed state. */
export type WalVerification = WalVerifyReport;

/**
 * Checks the chain and the state. An unfinished last transaction is
 * reported, not refused: recovery resolves it.
 * @throws {VerificationError} when the chain is broken or the committed state does not match the last END (77)
 */
export async function verifyWal(ws: Workspace): Promise<WalVerification> {
  const { verifyWalHistory } = await import("../reconciler/mod.ts");
  return await verifyWalHistory(ws);
}
