/**
 * Reading `plans/last_applied.json` (written by the commit, see
 * `transaction.ts`), checked against its schema like every internal file.
 *
 * @module
 */
import { relativePath, type Workspace } from "../core/mod.ts";
import { readInternalJsonIfExists } from "../config/internal_json.ts";
import { type LastApplied, lastAppliedPath } from "./transaction.ts";

/**
 * The last applied plan, or null when nothing was applied yet.
 * @throws {SchemaError} naming the file and position when it is damaged (exit 65).
 */
export async function readLastApplied(ws: Workspace): Promise<LastApplied | null> {
  const path = lastAppliedPath(ws);
  return await readInternalJsonIfExists<LastApplied>(path, "lastApplied", {
    display: relativePath(ws.root, path),
  }) ?? null;
}
