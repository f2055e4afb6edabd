/**
 * The workspace identity: its default signing key and trust root.
 *
 * @module
 */
import { exists, type Hooks, type KeyPair, type Workspace } from "../core/mod.ts";
import { DEFAULT_KEY, generateKey, listKeyNames, loadKey } from "./keys.ts";
import { createTrustRoot } from "./trust.ts";

/** What {@linkcode ensureIdentity} did. */
export interface IdentityResult {
  /** Key id of the default key. */
  keyId: string;
  /** A new key was generated. */
  createdKey: boolean;
  /** A new trust root (v1) was created. */
  createdTrustRoot: boolean;
}

/**
 * Makes sure the workspace has a default signing key and a trust root;
 * creates what is missing (never replaces anything).
 */
export async function ensureIdentity(
  ws: Workspace,
  options: { hooks?: Hooks } = {},
): Promise<IdentityResult> {
  let key: KeyPair;
  let createdKey = false;
  if ((await listKeyNames(ws)).includes(DEFAULT_KEY)) key = await loadKey(ws, DEFAULT_KEY);
  else {
    key = await generateKey(ws, DEFAULT_KEY, options);
    createdKey = true;
  }
  let createdTrustRoot = false;
  if (!(await exists(`${ws.trust}/root.json`))) {
    await createTrustRoot(ws, key, { name: DEFAULT_KEY, hooks: options.hooks });
    createdTrustRoot = true;
  }
  return { keyId: key.keyId, createdKey, createdTrustRoot };
}
