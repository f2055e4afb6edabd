/**
 * Stage 20: dependency health of the symbol table. Missing dependencies
 * (exit 1), semver conflicts (exit 2), cycles (exit 3), contract mismatches
 * and missing capabilities (exit 1), each with a suggested fix.
 *
 * @module
 */
import type { SymbolEntry, SymbolTable } from "./symbol_table.ts";

/** Kinds of findings, with the exit code each implies (0 for notes). */
export const FINDING_CODES = {
  missing: 1,
  contract: 1,
  capability: 1,
  conflict: 2,
  cycle: 3,
  note: 0,
} as const;

/** One doctor finding. */
export interface Finding {
  /** What kind of problem; {@linkcode FINDING_CODES} gives the exit code it implies. */
  kind: keyof typeof FINDING_CODES;
  /** Symbol the finding is about (`saddr@version`). */
  symbol: string;
  /** File of that symbol. */
  file: string;
  /** What is wrong, with the numbers. */
  message: string;
  /** How to fix it. */
  fix?: string;
  /** For cycles: the path, first element repeated at the end. */
  cycle?: string[];
}

/** Result of {@linkcode diagnose}. */
export interface DoctorReport {
  /** Symbols examined (saddr@version count). */
  symbols: number;
  /** Every finding, errors first. */
  findings: Finding[];
  /** 0 when healthy, else the first of 1, 2, 3 that applies. */
  exitCode: number;
}

/**
 * The npm `semver` module as `import("semver")` yields it; {@linkcode diagnose}
 * takes it as an argument.
 */
export type Semver = typeof import("semver");

/**
 * Diagnoses the table. `semver` is passed in (the caller imports it lazily)
 * so this module stays cheap to load.
 */
export function diagnose(table: SymbolTable, semver: Semver): DoctorReport {
  const findings: Finding[] = [];
  const all: SymbolEntry[] = [...table.values()].flat();
  const resolved = new Map<string, Map<string, SymbolEntry>>(); // consumer id -> dep saddr -> chosen entry
  const demands = new Map<string, Array<{ by: SymbolEntry; range: string }>>();
  const providersOf = new Map<string, string[]>(); // cap -> saddrs providing it
  for (const e of all) {
    for (const cap of e.manifest.caps?.provides ?? []) {
      const l = providersOf.get(cap) ?? [];
      if (!l.includes(e.saddr)) l.push(e.saddr);
      providersOf.set(cap, l);
    }
  }

  for (const e of all) {
    const id = `${e.saddr}@${e.version}`;
    const deps = new Map<string, SymbolEntry>();
    for (const req of e.manifest.requires ?? []) {
      const candidates = table.get(req.saddr);
      if (!semver.validRange(req.version)) {
        findings.push({
          kind: "conflict",
          symbol: id,
          file: e.file,
          message: `requires ${req.saddr} with invalid semver range "${req.version}"`,
          fix: `use a range like "^1.0.0"`,
        });
        continue;
      }
      if (!candidates) {
        findings.push({
          kind: req.optional ? "note" : "missing",
          symbol: id,
          file: e.file,
          message: `requires ${req.saddr} ${req.version}, which no scanned manifest provides${
            req.optional ? " (optional)" : ""
          }`,
          fix: `add a manifest for ${req.saddr} to a scan root, or remove the requirement`,
        });
        continue;
      }
      const best = candidates.find((c) =>
        semver.satisfies(c.version, req.version, { includePrerelease: false })
      );
      if (!best) {
        findings.push({
          kind: "conflict",
          symbol: id,
          file: e.file,
          message: `requires ${req.saddr} ${req.version}, but only ${
            candidates.map((c) => c.version).join(", ")
          } exist`,
          fix: `widen the range to include ${
            candidates[0].version
          }, or add ${req.saddr} at a version matching ${req.version}`,
        });
        continue;
      }
      deps.set(req.saddr, best);
      const d = demands.get(req.saddr) ?? [];
      d.push({ by: e, range: req.version });
      demands.set(req.saddr, d);
    }
    resolved.set(id, deps);
  }

  // Conflicts between requirers: no single version of a symbol satisfies all of them.
  for (const [saddr, list] of demands) {
    if (list.length < 2) continue;
    const versions = table.get(saddr)!;
    if (versions.some((v) => list.every((d) => semver.satisfies(v.version, d.range)))) continue;
    const ranges = list.map((d) => `${d.by.saddr}@${d.by.version} needs ${d.range}`).join("; ");
    findings.push({
      kind: "conflict",
      symbol: saddr,
      file: versions[0].file,
      message: `no version of ${saddr} (${
        versions.map((v) => v.version).join(", ")
      }) satisfies every requirer: ${ranges}`,
      fix: `align the ranges on one version of ${saddr}`,
    });
  }

  // Contracts and capabilities along each resolved dependency.
  for (const e of all) {
    const id = `${e.saddr}@${e.version}`;
    const deps = resolved.get(id)!;
    const outs = e.manifest.type?.out;
    for (const dep of deps.values()) {
      const ins = dep.manifest.type?.in;
      if (outs?.length && ins?.length && !outs.some((t) => ins.includes(t))) {
        findings.push({
          kind: "contract",
          symbol: id,
          file: e.file,
          message: `calls ${dep.saddr}@${dep.version} but emits [${
            outs.join(", ")
          }] while it accepts [${ins.join(", ")}]`,
          fix: `add "${ins[0]}" to type.out of ${e.saddr}, or "${
            outs[0]
          }" to type.in of ${dep.saddr}`,
        });
      }
    }
    for (const cap of e.manifest.caps?.needs ?? []) {
      const viaDeps = [...deps.values()].some((d) => d.manifest.caps?.provides?.includes(cap));
      if (viaDeps) continue;
      const anywhere = providersOf.get(cap) ?? [];
      findings.push({
        kind: "capability",
        symbol: id,
        file: e.file,
        message: `needs capability "${cap}", which none of its dependencies provides`,
        fix: anywhere.length
          ? `add a requires on ${anywhere.slice(0, 3).join(" or ")} (provides "${cap}")`
          : `no symbol provides "${cap}": add it to caps.provides of the symbol that grants it`,
      });
    }
  }

  for (const cycle of findCycles(table, resolved)) {
    const head = table.get(cycle[0])![0];
    findings.push({
      kind: "cycle",
      symbol: cycle[0],
      file: head.file,
      message: `dependency cycle: ${cycle.join(" -> ")}`,
      fix: `remove one of the requires edges in the cycle (e.g. ${cycle[cycle.length - 2]} -> ${
        cycle[cycle.length - 1]
      })`,
      cycle,
    });
  }

  const order = (f: Finding) => FINDING_CODES[f.kind] || 9;
  findings.sort((a, b) =>
    order(a) - order(b) || (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0) ||
    (a.message < b.message ? -1 : 1)
  );
  const codes = findings.map((f) => FINDING_CODES[f.kind]).filter((c) => c > 0);
  return { symbols: all.length, findings, exitCode: codes.length ? Math.min(...codes) : 0 };
}

