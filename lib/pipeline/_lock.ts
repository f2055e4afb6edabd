/**
 * The workspace lock as the use cases take it.
 *
 * @module
 */
import { acquireWorkspaceLock, type Hooks, type Workspace } from "../core/mod.ts";

/**
 * Runs a write to the registry or trust root under the workspace lock (the same one apply takes),
 * so two writers, or gc during an ingest, never interleave their index and
 * object updates.
 */
export async function underWorkspaceLock<T>(
  ws: Workspace,
  command: string,
  fn: () => Promise<T>,
  options: { hooks?: Hooks } = {},
): Promise<T> {
  const lock = await acquireWorkspaceLock(ws, command, options);
  try {
    return await fn();
  } finally {
    await lock.release();
  }
}
