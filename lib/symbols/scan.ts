/**
 * Stage 10: walk the configured roots, parse and validate every manifest,
 * build the symbol table, and report duplicates and collisions.
 *
 * An unchanged tree rescans fast: each file's parse result is cached under
 * `.rtt/cache/scan.json`, keyed by path, size, mtime and inode, and the whole
 * cache by the hash of the scan configuration and schemas.
 *
 * @module
 */
import {
  errorMessage,
  globMatch,
  hashJson,
  relativePath,
  SchemaError,
  type SourcePosition,
  type Workspace,
  writeJsonAtomic,
} from "../core/mod.ts";
import {
  type PanelConfig,
  parseSource,
  SCHEMAS,
  type SymbolManifest,
  validateDocument,
} from "../config/mod.ts";
import { parseManifest, symbolHash } from "./manifest.ts";
import { MissingInputError } from "../core/mod.ts";
import { INPUT_LIMITS, readInputText } from "../core/mod.ts";

/** One valid manifest found by a scan. */
export interface ManifestRecord {
  /** Path relative to the workspace root. */
  file: string;
  /** Content identity (see symbolHash). */
  hash: string;
  /** The parsed manifest. */
  manifest: SymbolManifest;
}

/** A problem found in one file. */
export type FileProblem = SourcePosition & { message: string };

/** Result of {@linkcode scanWorkspace}. */
export interface ScanResult {
  /** Files looked at (manifests and provider files). */
  files: number;
  /** Files whose result came from the cache. */
  cached: number;
  /** Files under the roots that are neither manifests nor provider files. */
  skipped: number;
  /** Valid manifests, sorted by file. */
  manifests: ManifestRecord[];
  /** Provider configuration files found (valid ones). */
  providers: string[];
  /** Every problem in an invalid file. */
  invalid: FileProblem[];
  /** Identical content in several files (a note). */
  duplicates: Array<{ hash: string; saddr: string; version: string; files: string[] }>;
  /** Same saddr and version with different content (an error). */
  collisions: Array<
    { saddr: string; version: string; entries: Array<{ file: string; hash: string }> }
  >;
  /** Roots that do not exist (a note). */
  missingRoots: string[];
}

interface CacheEntry {
  size: number;
  mtime: number;
  ino: number | null;
  hash?: string;
  manifest?: SymbolManifest;
  provider?: true;
  problems?: FileProblem[];
}

interface ScanCache {
  version: 1;
  key: string;
  entries: Record<string, CacheEntry>;
  result?: Omit<ScanResult, "cached" | "files" | "skipped">;
}

const CACHE_FILE = "scan.json";

/** Whether a file (path relative to the workspace) is a symbol manifest. */
export function isManifestFile(rel: string): boolean {
  if (!rel.endsWith(".json")) return false;
  if (/\.(agent|skill|symbol|tool)\.json$/.test(rel)) return true;
  return rel.startsWith(".rtt/manifests/");
}

/** Whether a file is a providers configuration. */
export function isProvidersFile(rel: string): boolean {
  return /(^|\/)providers\.ya?ml$/.test(rel);
}

async function* walk(
  ws: Workspace,
  dir: string,
  ignore: string[],
  seen: Set<string>,
): AsyncGenerator<{ abs: string; rel: string }> {
  let real: string;
  try {
    real = await Deno.realPath(dir);
  } catch {
    return;
  }
  if (real !== ws.root && !real.startsWith(ws.root + "/")) return; // never leave the workspace
  if (seen.has(real)) return; // symlink loops
  seen.add(real);
  const entries: Deno.DirEntry[] = [];
  for await (const e of Deno.readDir(dir)) entries.push(e);
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    const abs = `${dir}/${e.name}`;
    const rel = relativePath(ws.root, abs);
    if (ignore.some((g) => globMatch(g, rel) || globMatch(g, rel + "/"))) continue;
    if (e.isSymlink) {
      let target: string;
      try {
        target = await Deno.realPath(abs);
      } catch {
        continue; // dangling link
      }
      if (target !== ws.root && !target.startsWith(ws.root + "/")) continue;
      const st = await Deno.stat(abs);
      if (st.isDirectory) yield* walk(ws, abs, ignore, seen);
      else if (st.isFile) yield { abs, rel };
    } else if (e.isDirectory) {
      yield* walk(ws, abs, ignore, seen);
    } else if (e.isFile) {
      yield { abs, rel };
    }
  }
}

