/**
 * Stage 00: create the workspace layout and default configuration. Never
 * overwrites an existing file; running it twice changes nothing.
 *
 * @module
 */
import {
  exists,
  type Hooks,
  relativePath,
  type Workspace,
  WORKSPACE_DIRS,
  writeFileAtomic,
} from "../core/mod.ts";
import { DEFAULT_PANEL_YAML, DEFAULT_POLICY, DEFAULT_ROUTES } from "../config/mod.ts";
import { ensureIdentity } from "../security/mod.ts";

/** What {@linkcode initWorkspace} did. */
export interface InitResult {
  root: string;
  /** Folders created (relative). */
  createdDirs: string[];
  /** Files created (relative). */
  createdFiles: string[];
  /** Files left as they were (relative). */
  keptFiles: string[];
  /** Default signing key id. */
  keyId: string;
  createdKey: boolean;
  createdTrustRoot: boolean;
}

/** Creates what is missing in the workspace (`hooks`: test hooks for its writes). */
export async function initWorkspace(
  ws: Workspace,
  options: { hooks?: Hooks } = {},
): Promise<InitResult> {
  const createdDirs: string[] = [];
  for (const d of WORKSPACE_DIRS) {
    const abs = `${ws.root}/${d}`;
    if (!(await exists(abs))) {
      await Deno.mkdir(abs, { recursive: true, mode: d === ".rtt/keys" ? 0o700 : 0o755 });
      createdDirs.push(d);
    }
  }
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
  const id = await ensureIdentity(ws, options);
  return {
    root: ws.root,
    createdDirs,
    createdFiles,
    keptFiles,
    keyId: id.keyId,
    createdKey: id.createdKey,
    createdTrustRoot: id.createdTrustRoot,
  };
}
