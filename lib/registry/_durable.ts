/**
 * Durable creation of many small files at once. Each file still gets its own
 * temp file, fsync and rename (so a reader never sees half an object), but
 * the writes run concurrently and the folder is synced once at the end:
 * on this machine 64 concurrent fsyncs cost ~130 us per file against ~1.3 ms
 * one after the other.
 *
 * @module
 */
import { crashPoint, syncDir } from "../core/mod.ts";

const CONCURRENCY = 64;

/** Bytes of a file to write, or a function producing them (e.g. signing), run just in time. */
export type FileContent = Uint8Array | (() => Promise<Uint8Array>);

/**
 * Writes every `[path, content]` (all inside `dir`) atomically; syncs `dir`
 * once. Content given as a function is produced inside the concurrent
 * window, so CPU work (signing) overlaps the fsyncs of other files.
 */
export async function writeFilesDurably(
  dir: string,
  files: ReadonlyArray<readonly [string, FileContent]>,
  options: { label?: string } = {},
): Promise<void> {
  const label = options.label ?? "object";
  for (let i = 0; i < files.length; i += CONCURRENCY) {
    await Promise.all(
      files.slice(i, i + CONCURRENCY).map(async ([path, content]) => {
        const bytes = content instanceof Uint8Array ? content : await content();
        const tmp = `${path}.${crypto.randomUUID().slice(0, 8)}.tmp`;
        const f = await Deno.open(tmp, { write: true, createNew: true, mode: 0o644 });
        try {
          crashPoint(`${label}:write`);
          let off = 0;
          while (off < bytes.length) off += await f.write(bytes.subarray(off));
          crashPoint(`${label}:fsync`);
          await f.sync();
        } catch (err) {
          f.close();
          await Deno.remove(tmp).catch(() => {});
          throw err;
        }
        f.close();
        try {
          crashPoint(`${label}:rename`);
          await Deno.rename(tmp, path);
        } catch (err) {
          await Deno.remove(tmp).catch(() => {});
          throw err;
        }
      }),
    );
  }
  if (files.length) {
    crashPoint(`${label}:dirsync`);
    await syncDir(dir);
  }
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
