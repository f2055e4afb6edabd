/**
 * Module-cycle and layering check, run by `make check`.
 *
 * Builds the import graph of `main.ts`, `lib/` and `ffi/` from `deno info --json` (so it
 * resolves specifiers exactly as Deno does, and sees static, dynamic string-literal and
 * `import type` edges), then refuses:
 *
 * - every import cycle, printed with its path;
 * - every edge that points upward in the layer order `core/ffi < concepts < pipeline < cli <
 *   main.ts` (see ARCHITECTURE.md, "Module map"); `import type` edges count too and are
 *   labelled as such;
 * - every edge from `main.ts`, `lib/` or `ffi/` to a module elsewhere (`tests/`, `scripts/`,
 *   outside the repository); JSON inside the repository (`schemas/`) is data and allowed;
 * - every `lib/` folder missing from {@linkcode LAYERS}, so a new folder gets a layer.
 *
 * Exits 1 when it finds anything, 0 otherwise.
 *
 * @example
 * ```sh
 * ./node_modules/deno/deno run -q --allow-read --allow-run scripts/check_cycles.ts
 * ```
 *
 * @module
 */
import { join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** How a module refers to another. */
export type EdgeKind = "static" | "dynamic" | "type";

/** One import, between repository-relative paths (`lib/core/hash.ts`). */
export interface Edge {
  /** Importing module. */
  from: string;
  /** Imported module. */
  to: string;
  /** `type` for `import type` / `export type` (erased at run time). */
  kind: EdgeKind;
}

/** Layer ranks: a module may import only from its own rank or a lower one. */
export const LAYER_RANK = {
  base: 0,
  concept: 1,
  pipeline: 2,
  cli: 3,
  main: 4,
  testing: 5,
} as const;

/** Name of a layer. */
export type Layer = keyof typeof LAYER_RANK;

/** The layer of every folder directly under `lib/`. */
export const LAYERS: Readonly<Record<string, Layer>> = {
  core: "base",
  config: "concept",
  fabric: "concept",
  graph: "concept",
  reconciler: "concept",
  registry: "concept",
  security: "concept",
  solver: "concept",
  symbols: "concept",
  plan: "concept",
  pipeline: "pipeline",
  cli: "cli",
  testing: "testing",
};

/** Something the check refuses. */
export interface Finding {
  /** What kind of problem. */
  kind: "cycle" | "upward" | "outside" | "unlayered";
  /** One line for the user. */
  message: string;
}

/**
 * Layer of a repository-relative path: `main.ts`, `ffi/**`, `lib/<folder>/**`. Returns
 * `undefined` for a `lib/` folder missing from {@linkcode LAYERS} (or a file directly in
 * `lib/`) and `null` for anything outside the checked tree (`tests/`, `scripts/`, outside the
 * repository).
 */
export function layerOf(path: string): Layer | undefined | null {
  if (path === "main.ts") return "main";
  // Tests and benchmarks sit beside the code they exercise but may use the test support.
  if (/_(test|bench)\.ts$/.test(path) && isChecked(path)) return "testing";
  if (path.startsWith("ffi/")) return "base";
  if (!path.startsWith("lib/")) return null;
  const m = /^lib\/([^/]+)\//.exec(path);
  return m === null ? undefined : LAYERS[m[1]];
}

/** Whether the check covers `path` (it is `main.ts` or under `lib/` or `ffi/`). */
export function isChecked(path: string): boolean {
  return path === "main.ts" || path.startsWith("lib/") || path.startsWith("ffi/");
}

/** JSON inside the repository (the schemas) is data, not a module with a layer. */
function isData(path: string): boolean {
  return path.endsWith(".json") && !path.startsWith("../");
}

const KIND_RANK: Readonly<Record<EdgeKind, number>> = { static: 0, dynamic: 1, type: 2 };

function label(kind: EdgeKind): string {
  return kind === "type" ? " (import type)" : kind === "dynamic" ? " (dynamic import)" : "";
}

function pathText(cycle: string[], kinds: Map<string, EdgeKind>): string {
  const parts = [cycle[0]];
  for (let i = 1; i < cycle.length; i++) {
    parts.push(`-> ${cycle[i]}${label(kinds.get(`${cycle[i - 1]}\0${cycle[i]}`) ?? "static")}`);
  }
  return parts.join(" ");
}

/** Edges by importer, targets sorted, so every search below is deterministic. */
function adjacency(edges: readonly Edge[]): Map<string, string[]> {
  const adj = new Map<string, string[]>();
  for (const e of edges) {
    if (!adj.has(e.from)) adj.set(e.from, []);
    if (!adj.has(e.to)) adj.set(e.to, []);
    adj.get(e.from)!.push(e.to);
  }
  for (const [k, v] of adj) adj.set(k, [...new Set(v)].sort());
  return adj;
}

/** Strongly connected components (Tarjan), each sorted; only those that hold a cycle. */
export function cyclicComponents(edges: readonly Edge[]): string[][] {
  const adj = adjacency(edges);
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  let next = 0;
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of adj.get(v)!) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) !== index.get(v)) return;
    const comp: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      comp.push(w);
    } while (w !== v);
    if (comp.length > 1 || adj.get(v)!.includes(v)) out.push(comp.sort());
  };
  for (const v of [...adj.keys()].sort()) if (!index.has(v)) visit(v);
  return out.sort((a, b) => (a[0] < b[0] ? -1 : 1));
}

