/**
 * One writer at a time: `.rtt/lock` holds the owner's pid and a random id.
 * It is created atomically with its full content (written to a temp file,
 * then hard-linked into place, which fails when a lock exists), so a crash
 * never leaves a half-written lock. A lock whose owner died stays until a
 * person breaks it with its id: the owner may have crashed mid-transaction,
 * and breaking it is the explicit step that hands the workspace to recovery.
 *
 * @module
 */
import { crashPoint, type Workspace } from "../core/mod.ts";
import { processAlive } from "../../ffi/mod.ts";
import { IoError } from "../core/mod.ts";
import { isNotFound } from "../core/mod.ts";

/** Content of `.rtt/lock`. */
export interface LockInfo {
  /** Random id the owner chose; `--break-lock <id>` must name it. */
  id: string;
  pid: number;
  /** Command that took the lock (apply, rollback, recover). */
  command: string;
  started_at: string;
}

/** A lock as found on disk. */
export interface LockState extends LockInfo {
  /** Whether the owner process is still running. */
  alive: boolean;
}

/** A lock held by this process. */
export interface HeldLock {
  info: LockInfo;
  /** Removes the lock (only if it is still ours). */
  release(): Promise<void>;
}

/** Path of the lock file. */
export function lockPath(ws: Workspace): string {
  return `${ws.rtt}/lock`;
}

// Deno refuses to stat /proc/<pid> under the product's permission set (it wants --allow-all),
// and a failed stat must never read as "dead": that would let a live apply's lock be broken.
const pidAlive = processAlive;

/** Reads the lock, or null when there is none. A malformed lock reads as dead with id "corrupt". */
export async function readLock(ws: Workspace): Promise<LockState | null> {
  let text: string;
  try {
    text = await Deno.readTextFile(lockPath(ws));
  } catch (err) {
    if (isNotFound(err)) return null;
    throw err;
  }
  try {
    const info = JSON.parse(text) as LockInfo;
    if (typeof info.id === "string" && Number.isInteger(info.pid)) {
      return { ...info, alive: pidAlive(info.pid) };
    }
  } catch { /* fall through */ }
  return { id: "corrupt", pid: 0, command: "unknown", started_at: "unknown", alive: false };
}

/** Removes lock temp files left by processes that died before linking theirs into place. */
async function removeStaleTemps(ws: Workspace): Promise<void> {
  for await (const e of Deno.readDir(ws.rtt)) {
    if (!e.isFile || !/^\.lock\.[0-9a-f]+\.tmp$/.test(e.name)) continue;
    const path = `${ws.rtt}/${e.name}`;
    try {
      const { pid } = JSON.parse(await Deno.readTextFile(path));
      if (Number.isInteger(pid) && pidAlive(pid)) continue;
    } catch { /* empty or partial: its writer died mid-write */ }
    await Deno.remove(path).catch(() => {});
  }
}

/** Options for {@linkcode acquireLock}. */
export interface AcquireLockOptions {
  /** Id of a dead owner's lock to break first. */
  breakLock?: string;
}

/**
 * Takes the workspace lock for `command`.
 * @throws {Deno.errors.Busy} when another live process holds it, or a dead
 * owner's lock exists and `breakLock` does not name it (exit 74).
 */
export async function acquireLock(
  ws: Workspace,
  command: string,
  options: AcquireLockOptions = {},
): Promise<HeldLock> {
  const path = lockPath(ws);
  const info: LockInfo = {
    id: crypto.getRandomValues(new Uint8Array(6)).toHex(),
    pid: Deno.pid,
    command,
    started_at: new Date().toISOString(),
  };
  const tmp = `${ws.rtt}/.lock.${info.id}.tmp`;
  crashPoint("lock:write");
  await Deno.writeTextFile(tmp, JSON.stringify(info) + "\n");
  try {
    for (let attempt = 0;; attempt++) {
      try {
        crashPoint("lock:link");
        await Deno.link(tmp, path);
        break;
      } catch (err) {
        if (!(err instanceof Deno.errors.AlreadyExists) || attempt > 0) throw err;
        const held = await readLock(ws);
        if (!held) continue;
        const who = `pid ${held.pid}, lock id ${held.id}, ${held.command} since ${held.started_at}`;
        if (held.alive) {
          throw new IoError(
            `Workspace is locked by a running rtt-deno ${held.command} (${who}); wait for it to finish`,
          );
        }
        if (options.breakLock !== held.id) {
          throw new IoError(
            `Workspace lock is held by a process that is no longer running (${who}): it crashed ` +
              `or was killed. Run "rtt-deno recover --break-lock ${held.id}" to break it and recover`,
          );
        }
        crashPoint("lock:break");
        await Deno.remove(path);
      }
    }
  } finally {
    await Deno.remove(tmp).catch(() => {});
  }
  await removeStaleTemps(ws);
  return {
    info,
    async release() {
      const now = await readLock(ws);
      if (now?.id === info.id) {
        crashPoint("lock:remove");
        await Deno.remove(path);
      }
    },
  };
}
