/**
 * Durable file replacement: temp file in the same folder, write, fsync,
 * rename over the target, fsync the folder. A reader sees either the old or
 * the new content, never a mix, and after return the new content survives
 * power loss.
 *
 * @module
 */
import { basename, dirname, join } from "node:path";
import { errorMessage, IoError, isNotFound, isRuntimeIoError } from "./errors.ts";
import { type Hooks, NO_HOOKS } from "./hooks.ts";

/** Options for {@linkcode writeFileAtomic}. */
export interface AtomicWriteOptions {
  /** File mode for the new file (e.g. 0o600 for private keys). */
  mode?: number;
  /** Name of the crash points: `<label>:write`, `:fsync`, `:rename`, `:dirsync`. */
  label?: string;
  /** Test hooks, called at those crash points and before each fsync (same names). */
  hooks?: Hooks;
}

/** fsync a folder so a rename or create inside it is durable. */
export async function syncDir(dir: string): Promise<void> {
  const f = await Deno.open(dir, { read: true });
  try {
    await f.sync();
  } finally {
    f.close();
  }
}

/**
 * Atomically replaces `path` with `data`. A failure of the machine (missing
 * folder, no space, read-only file system) is an {@linkcode IoError} naming `path`.
 *
 * @example
 * ```ts
 * await writeFileAtomic(".rtt/state/current.json", new TextEncoder().encode("{}"));
 * ```
 */
export async function writeFileAtomic(
  path: string,
  data: Uint8Array | string,
  options: AtomicWriteOptions = {},
): Promise<void> {
  try {
    await replaceFile(path, data, options);
  } catch (err) {
    throw isRuntimeIoError(err)
      ? new IoError(`Cannot write "${path}": ${errorMessage(err)}`, { file: path, cause: err })
      : err;
  }
}

async function replaceFile(
  path: string,
  data: Uint8Array | string,
  options: AtomicWriteOptions,
): Promise<void> {
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${crypto.randomUUID().slice(0, 8)}.tmp`);
  const label = options.label ?? "file";
  const hooks = options.hooks ?? NO_HOOKS;
  const f = await Deno.open(tmp, { write: true, createNew: true, mode: options.mode ?? 0o644 });
  try {
    hooks.crashPoint(`${label}:write`);
    let off = 0;
    while (off < bytes.length) off += await f.write(bytes.subarray(off));
    hooks.crashPoint(`${label}:fsync`);
    hooks.beforeSync(`${label}:fsync`);
    await f.sync();
  } catch (err) {
    f.close();
    await Deno.remove(tmp).catch(() => {});
    throw err;
  }
  f.close();
  if (options.mode !== undefined) await Deno.chmod(tmp, options.mode);
  try {
    hooks.crashPoint(`${label}:rename`);
    await Deno.rename(tmp, path);
  } catch (err) {
    await Deno.remove(tmp).catch(() => {});
    throw err;
  }
  hooks.crashPoint(`${label}:dirsync`);
  hooks.beforeSync(`${label}:dirsync`);
  await syncDir(dir);
}

/** Atomically writes a value as pretty JSON with a trailing newline. */
export function writeJsonAtomic(
  path: string,
  value: unknown,
  options: AtomicWriteOptions = {},
): Promise<void> {
  return writeFileAtomic(path, JSON.stringify(value, null, 2) + "\n", options);
}

/** True when the path exists (any type, without following a final symlink). */
export async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch (err) {
    if (isNotFound(err)) return false;
    throw err;
  }
}
