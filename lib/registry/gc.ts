/**
 * `registry gc`: removes CAS objects nothing refers to. Referrers are the
 * index, every plan in `plans/` and the committed state; any `sha256:<hex>`
 * string inside a plan or the state counts, so a plan pinning a symbol
 * version keeps it even after the index moved on.
 *
 * @module
 */
import { HASH_REF, relativePath, syncDir, type Workspace } from "../core/mod.ts";
import { readCommittedState } from "../graph/mod.ts";
import { readIndex } from "./registry_index.ts";
import { InputError } from "../core/mod.ts";
import { isNotFound } from "../core/mod.ts";

const TEMP_AGE_MS = 10 * 60_000;

/** What {@linkcode collectGarbage} found (and removed unless dry-run). */
export interface GcResult {
  /** Objects kept. */
  kept: number;
  /** Hashes of unreferenced objects. */
  removed: string[];
  /** Interrupted writes (temp files) cleaned up. */
  temps: string[];
  /** Nothing was removed: only listed. */
  dryRun: boolean;
}

function collectRefs(value: unknown, out: Set<string>): void {
  if (typeof value === "string") {
    if (HASH_REF.test(value)) out.add(value);
  } else if (Array.isArray(value)) { for (const v of value) collectRefs(v, out); }
  else if (value && typeof value === "object") {
    for (const v of Object.values(value)) collectRefs(v, out);
  }
}

async function refsOfFile(path: string, out: Set<string>, ws: Workspace): Promise<void> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (err) {
    if (isNotFound(err)) return;
    throw err;
  }
  try {
    collectRefs(JSON.parse(text), out);
  } catch (cause) {
    // An unreadable referrer could pin anything: refuse rather than delete what it needs.
    throw new InputError(
      `Cannot collect garbage: "${relativePath(ws.root, path)}" is not valid JSON`,
      { cause },
    );
  }
}

/** Every hash something in the workspace refers to. */
export async function referencedHashes(ws: Workspace): Promise<Set<string>> {
  const refs = new Set((await readIndex(ws)).map((e) => e.hash));
  collectRefs(await readCommittedState(ws), refs);
  try {
    for await (const e of Deno.readDir(ws.plans)) {
      if (e.isFile && e.name.endsWith(".json")) await refsOfFile(`${ws.plans}/${e.name}`, refs, ws);
    }
  } catch (err) {
    if (!(isNotFound(err))) throw err;
  }
  return refs;
}

/** Removes unreferenced objects (or only lists them with `dryRun`). */
export async function collectGarbage(
  ws: Workspace,
  options: { dryRun?: boolean } = {},
): Promise<GcResult> {
  const refs = await referencedHashes(ws);
  const removed: string[] = [];
  const temps: string[] = [];
  let kept = 0;
  try {
    for await (const e of Deno.readDir(ws.cas)) {
      if (!e.isFile) continue;
      if (e.name.endsWith(".tmp")) {
        // Only temp files old enough that no running ingest can still be writing them.
        const st = await Deno.lstat(`${ws.cas}/${e.name}`).catch(() => undefined);
        if (st?.mtime && Date.now() - st.mtime.getTime() > TEMP_AGE_MS) temps.push(e.name);
      } else if (/^[0-9a-f]{64}\.json$/.test(e.name)) {
        const hash = `sha256:${e.name.slice(0, 64)}`;
        if (refs.has(hash)) kept++;
        else removed.push(hash);
      }
    }
  } catch (err) {
    if (!(isNotFound(err))) throw err;
  }
  removed.sort();
  temps.sort();
  if (!options.dryRun && (removed.length || temps.length)) {
    for (const h of removed) await Deno.remove(`${ws.cas}/${h.slice(7)}.json`);
    for (const t of temps) await Deno.remove(`${ws.cas}/${t}`);
    await syncDir(ws.cas);
  }
  return { kept, removed, temps, dryRun: !!options.dryRun };
}