// Cycles over the saddr-level graph of resolved dependencies: one path per
// strongly connected component, starting at its smallest saddr (stable output).
function findCycles(
  table: SymbolTable,
  resolved: Map<string, Map<string, SymbolEntry>>,
): string[][] {
  const graph = new Map<string, string[]>();
  for (const [saddr, versions] of table) {
    const edges = new Set<string>();
    for (const v of versions) {
      for (const d of resolved.get(`${saddr}@${v.version}`)?.keys() ?? []) edges.add(d);
    }
    graph.set(saddr, [...edges].sort());
  }
  // Tarjan's SCC, iterative to survive deep graphs.
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const sccs: string[][] = [];
  for (const start of graph.keys()) {
    if (idx.has(start)) continue;
    const work: Array<{ v: string; i: number }> = [{ v: start, i: 0 }];
    idx.set(start, index);
    low.set(start, index++);
    stack.push(start);
    onStack.add(start);
    while (work.length) {
      const top = work[work.length - 1];
      const edges = graph.get(top.v) ?? [];
      if (top.i < edges.length) {
        const w = edges[top.i++];
        if (!graph.has(w)) continue;
        if (!idx.has(w)) {
          idx.set(w, index);
          low.set(w, index++);
          stack.push(w);
          onStack.add(w);
          work.push({ v: w, i: 0 });
        } else if (onStack.has(w)) low.set(top.v, Math.min(low.get(top.v)!, idx.get(w)!));
      } else {
        work.pop();
        if (work.length) {
          const parent = work[work.length - 1].v;
          low.set(parent, Math.min(low.get(parent)!, low.get(top.v)!));
        }
        if (low.get(top.v) === idx.get(top.v)) {
          const comp: string[] = [];
          let w: string;
          do {
            w = stack.pop()!;
            onStack.delete(w);
            comp.push(w);
          } while (w !== top.v);
          const selfLoop = comp.length === 1 && (graph.get(comp[0]) ?? []).includes(comp[0]);
          if (comp.length > 1 || selfLoop) sccs.push(comp.sort());
        }
      }
    }
  }
  return sccs.map((comp) => cyclePath(comp, graph)).sort((a, b) => (a[0] < b[0] ? -1 : 1));
}

// Shortest cycle through the smallest member of a component (BFS back to it).
function cyclePath(comp: string[], graph: Map<string, string[]>): string[] {
  const inComp = new Set(comp);
  const start = comp[0];
  const prev = new Map<string, string>();
  const queue = [start];
  const seen = new Set<string>();
  while (queue.length) {
    const v = queue.shift()!;
    for (const w of graph.get(v) ?? []) {
      if (!inComp.has(w)) continue;
      if (w === start) {
        const path = [start];
        let x: string | undefined = v;
        const back: string[] = [];
        while (x && x !== start) {
          back.push(x);
          x = prev.get(x);
        }
        return [...path, ...back.reverse(), start];
      }
      if (!seen.has(w)) {
        seen.add(w);
        prev.set(w, v);
        queue.push(w);
      }
    }
  }
  return [start, start];
}
