/**
 * Air-gap transfer: export the registry as one signed bundle, import one
 * after verifying it completely offline.
 *
 * @module
 */
import type { Workspace } from "../core/mod.ts";
import {
  exportBundle,
  type ExportResult,
  importBundle,
  type ImportResult,
} from "../registry/mod.ts";
import { loadKey } from "../security/mod.ts";
import { underWorkspaceLock } from "./_lock.ts";
import type { WriteOptions } from "./stage_event.ts";

export type { ExportResult, ImportResult };

/** Options for {@linkcode exportRegistry}. */
export interface ExportOptions extends WriteOptions {
  /** Bundle file to write (absolute, or relative to the current folder). */
  file: string;
  /** Workspace key that signs the bundle index (default `default`). */
  key?: string;
}

/**
 * Writes every indexed object (verified first), the index and the trust-root
 * chain into one signed, compressed bundle. Writes only the bundle, outside
 * the registry, so it takes no lock.
 * @throws {VerificationError} when an object fails its checks.
 */
export async function exportRegistry(
  ws: Workspace,
  options: ExportOptions,
): Promise<ExportResult> {
  return await exportBundle(ws, options.file, {
    key: await loadKey(ws, options.key),
    hooks: options.hooks,
  });
}

/** Options for {@linkcode importRegistry}. */
export interface ImportOptions extends WriteOptions {
  /** Bundle file (absolute, or relative to the current folder). */
  file: string;
  /** Public key file of the exporter, to trust for manifests if needed. */
  trustKeyFile?: string;
}

/**
 * Verifies a bundle completely, then adds its objects and index entries under
 * the workspace lock: all or nothing, and importing it again writes nothing.
 * @throws {VerificationError} (77) or {InputError} (65) before any write.
 */
export async function importRegistry(
  ws: Workspace,
  options: ImportOptions,
): Promise<ImportResult> {
  return await underWorkspaceLock(
    ws,
    "registry import",
    () =>
      importBundle(ws, options.file, {
        trustKeyFile: options.trustKeyFile,
        hooks: options.hooks,
      }),
    { hooks: options.hooks },
  );
}
