/**
 * The registry's own commands: verify it, list it, read one object, pack it
 * and collect its garbage.
 *
 * @module
 */
import type { Workspace } from "../core/mod.ts";
import * as registry from "../registry/mod.ts";
import { underWorkspaceLock } from "./_lock.ts";
import type { WriteOptions } from "./stage_event.ts";

export type {
  GcResult,
  IndexEntry,
  PackResult,
  RegistryObject,
  RegistryProblem,
  VerifyResult,
} from "../registry/mod.ts";

/** What {@linkcode verifyRegistry} checked. */
export interface VerifyRegistryReport extends registry.VerifyResult {
  /** No problem found. */
  ok: boolean;
  /** Wall time in milliseconds. */
  elapsedMs: number;
}

/**
 * Re-hashes every object, checks every signature against the trust root, and
 * checks the index and the pack. A bad object is a problem in the report,
 * not an error.
 */
export async function verifyRegistry(ws: Workspace): Promise<VerifyRegistryReport> {
  const t0 = performance.now();
  const r = await registry.verifyRegistry(ws);
  return { ok: r.problems.length === 0, ...r, elapsedMs: performance.now() - t0 };
}

/** The index as {@linkcode listRegistry} returns it. */
export interface RegistryListReport {
  /** Every entry, sorted by saddr and version. */
  entries: registry.IndexEntry[];
}

/** Lists registered symbols, versions and hashes. */
export async function listRegistry(ws: Workspace): Promise<RegistryListReport> {
  return { entries: await registry.readIndex(ws) };
}

/** Options for {@linkcode catRegistry}. */
export interface CatOptions {
  /** `sha256:<hex>`, a saddr (its highest version) or `saddr@version`. */
  ref: string;
}

/** One verified object, as {@linkcode catRegistry} read it. */
export interface CatReport {
  /** Object hash. */
  hash: string;
  /** The object (manifest and signatures), verified. */
  object: registry.RegistryObject;
}

/**
 * Reads one object and verifies it. A bare hash is read directly; a saddr is
 * resolved through the index, and the object must then be that symbol.
 * @throws {MissingInputError} when nothing matches; {InputError} for a
 * malformed reference; {VerificationError} when the object fails a check.
 */
export async function catRegistry(ws: Workspace, options: CatOptions): Promise<CatReport> {
  const { ref } = options;
  const entry = ref.startsWith("sha256:") && !ref.includes("@")
    ? undefined
    : registry.resolveRef(await registry.readIndex(ws), ref);
  const hash = entry?.hash ?? ref;
  return { hash, object: await registry.readObject(ws, hash, { expect: entry }) };
}

/** Options for {@linkcode gcRegistry}. */
export interface GcOptions extends WriteOptions {
  /** Only list what would be removed (takes no lock, writes nothing). */
  dryRun?: boolean;
}

/**
 * Removes objects no index entry, plan or committed state refers to, and
 * stale temp files of interrupted writes.
 * @throws {InputError} when a referring file is unreadable (nothing is removed).
 */
export async function gcRegistry(
  ws: Workspace,
  options: GcOptions = {},
): Promise<registry.GcResult> {
  if (options.dryRun) return await registry.collectGarbage(ws, { dryRun: true });
  return await underWorkspaceLock(ws, "registry gc", () => registry.collectGarbage(ws), {
    hooks: options.hooks,
  });
}

/** Options for {@linkcode packRegistry}. */
export type PackOptions = WriteOptions;

/** What {@linkcode packRegistry} wrote. */
export interface PackReport extends registry.PackResult {
  /** Wall time in milliseconds. */
  elapsedMs: number;
}

/**
 * Builds `pack/agents.pack` and `pack/index.lut` from every indexed object
 * (rewritten only when their content changes).
 * @throws {VerificationError} naming a corrupt object.
 */
export async function packRegistry(ws: Workspace, options: PackOptions = {}): Promise<PackReport> {
  const t0 = performance.now();
  const r = await underWorkspaceLock(
    ws,
    "registry pack",
    () => registry.buildPack(ws, { hooks: options.hooks }),
    {
      hooks: options.hooks,
    },
  );
  return { ...r, elapsedMs: performance.now() - t0 };
}
