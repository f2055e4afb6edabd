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
  type Workspace,
  writeFileAtomic,
} from "../core/mod.ts";
import { EMPTY_GRAPH, type Graph, graphHash, normalizeGraph } from "../graph/mod.ts";
import { InputError, MissingInputError } from "../core/mod.ts";
import { readInternalJsonIfExists } from "../config/internal_json.ts";

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
 * Loads a stored graph and checks its content against its hash. A damaged
 * stored graph is the same failure as a damaged state file (exit 65).
 * @throws {MissingInputError} when absent; {SchemaError} / {InputError} when
 * it is damaged or its content does not match its hash.
 */
export async function loadGraph(ws: Workspace, hash: string): Promise<Graph> {
  if (hash === graphHash(EMPTY_GRAPH)) return { routes: [] };
  const path = storedGraphPath(ws, hash);
  const display = relativePath(ws.root, path);
  const graph = await readInternalJsonIfExists<Graph>(path, "graph", { display });
  if (!graph) {
    throw new MissingInputError(`Stored graph ${hash} ("${display}") is missing`, {
      file: display,
    });
  }
  const actual = graphHash(graph);
  if (actual !== hash) {
    throw new InputError(`Stored graph "${display}" is corrupt: content hashes to ${actual}`, {
      file: display,
    });
  }
  return graph;
}