/** Shortest path from `start` back to itself inside `members` (BFS). */
function shortestCycle(start: string, members: Set<string>, adj: Map<string, string[]>): string[] {
  const prev = new Map<string, string>();
  const queue = [start];
  for (let i = 0; i < queue.length; i++) {
    const v = queue[i];
    for (const w of adj.get(v)!) {
      if (!members.has(w)) continue;
      if (w === start) {
        const via: string[] = [];
        for (let u = v; u !== start; u = prev.get(u)!) via.unshift(u);
        return [start, ...via, start];
      }
      if (!prev.has(w)) {
        prev.set(w, v);
        queue.push(w);
      }
    }
  }
  return [start, start];
}

/**
 * Every import cycle, as paths that start and end at the same module: the shortest cycle
 * through each module of each cyclic component, each started at its smallest path,
 * duplicates removed. Listing
 * one per module keeps the output finite and still names every module that takes part.
 */
export function findCycles(edges: readonly Edge[]): string[][] {
  const adj = adjacency(edges);
  const seen = new Set<string>();
  const cycles: string[][] = [];
  for (const comp of cyclicComponents(edges)) {
    const members = new Set(comp);
    for (const start of comp) {
      const cycle = shortestCycle(start, members, adj);
      const ring = cycle.slice(0, -1);
      const first = ring.indexOf([...ring].sort()[0]);
      const rotated = [...ring.slice(first), ...ring.slice(0, first)];
      const key = rotated.join("\0");
      if (seen.has(key)) continue;
      seen.add(key);
      cycles.push([...rotated, rotated[0]]);
    }
  }
  return cycles;
}

/** Every finding on `edges` (see the module doc), cycles first, each group sorted. */
export function checkEdges(edges: readonly Edge[]): Finding[] {
  const kinds = new Map<string, EdgeKind>();
  for (const e of edges) {
    const key = `${e.from}\0${e.to}`;
    // Between the same two modules, label the strongest edge: static, then dynamic, then type.
    const old = kinds.get(key);
    if (old === undefined || KIND_RANK[e.kind] < KIND_RANK[old]) kinds.set(key, e.kind);
  }
  const findings: Finding[] = [];
  for (const cycle of findCycles(edges)) {
    const typeOnly = cycle.slice(1).some((to, i) => kinds.get(`${cycle[i]}\0${to}`) === "type");
    findings.push({
      kind: "cycle",
      message: `cycle${typeOnly ? " (through import type)" : ""}: ${pathText(cycle, kinds)}`,
    });
  }
  const unlayered = new Set<string>();
  const sorted = [...kinds.keys()].sort().map((k) => k.split("\0") as [string, string]);
  for (const [from, to] of sorted) {
    if (!isChecked(from)) continue;
    const via = label(kinds.get(`${from}\0${to}`)!);
    const lf = layerOf(from);
    const lt = layerOf(to);
    for (const [path, layer] of [[from, lf], [to, lt]] as const) {
      const parts = path.split("/");
      const place = parts.length > 2 ? `${parts[0]}/${parts[1]}/` : path;
      if (layer === undefined && !unlayered.has(place)) {
        unlayered.add(place);
        findings.push({
          kind: "unlayered",
          message: `unlayered: ${place} has no layer: add it to LAYERS in scripts/check_cycles.ts`,
        });
      }
    }
    if (lt === null && !isData(to)) {
      findings.push({
        kind: "outside",
        message: `outside: ${from} -> ${to}${via}: main.ts, lib/ and ffi/ import no other module`,
      });
    } else if (lf && lt && LAYER_RANK[lt] > LAYER_RANK[lf]) {
      findings.push({
        kind: "upward",
        message: `upward ${lf} -> ${lt}: ${from} -> ${to}${via}`,
      });
    }
  }
  return findings;
}