async function readCache(ws: Workspace, key: string): Promise<ScanCache | undefined> {
  try {
    const c = JSON.parse(await Deno.readTextFile(`${ws.cache}/${CACHE_FILE}`)) as ScanCache;
    return c.version === 1 && c.key === key ? c : undefined;
  } catch {
    return undefined; // missing or unreadable cache is simply a cold scan
  }
}

function problemsOf(err: unknown, file: string): FileProblem[] {
  if (err instanceof SchemaError) return [...err.problems];
  return [{ file, pointer: "", message: errorMessage(err) }];
}

async function examine(
  abs: string,
  rel: string,
): Promise<Omit<CacheEntry, "size" | "mtime" | "ino">> {
  let text: string;
  try {
    text = await readInputText(abs, {
      what: isProvidersFile(rel) ? "providers file" : "manifest",
      display: rel,
      maxBytes: isProvidersFile(rel) ? INPUT_LIMITS.yaml : INPUT_LIMITS.manifest,
    });
  } catch (err) {
    return { problems: [{ file: rel, pointer: "", message: `cannot read: ${errorMessage(err)}` }] };
  }
  if (isProvidersFile(rel)) {
    try {
      await validateDocument("providers", parseSource(rel, text));
      return { provider: true };
    } catch (err) {
      return { problems: problemsOf(err, rel) };
    }
  }
  try {
    const { manifest } = await parseManifest(rel, text);
    return { manifest, hash: symbolHash(manifest) };
  } catch (err) {
    return { problems: problemsOf(err, rel) };
  }
}

/** Options for {@linkcode scanWorkspace}. */
export interface ScanOptions {
  /** Ignore the cache and re-read every file. */
  noCache?: boolean;
  /** Called with (done, total) while examining files (for progress output). */
  onProgress?: (done: number, total: number) => void;
}

/**
 * Scans the workspace's configured roots.
 *
 * Invalid files are reported in `invalid` and the scan carries on; the
 * caller decides the exit code.
 */
export async function scanWorkspace(
  ws: Workspace,
  panel: PanelConfig,
  options: ScanOptions = {},
): Promise<ScanResult> {
  const key = hashJson({ scan: panel.scan, schemas: SCHEMAS, v: 1 });
  const cache = options.noCache ? undefined : await readCache(ws, key);
  const old = cache?.entries ?? {};
  const entries: Record<string, CacheEntry> = {};
  const missingRoots: string[] = [];
  const files: Array<{ abs: string; rel: string }> = [];
  let skipped = 0;
  const seen = new Set<string>();
  for (const root of [...panel.scan.roots].sort()) {
    const abs = root === "." ? ws.root : `${ws.root}/${root.replace(/\/+$/, "")}`;
    try {
      await Deno.stat(abs);
    } catch {
      missingRoots.push(root);
      continue;
    }
    for await (const f of walk(ws, abs, panel.scan.ignore, seen)) {
      if (isManifestFile(f.rel) || isProvidersFile(f.rel)) files.push(f);
      else skipped++;
    }
  }
  // Roots may overlap (a file reached twice); keep one entry per path.
  const unique = [...new Map(files.map((f) => [f.rel, f])).values()].sort((
    a,
    b,
  ) => (a.rel < b.rel ? -1 : 1));

  let cached = 0;
  let changed = !cache;
  let done = 0;
  const BATCH = 64;
  for (let i = 0; i < unique.length; i += BATCH) {
    await Promise.all(
      unique.slice(i, i + BATCH).map(async ({ abs, rel }) => {
        const st = await Deno.stat(abs);
        const stamp = { size: st.size, mtime: st.mtime?.getTime() ?? 0, ino: st.ino ?? null };
        const prev = old[rel];
        if (
          prev && prev.size === stamp.size && prev.mtime === stamp.mtime && prev.ino === stamp.ino
        ) {
          entries[rel] = prev;
          cached++;
        } else {
          entries[rel] = { ...stamp, ...(await examine(abs, rel)) };
          changed = true;
        }
      }),
    );
    done = Math.min(unique.length, i + BATCH);
    options.onProgress?.(done, unique.length);
  }
  if (Object.keys(old).length !== Object.keys(entries).length) changed = true;

  let summary = cache?.result;
  if (changed || !summary) summary = summarize(entries, missingRoots);
  else summary = { ...summary, missingRoots };
  if (changed) {
    await Deno.mkdir(ws.cache, { recursive: true });
    await writeJsonAtomic(
      `${ws.cache}/${CACHE_FILE}`,
      { version: 1, key, entries, result: summary } satisfies ScanCache,
      { label: "scan-cache" },
    );
  }
  return { files: unique.length, cached, skipped, ...summary };
}

