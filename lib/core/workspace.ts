/**
 * The workspace: a folder holding `.rtt/` and the paths RTT uses inside it.
 *
 * @module
 */
import { dirname, isAbsolute, join, relative, resolve } from "node:path";

/** Absolute paths of everything RTT reads or writes in one workspace. */
export interface Workspace {
  /** Workspace root (the folder that holds `.rtt/`). */
  root: string;
  /** `.rtt/` */
  rtt: string;
  /** `.rtt/cache/` (scan cache and other derived data, safe to delete). */
  cache: string;
  /** `.rtt/wal/` */
  wal: string;
  /** `.rtt/sockets/` */
  sockets: string;
  /** `.rtt/manifests/` */
  manifests: string;
  /** `.rtt/drivers/` */
  drivers: string;
  /** `.rtt/tuned/` */
  tuned: string;
  /** `.rtt/registry/` */
  registry: string;
  /** `.rtt/registry/cas/sha256/` */
  cas: string;
  /** `.rtt/registry/pack/` */
  pack: string;
  /** `.rtt/registry/trust/` */
  trust: string;
  /** `.rtt/registry/trust/keys/` (trusted public keys) */
  trustKeys: string;
  /** `.rtt/state/` */
  state: string;
  /** `.rtt/keys/` (private keys, mode 0700/0600) */
  keys: string;
  /** `plans/` */
  plans: string;
  /** `.rtt/panel.yaml` */
  panelConfig: string;
  /** `.rtt/policy.json` */
  policyConfig: string;
  /** `.rtt/routes.json` */
  routesConfig: string;
}

/** Folders `init` creates, relative to the workspace root. */
export const WORKSPACE_DIRS: readonly string[] = [
  ".rtt/cache",
  ".rtt/wal",
  ".rtt/sockets",
  ".rtt/manifests",
  ".rtt/drivers",
  ".rtt/tuned",
  ".rtt/registry/cas/sha256",
  ".rtt/registry/pack",
  ".rtt/registry/trust/keys",
  ".rtt/state",
  ".rtt/keys",
  "plans",
];

/**
 * How RTT names a file in messages: relative to the workspace `root` when
 * the absolute path `abs` is inside it ("." for the root itself), else
 * `abs` unchanged (a relative `abs` is returned as given).
 */
export function relativePath(root: string, abs: string): string {
  if (!isAbsolute(abs)) return abs;
  const rel = relative(root, abs);
  if (rel === "") return ".";
  return rel === ".." || rel.startsWith("../") || isAbsolute(rel) ? abs : rel;
}

/** The workspace layout rooted at `root` (not checked for existence). */
export function workspaceAt(root: string): Workspace {
  const r = resolve(root);
  const rtt = join(r, ".rtt");
  const registry = join(rtt, "registry");
  return {
    root: r,
    rtt,
    cache: join(rtt, "cache"),
    wal: join(rtt, "wal"),
    sockets: join(rtt, "sockets"),
    manifests: join(rtt, "manifests"),
    drivers: join(rtt, "drivers"),
    tuned: join(rtt, "tuned"),
    registry,
    cas: join(registry, "cas/sha256"),
    pack: join(registry, "pack"),
    trust: join(registry, "trust"),
    trustKeys: join(registry, "trust/keys"),
    state: join(rtt, "state"),
    keys: join(rtt, "keys"),
    plans: join(r, "plans"),
    panelConfig: join(rtt, "panel.yaml"),
    policyConfig: join(rtt, "policy.json"),
    routesConfig: join(rtt, "routes.json"),
  };
}

// The real path: scan compares real paths to refuse links out of the workspace, so a root
// reached through a symlink must be real too (else every file looks outside and is skipped).
function realOrSame(path: string): string {
  try {
    return Deno.realPathSync(path);
  } catch {
    return path; // not created yet (init makes it)
  }
}

/**
 * Finds the workspace: `explicit` when given, else the nearest ancestor of
 * `cwd` holding `.rtt/`, else `cwd` itself.
 */
export function findWorkspace(explicit?: string, options: { cwd?: string } = {}): Workspace {
  const cwd = options.cwd ?? Deno.cwd();
  if (explicit) return workspaceAt(realOrSame(resolve(cwd, explicit)));
  let dir = realOrSame(resolve(cwd));
  while (true) {
    try {
      if (Deno.statSync(join(dir, ".rtt")).isDirectory) return workspaceAt(dir);
    } catch { /* keep walking up */ }
    if (dir === "/") break;
    dir = dirname(dir);
  }
  return workspaceAt(realOrSame(resolve(cwd)));
}
