/**
 * One writer at a time per workspace, held as a kernel lock (`flock`) on
 * `.rtt/lock`. The kernel drops the lock when its holder exits or is killed,
 * so a crash never leaves a lock behind: the next command takes it and
 * recovers from the WAL on its own. The file also carries an owner record
 * (pid, id, command, start time) so `status` and a refused writer can say who
 * holds it and since when; the record is information only, the kernel lock is
 * the truth.
 *
 * The holder removes the file before it lets go. A waiter that opened the old
 * file then finds its lock on an unlinked inode and starts over, so two
 * processes never hold locks on different files under the same name.
 *
 * @example
 * ```ts
 * import { acquireWorkspaceLock, workspaceAt } from "./mod.ts";
 * const lock = await acquireWorkspaceLock(workspaceAt("."), "apply");
 * try {
 *   // write
 * } finally {
 *   await lock.release();
 * }
 * ```
 *
 * @module
 */
import { asFileError, IoError } from "./errors.ts";
import { type Hooks, NO_HOOKS } from "./hooks.ts";
import type { Workspace } from "./workspace.ts";

/** The owner record kept in `.rtt/lock` while the lock is held. */
export interface LockOwner {
  /** Random id of this holding (tells two holdings by the same pid apart). */
  id: string;
  /** Process id of the holder (0 while its record is being written). */
  pid: number;
  /** Command that took the lock (apply, rollback, recover, registry ingest, ...). */
  command: string;
  /** When the lock was taken (ISO 8601; `unknown` while the record is being written). */
  started_at: string;
}

/** The workspace lock as held by this process. */
export interface WorkspaceLock {
  /** What the lock file says about us. */
  readonly owner: LockOwner;
  /** Lets go of the lock (removes the file first). Idempotent. */
  release(): Promise<void>;
}

/** Options for {@linkcode acquireWorkspaceLock}. */
export interface AcquireLockOptions {
  /** How long to wait for a live holder to finish before failing (default 1000 ms). */
  waitMs?: number;
  /** Test hooks (`lock:write`, `lock:record`, `lock:remove`, `lock:unlock`). */
  hooks?: Hooks;
}

/** Default of {@linkcode AcquireLockOptions.waitMs}. */
export const LOCK_WAIT_MS = 1000;

const RETRY_MS = 20;

/** Path of the lock file. */
export function workspaceLockPath(ws: Workspace): string {
  return `${ws.rtt}/lock`;
}

/**
 * Takes the workspace lock for `command`, waiting up to `waitMs` for a live
 * holder.
 * @throws {IoError} naming the holder when it is still held after `waitMs`
 * (exit 74); {MissingInputError} when `.rtt/` does not exist.
 */
export async function acquireWorkspaceLock(
  ws: Workspace,
  command: string,
  options: AcquireLockOptions = {},
): Promise<WorkspaceLock> {
  const hooks = options.hooks ?? NO_HOOKS;
  const path = workspaceLockPath(ws);
  const deadline = performance.now() + (options.waitMs ?? LOCK_WAIT_MS);
  for (;;) {
    const file = await openLockFile(path);
    if (await file.tryLock(true)) {
      if (await isCurrentFile(file, path)) return await hold(ws, file, command, hooks);
      file.close(); // we locked a file its holder had just removed: take the new one
      continue;
    }
    file.close();
    if (performance.now() >= deadline) throw await busyError(ws);
    await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
  }
}

async function openLockFile(path: string): Promise<Deno.FsFile> {
  try {
    return await Deno.open(path, { read: true, write: true, create: true, mode: 0o644 });
  } catch (err) {
    throw asFileError(err, path, "Cannot open the workspace lock");
  }
}

async function isCurrentFile(file: Deno.FsFile, path: string): Promise<boolean> {
  const [mine, named] = await Promise.all([file.stat(), Deno.stat(path).catch(() => null)]);
  return named !== null && named.ino === mine.ino && named.dev === mine.dev;
}

async function hold(
  ws: Workspace,
  file: Deno.FsFile,
  command: string,
  hooks: Hooks,
): Promise<WorkspaceLock> {
  const path = workspaceLockPath(ws);
  const owner: LockOwner = {
    id: crypto.getRandomValues(new Uint8Array(6)).toHex(),
    pid: Deno.pid,
    command,
    started_at: new Date().toISOString(),
  };
  try {
    hooks.crashPoint("lock:write");
    // No fsync: after a power loss no process holds anything, whatever the record says.
    await file.truncate(0);
    // Held, with no owner record yet: a crash here leaves an empty lock file behind.
    hooks.crashPoint("lock:record");
    await file.write(new TextEncoder().encode(JSON.stringify(owner) + "\n"));
  } catch (err) {
    file.close();
    throw asFileError(err, path, "Cannot write the workspace lock");
  }
  let held = true;
  return {
    owner,
    async release() {
      if (!held) return;
      held = false;
      try {
        hooks.crashPoint("lock:remove");
        await Deno.remove(path);
        // The file is gone but the kernel lock is still held until the close below.
        hooks.crashPoint("lock:unlock");
      } finally {
        file.close();
      }
    },
  };
}

/**
 * Who holds the workspace lock, or null when nobody does (a record left by
 * a holder that died reads as null: the kernel released its lock). Takes a
 * shared lock for a moment to find out, which a writer waiting for the lock
 * simply retries past.
 */
export async function readWorkspaceLock(ws: Workspace): Promise<LockOwner | null> {
  const path = workspaceLockPath(ws);
  let file: Deno.FsFile;
  try {
    file = await Deno.open(path, { read: true });
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return null;
    throw asFileError(err, path, "Cannot read the workspace lock");
  }
  try {
    if (await file.tryLock(false)) return null;
    return parseOwner(await readRecord(file));
  } finally {
    file.close();
  }
}

// An owner record is about 120 bytes; 1 KiB is plenty.
async function readRecord(file: Deno.FsFile): Promise<string> {
  const buf = new Uint8Array(1024);
  let off = 0;
  while (off < buf.length) {
    const n = await file.read(buf.subarray(off));
    if (n === null) break;
    off += n;
  }
  return new TextDecoder().decode(buf.subarray(0, off));
}

// The holder writes its record right after locking: an empty or partial one is that moment.
function parseOwner(text: string): LockOwner {
  try {
    const o = JSON.parse(text) as LockOwner;
    if (typeof o.id === "string" && Number.isInteger(o.pid)) return o;
  } catch { /* fall through */ }
  return { id: "unknown", pid: 0, command: "unknown", started_at: "unknown" };
}

async function busyError(ws: Workspace): Promise<IoError> {
  const path = workspaceLockPath(ws);
  const o = await readWorkspaceLock(ws);
  const who = o
    ? `rtt-deno ${o.command} (pid ${o.pid}, lock id ${o.id}, since ${o.started_at})`
    : "another rtt-deno process";
  return new IoError(
    `Workspace is locked by a running ${who}; wait for it to finish and try again`,
    { file: path },
  );
}