function summarize(
  entries: Record<string, CacheEntry>,
  missingRoots: string[],
): Omit<ScanResult, "cached" | "files" | "skipped"> {
  const manifests: ManifestRecord[] = [];
  const providers: string[] = [];
  const invalid: FileProblem[] = [];
  for (const rel of Object.keys(entries).sort()) {
    const e = entries[rel];
    if (e.problems) invalid.push(...e.problems);
    else if (e.provider) providers.push(rel);
    else if (e.manifest && e.hash) {
      manifests.push({ file: rel, hash: e.hash, manifest: e.manifest });
    }
  }
  const byHash = new Map<string, ManifestRecord[]>();
  const byId = new Map<string, ManifestRecord[]>();
  for (const m of manifests) {
    const h = byHash.get(m.hash) ?? [];
    h.push(m);
    byHash.set(m.hash, h);
    const id = `${m.manifest.saddr}@${m.manifest.version}`;
    const l = byId.get(id) ?? [];
    l.push(m);
    byId.set(id, l);
  }
  const duplicates = [...byHash.values()].filter((l) => l.length > 1).map((l) => ({
    hash: l[0].hash,
    saddr: l[0].manifest.saddr,
    version: l[0].manifest.version,
    files: l.map((m) => m.file),
  }));
  const collisions = [...byId.entries()]
    .filter(([, l]) => new Set(l.map((m) => m.hash)).size > 1)
    .map(([, l]) => ({
      saddr: l[0].manifest.saddr,
      version: l[0].manifest.version,
      entries: l.map((m) => ({ file: m.file, hash: m.hash })),
    }))
    .sort((a, b) => (a.saddr + a.version < b.saddr + b.version ? -1 : 1));
  return { manifests, providers, invalid, duplicates, collisions, missingRoots };
}

/**
 * The result of the last scan, from the cache, without touching the tree.
 * @throws {Deno.errors.NotFound} when no scan has run.
 */
export async function readLastScan(
  ws: Workspace,
): Promise<Omit<ScanResult, "cached" | "files" | "skipped">> {
  let c: ScanCache;
  try {
    c = JSON.parse(await Deno.readTextFile(`${ws.cache}/${CACHE_FILE}`));
  } catch (cause) {
    throw new MissingInputError(
      `No scan result in "${
        relativePath(ws.root, ws.cache)
      }/${CACHE_FILE}": run "rtt-deno scan" first`,
      { cause },
    );
  }
  if (!c.result) {
    throw new MissingInputError(`Scan cache has no result: run "rtt-deno scan" first`);
  }
  return c.result;
}
