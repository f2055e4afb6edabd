/**
 * Stage 30, first half: store manifests in the registry by the hash of their
 * canonical JSON, signed, and index them.
 *
 * @module
 */
import type { Workspace } from "../core/mod.ts";
import { collectInputs, type IngestItem, ingestManifests } from "../registry/mod.ts";
import { loadKey } from "../security/mod.ts";
import { underWorkspaceLock } from "./_lock.ts";
import type { WriteOptions } from "./stage_event.ts";

export type { IngestItem } from "../registry/mod.ts";

/** Options for {@linkcode ingest}; `onEvent` gets a warning for each repaired object. */
export interface IngestOptions extends WriteOptions {
  /**
   * Manifest files, absolute or relative to the current folder (default:
   * everything the last scan found; a scan runs first when there is none).
   */
  paths?: readonly string[];
  /** Vouch for the input: sign every new object with the workspace key `key`. */
  sign?: boolean;
  /** Key to sign with (default `default`). */
  key?: string;
}

/** What {@linkcode ingest} did. */
export interface IngestReport {
  /** Newly stored objects. */
  added: IngestItem[];
  /** Inputs already stored with identical content. */
  unchanged: IngestItem[];
  /** Stored objects that no longer matched their hash and were rewritten from the input. */
  repaired: IngestItem[];
  /** The index was rewritten. */
  indexWritten: boolean;
  /** Wall time in milliseconds. */
  elapsedMs: number;
}

/**
 * Ingests manifests under the workspace lock. Nothing is written when any
 * input fails its signature check.
 * @throws {InputError} when the scan found invalid files or collisions;
 * {VerificationError} (77) for unsigned input in strict mode or a bad signature.
 */
export async function ingest(ws: Workspace, options: IngestOptions = {}): Promise<IngestReport> {
  const t0 = performance.now();
  const inputs = await collectInputs(ws, options.paths ?? []);
  const signWith = options.sign ? await loadKey(ws, options.key) : undefined;
  const r = await underWorkspaceLock(
    ws,
    "registry ingest",
    () => ingestManifests(ws, inputs, { signWith, hooks: options.hooks }),
    { hooks: options.hooks },
  );
  for (const i of r.repaired) {
    options.onEvent?.({
      level: "warn",
      message:
        `repaired ${i.saddr}@${i.version}: the stored object ${i.hash} no longer matched its hash and was rewritten`,
    });
  }
  return { ...r, elapsedMs: performance.now() - t0 };
}
