/**
 * Temporary folders for tests: created fresh, removed on disposal, and
 * filled from a small description of their files.
 *
 * @module
 */
import { dirname, join } from "node:path";

/**
 * A fresh temporary folder, removed by the returned disposer.
 *
 * @example
 * ```ts
 * await using dir = await tempDir();
 * await writeTree(dir.path, { ".rtt/routes.json": { routes: [] } });
 * ```
 */
export async function tempDir(prefix = "rtt-test-"): Promise<{ path: string } & AsyncDisposable> {
  const path = await Deno.makeTempDir({ prefix });
  return {
    path,
    [Symbol.asyncDispose]: () => Deno.remove(path, { recursive: true }).catch(() => {}),
  };
}

/** Writes files (relative path -> text or JSON value) under `root`. */
export async function writeTree(root: string, files: Record<string, unknown>): Promise<void> {
  for (const [rel, content] of Object.entries(files)) {
    const abs = join(root, rel);
    await Deno.mkdir(dirname(abs), { recursive: true });
    await Deno.writeTextFile(
      abs,
      typeof content === "string" ? content : JSON.stringify(content, null, 2),
    );
  }
}

/** A minimal valid symbol manifest (the kind is the saddr's third segment). */
export function manifest(
  saddr: string,
  version = "1.0.0",
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  const kind = saddr.split("/")[3];
  return { saddr, kind, version, ...extra };
}
