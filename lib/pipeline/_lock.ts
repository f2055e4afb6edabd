/**
 * The workspace lock as the use cases take it.
 *
 * @module
 */
import type { Hooks, Workspace } from "../core/mod.ts";

/**
 * Runs a write to the registry or trust root under the workspace lock (the same one apply takes),
 * so two writers, or gc during an ingest, never interleave their index and
 * object updates. `_options.hooks` are for the lock's own crash points; the
 * reconciler's lock does not take them yet.
 */
export async function underWorkspaceLock<T>(
  ws: Workspace,
  command: string,
  fn: () => Promise<T>,
  _options: { hooks?: Hooks } = {},
): Promise<T> {
  const { acquireLock } = await import("../reconciler/mod.ts");
  const lock = await acquireLock(ws, command);
  try {
    return await fn();
  } finally {
    await lock.release();
  }
}
