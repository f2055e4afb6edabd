/**
 * Durable creation of many small files at once. Every file gets its own temp
 * file, fsync and rename (a reader never sees half an object; a renamed file
 * is on disk), in three phases over the whole batch: write every temp file,
 * fsync every temp file, rename every temp file, then fsync the folder once.
 * Syncing after all writes lets the file system commit them together
 * (measured here: 10,000 fsyncs ~0.8-1 s in a batch against ~6-7 s
 * interleaved with the writes on the same contended disk), and one
 * `Deno.writeFile` per file costs about a third of the kernel time of
 * separate open, write and close calls (10,000 files: 1.3 s against 3.8 s).
 *
 * @module
 */
import { type Hooks, NO_HOOKS, syncDir } from "../core/mod.ts";

const CONCURRENCY = 64;

/** Bytes of a file to write, or a function producing them (e.g. signing), run just in time. */
export type FileContent = Uint8Array | (() => Promise<Uint8Array>);

/**
 * Writes every `[path, content]` (all inside `dir`) atomically and durably;
 * syncs `dir` once. On failure the temp files are removed and no target has
 * been replaced unless its rename already happened.
 */
export async function writeFilesDurably(
  dir: string,
  files: ReadonlyArray<readonly [string, FileContent]>,
  options: { label?: string; hooks?: Hooks } = {},
): Promise<void> {
  if (!files.length) return;
  const label = options.label ?? "object";
  const hooks = options.hooks ?? NO_HOOKS;
  const tag = crypto.randomUUID().slice(0, 8);
  const temps = files.map(([path]) => `${path}.${tag}.tmp`);
  try {
    await mapConcurrent(files, async ([, content], i) => {
      const bytes = content instanceof Uint8Array ? content : await content();
      hooks.crashPoint(`${label}:write`);
      // One op (open, write, close) costs a third of the kernel time of three separate ones.
      await Deno.writeFile(temps[i], bytes, { createNew: true, mode: 0o644 });
    });
    await mapConcurrent(temps, async (tmp) => {
      const f = await Deno.open(tmp, { read: true });
      try {
        hooks.crashPoint(`${label}:fsync`);
        hooks.beforeSync(`${label}:fsync`);
        await f.sync();
      } finally {
        f.close();
      }
    });
    await mapConcurrent(files, async ([path], i) => {
      hooks.crashPoint(`${label}:rename`);
      await Deno.rename(temps[i], path);
    });
  } catch (err) {
    await Promise.all(temps.map((t) => Deno.remove(t).catch(() => {})));
    throw err;
  }
  hooks.crashPoint(`${label}:dirsync`);
  hooks.beforeSync(`${label}:dirsync`);
  await syncDir(dir);
}

/** Runs `fn` over `items` with at most {@linkcode CONCURRENCY} in flight, keeping order. */
export async function mapConcurrent<T, R>(
  items: readonly T[],
  fn: (item: T, i: number) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array(items.length);
  for (let i = 0; i < items.length; i += CONCURRENCY) {
    const part = await Promise.all(items.slice(i, i + CONCURRENCY).map((x, j) => fn(x, i + j)));
    for (let j = 0; j < part.length; j++) out[i + j] = part[j];
  }
  return out;
}
