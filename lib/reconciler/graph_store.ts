/**
 * Every graph the reconciler stages or commits is kept by content hash in
 * `.rtt/state/graphs/<hex>.json`. The WAL only names graphs by hash, so
 * records stay small however large the graph; recovery rolls a durable
 * COMMIT forward from here, and `rollback <seq>` finds old graphs here.
 *
 * @module
 */
import {
  canonicalBytes,
  exists,
  type Hooks,
  NO_HOOKS,
  relativePath,
  syncDir,
  VerificationError,
  type Workspace,
  writeFileAtomic,
} from "../core/mod.ts";
// graph.ts directly, not mod.ts: mod.ts also loads plan verification (YAML, JSON
// source maps), which `status` and recovery never need and must not pay for at startup.
import { EMPTY_GRAPH, type Graph, graphHash, normalizeGraph } from "../graph/graph.ts";
import { MissingInputError } from "../core/mod.ts";
import { isNotFound } from "../core/mod.ts";

/** Path of the stored graph with hash `hash` (`sha256:<hex>`). */
export function storedGraphPath(ws: Workspace, hash: string): string {
  return `${ws.state}/graphs/${hash.replace(/^sha256:/, "")}.json`;
}

/** Stores a graph durably (no-op when already stored) and returns its hash. */
export async function storeGraph(
  ws: Workspace,
  graph: Graph,
  hash = graphHash(graph),
  options: { hooks?: Hooks } = {},
): Promise<string> {
  const hooks = options.hooks ?? NO_HOOKS;
  const path = storedGraphPath(ws, hash);
  if (await exists(path)) return hash;
  if (!(await exists(`${ws.state}/graphs`))) {
    await Deno.mkdir(`${ws.state}/graphs`, { recursive: true });
    hooks.crashPoint("graph:mkdir:dirsync");
    hooks.beforeSync("graph:mkdir:dirsync");
    await syncDir(ws.state);
  }
  await writeFileAtomic(path, canonicalBytes(normalizeGraph(graph)), { label: "graph", hooks });
  return hash;
}

/**
 * Loads a stored graph and checks its content against its hash.
 * @throws {Deno.errors.NotFound} when absent; {VerificationError} when the content does not match.
 */
export async function loadGraph(ws: Workspace, hash: string): Promise<Graph> {
  if (hash === graphHash(EMPTY_GRAPH)) return { routes: [] };
  const path = storedGraphPath(ws, hash);
  const rel = relativePath(ws.root, path);
  let graph: Graph;
  try {
    graph = JSON.parse(await Deno.readTextFile(path));
  } catch (err) {
    if (isNotFound(err)) {
      throw new MissingInputError(`Stored graph ${hash} ("${rel}") is missing`, { cause: err });
    }
    throw new VerificationError(`Stored graph "${rel}" is unreadable: ${err}`, { cause: err });
  }
  const actual = Array.isArray(graph?.routes) ? graphHash(graph) : "not a graph";
  if (actual !== hash) {
    throw new VerificationError(`Stored graph "${rel}" is corrupt: content hashes to ${actual}`);
  }
  return graph;
}
