/**
 * Stage 00: create the workspace layout and default configuration. Never
 * overwrites an existing file; running it twice changes nothing.
 *
 * @module
 */
import {
  exists,
  relativePath,
  type Workspace,
  WORKSPACE_DIRS,
  writeFileAtomic,
} from "../core/mod.ts";
import { DEFAULT_PANEL_YAML, DEFAULT_POLICY, DEFAULT_ROUTES } from "../config/mod.ts";
import { ensureIdentity } from "../security/mod.ts";
import { underWorkspaceLock } from "./_lock.ts";
import type { WriteOptions } from "./stage_event.ts";

/** Options for {@linkcode initWorkspace}. */
export type InitOptions = WriteOptions;

/** What {@linkcode initWorkspace} did. */
export interface InitReport {
  /** Absolute workspace root. */
  root: string;
  /** Folders created (relative). */
  createdDirs: string[];
  /** Files created (relative). */
  createdFiles: string[];
  /** Files left as they were (relative). */
  keptFiles: string[];
  /** Default signing key id. */
  keyId: string;
  /** The default signing key was generated now. */
  createdKey: boolean;
  /** Trust root v1 was created now (trusting the default key for every role). */
  createdTrustRoot: boolean;
}

/**
 * Creates what is missing in the workspace: folders, default configuration,
 * the default signing key and trust root v1.
 *
 * The folders come first and without the lock, because the lock file lives in
 * `.rtt/`; files and the identity are created under it so that two concurrent
 * inits cannot each generate a default key.
 */
export async function initWorkspace(
  ws: Workspace,
  options: InitOptions = {},
): Promise<InitReport> {
  const createdDirs = await createDirs(ws);
  return await underWorkspaceLock(ws, "init", async () => {
    const { createdFiles, keptFiles } = await createDefaultFiles(ws, options);
    const id = await ensureIdentity(ws, { hooks: options.hooks });
    return {
      root: ws.root,
      createdDirs,
      createdFiles,
      keptFiles,
      keyId: id.keyId,
      createdKey: id.createdKey,
      createdTrustRoot: id.createdTrustRoot,
    };
  }, { hooks: options.hooks });
}

async function createDirs(ws: Workspace): Promise<string[]> {
  const created: string[] = [];
  for (const d of WORKSPACE_DIRS) {
    const abs = `${ws.root}/${d}`;
    if (!(await exists(abs))) {
      await Deno.mkdir(abs, { recursive: true, mode: d === ".rtt/keys" ? 0o700 : 0o755 });
      created.push(d);
    }
  }
  return created;
}

async function createDefaultFiles(
  ws: Workspace,
  options: InitOptions,
): Promise<{ createdFiles: string[]; keptFiles: string[] }> {
  const createdFiles: string[] = [];
  const keptFiles: string[] = [];
  const files: Array<[string, string]> = [
    [ws.panelConfig, DEFAULT_PANEL_YAML],
    [ws.policyConfig, JSON.stringify(DEFAULT_POLICY, null, 2) + "\n"],
    [ws.routesConfig, JSON.stringify(DEFAULT_ROUTES, null, 2) + "\n"],
  ];
  for (const [path, text] of files) {
    const rel = relativePath(ws.root, path);
    if (await exists(path)) keptFiles.push(rel);
    else {
      await writeFileAtomic(path, text, { label: "init", hooks: options.hooks });
      createdFiles.push(rel);
    }
  }
  return { createdFiles, keptFiles };
}