interface InfoDependency {
  specifier: string;
  code?: { specifier?: string };
  type?: { specifier?: string };
  isDynamic?: boolean;
}

interface InfoModule {
  specifier: string;
  dependencies?: InfoDependency[];
}

/** Runs `deno info --json` on one file from the repository root. */
async function denoInfo(root: string, file: string): Promise<InfoModule[]> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", file],
    cwd: root,
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) {
    throw new Error(`deno info ${file} failed: ${new TextDecoder().decode(out.stderr).trim()}`);
  }
  return (JSON.parse(new TextDecoder().decode(out.stdout)) as { modules: InfoModule[] }).modules;
}

/** Repository-relative path of a `file:` URL; null for any other specifier (npm:, node:). */
function localPath(root: string, specifier: string | undefined): string | null {
  if (specifier === undefined || !specifier.startsWith("file:")) return null;
  return relative(root, fileURLToPath(specifier));
}

async function* walk(dir: string): AsyncGenerator<string> {
  let entries: Deno.DirEntry[];
  try {
    entries = await Array.fromAsync(Deno.readDir(dir));
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return;
    throw err;
  }
  for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (e.isDirectory && e.name !== "target" && e.name !== "node_modules") {
      yield* walk(join(dir, e.name));
    } else if (e.isFile && /\.(ts|tsx|js|mjs)$/.test(e.name) && !e.name.endsWith(".d.ts")) {
      yield join(dir, e.name);
    }
  }
}

/** The checked modules of the repository at `root`: `main.ts` and every module of lib/, ffi/. */
export async function checkedModules(root: string): Promise<string[]> {
  const files: string[] = [];
  try {
    await Deno.stat(join(root, "main.ts"));
    files.push("main.ts");
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
  for (const dir of ["lib", "ffi"]) {
    for await (const f of walk(join(root, dir))) files.push(relative(root, f));
  }
  return files;
}

/**
 * The import graph of the repository at `root`, starting from `main.ts` and then from every
 * checked module no earlier run reached (tests, benches), so each file is read once.
 */
export async function importGraph(root: string): Promise<Edge[]> {
  const absRoot = resolve(root);
  const edges: Edge[] = [];
  const covered = new Set<string>();
  for (const file of await checkedModules(absRoot)) {
    if (covered.has(file)) continue;
    for (const mod of await denoInfo(absRoot, file)) {
      const from = localPath(absRoot, mod.specifier);
      if (from === null || covered.has(from)) continue;
      covered.add(from);
      if (!isChecked(from)) continue;
      for (const dep of mod.dependencies ?? []) {
        // Bare and npm:/node: specifiers are packages, even when they resolve into node_modules.
        if (!/^(\.{1,2}\/|\/|file:)/.test(dep.specifier)) continue;
        const code = localPath(absRoot, dep.code?.specifier);
        const type = localPath(absRoot, dep.type?.specifier);
        if (code !== null) {
          edges.push({ from, to: code, kind: dep.isDynamic ? "dynamic" : "static" });
        } else if (type !== null) edges.push({ from, to: type, kind: "type" });
      }
    }
  }
  return edges;
}

if (import.meta.main) {
  const root = Deno.args[0] ?? ".";
  const edges = await importGraph(root);
  const findings = checkEdges(edges);
  const modules = (await checkedModules(root)).length;
  for (const f of findings) console.log(`check_cycles: ${f.message}`);
  if (findings.length > 0) {
    console.log(`check_cycles: ${findings.length} finding(s) in ${modules} modules`);
    Deno.exit(1);
  }
  console.log(
    `check_cycles: ${modules} modules, ${edges.length} imports: no cycle, no upward edge`,
  );
}
