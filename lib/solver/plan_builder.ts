/**
 * Turns a solved problem into the plan body (everything but plan_id and
 * sign): the target graph, the delta against the committed graph, the apply
 * order and its batches.
 *
 * Order: pure removals first (a route before the routes it depends on, i.e.
 * reverse dependency order), then additions and replacements in dependency
 * order: a route `A -> B` comes after the changed routes leaving `B`, since
 * B's own links should be up before callers reach it. Ties and cycles are
 * broken by the stable key (from, type, to, version).
 *
 * Batches: consecutive runs of the order in which no two changes conflict.
 * Two changes conflict when they leave the same caller or one's callee is
 * the other's caller (so a dependency never shares a batch with what it
 * depends on).
 *
 * @module
 */
import { type Graph, graphHash, type Plan, type PlannedRoute, routeKey } from "../graph/mod.ts";
import type { Problem } from "./problem.ts";
import type { Choice } from "./greedy.ts";
import { canonicalize, compareStrings, UsageError } from "../core/mod.ts";

/** Objective values of a solution. */
export interface Objective {
  /** Sum of predicted p99 over all planned routes, in microseconds. */
  latency_us: number;
  /** Routes added, replaced or removed against the committed graph. */
  churn: number;
}

/** Realises a choice as planned routes (sorted by stable key). */
export function plannedRoutes(problem: Problem, choice: Choice): PlannedRoute[] {
  return problem.routes.map((rp, i) => {
    const o = rp.options[choice[i]];
    return {
      ...rp.fixed,
      lane: o.lane,
      placement: { numa_node: o.node, cpus: [...problem.cpus.get(o.node)!] },
      predicted_p99_ms: o.p99Us / 1000,
    } as PlannedRoute;
  });
}

/** Objective of a choice (what exact and greedy must agree on). */
export function objectiveOf(problem: Problem, choice: Choice): Objective {
  let latency = 0;
  let churn = problem.removed.length;
  problem.routes.forEach((rp, i) => {
    const o = rp.options[choice[i]];
    latency += o.p99Us;
    churn += o.churn;
  });
  return { latency_us: latency, churn };
}

/** Min-heap of string keys (deterministic topological order). */
class KeyHeap<T> {
  #a: Array<{ k: string; v: T }> = [];
  get size(): number {
    return this.#a.length;
  }
  push(k: string, v: T): void {
    const a = this.#a;
    a.push({ k, v });
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (a[p].k <= a[i].k) break;
      [a[p], a[i]] = [a[i], a[p]];
      i = p;
    }
  }
  pop(): T {
    const a = this.#a;
    const top = a[0];
    const last = a.pop()!;
    if (a.length) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && a[l].k < a[m].k) m = l;
        if (r < a.length && a[r].k < a[m].k) m = r;
        if (m === i) break;
        [a[m], a[i]] = [a[i], a[m]];
        i = m;
      }
    }
    return top.v;
  }
}

/**
 * Orders routes so that for every pair with `dep.from === r.to`, `dep`
 * comes first (when `reverse`, last). Cycles are cut at the smallest key.
 */
export function dependencyOrder(routes: readonly PlannedRoute[], reverse = false): PlannedRoute[] {
  const keys = new Map(routes.map((r) => [r, routeKey(r)]));
  const sorted = [...routes].sort((a, b) => compareStrings(keys.get(a)!, keys.get(b)!));
  // r waits for every route leaving r.to (forward) or arriving at r.from... expressed via edges.
  const byFrom = new Map<string, PlannedRoute[]>();
  const byTo = new Map<string, PlannedRoute[]>();
  for (const r of sorted) {
    (byFrom.get(r.from) ?? byFrom.set(r.from, []).get(r.from)!).push(r);
    (byTo.get(r.to) ?? byTo.set(r.to, []).get(r.to)!).push(r);
  }
  // Forward: r depends on d when d.from === r.to. Reverse: r depends on d when d.to === r.from.
  const depsOf = (r: PlannedRoute) =>
    (reverse ? byTo.get(r.from) : byFrom.get(r.to))?.filter((d) => d !== r) ?? [];
  const waitersOf = (d: PlannedRoute) =>
    (reverse ? byFrom.get(d.to) : byTo.get(d.from))?.filter((r) => r !== d) ?? [];
  const indeg = new Map<PlannedRoute, number>();
  const heap = new KeyHeap<PlannedRoute>();
  for (const r of sorted) {
    const n = depsOf(r).length;
    indeg.set(r, n);
    if (n === 0) heap.push(keys.get(r)!, r);
  }
  const out: PlannedRoute[] = [];
  const done = new Set<PlannedRoute>();
  let cursor = 0;
  while (out.length < sorted.length) {
    if (!heap.size) {
      // A cycle: release the smallest remaining route by stable key.
      while (done.has(sorted[cursor]) || indeg.get(sorted[cursor])! < 0) cursor++;
      const r = sorted[cursor];
      indeg.set(r, 0);
      heap.push(keys.get(r)!, r);
    }
    const r = heap.pop();
    if (done.has(r)) continue;
    done.add(r);
    indeg.set(r, -1);
    out.push(r);
    for (const w of waitersOf(r)) {
      const n = indeg.get(w)!;
      if (n > 0) {
        indeg.set(w, n - 1);
        if (n - 1 === 0) heap.push(keys.get(w)!, w);
      }
    }
  }
  return out;
}

/** Splits an ordered list of changes into batches of non-conflicting changes. */
export function batchesOf(
  changes: ReadonlyArray<{ id: string; from: string; to: string }>,
): string[][] {
  const batches: string[][] = [];
  let cur: string[] = [];
  let froms = new Set<string>();
  let tos = new Set<string>();
  for (const c of changes) {
    const conflict = froms.has(c.from) || froms.has(c.to) || tos.has(c.from);
    if (conflict && cur.length) {
      batches.push(cur);
      cur = [];
      froms = new Set();
      tos = new Set();
    }
    cur.push(c.id);
    froms.add(c.from);
    tos.add(c.to);
  }
  if (cur.length) batches.push(cur);
  return batches;
}

/** Options for {@linkcode assemblePlan}. */
export interface AssembleOptions {
  /** The committed graph the plan is computed against. */
  base: Graph;
  /** Deterministic timestamp (see {@linkcode createdAtFrom}). */
  createdAt: string;
  /** Recorded in the plan's `solver` field. */
  solver: Record<string, unknown>;
}

/** Builds the unsigned plan body. */
export function assemblePlan(
  problem: Problem,
  choice: Choice,
  options: AssembleOptions,
): Omit<Plan, "plan_id" | "sign"> {
  // problem.routes is already sorted by the stable key, which is routeKey: the normalized order.
  const target: Graph = { routes: plannedRoutes(problem, choice) };
  const baseById = new Map(options.base.routes.map((r) => [r.id, r]));
  const targetIds = new Set(target.routes.map((r) => r.id));
  const changed = target.routes.filter((r) => {
    const b = baseById.get(r.id);
    return !b || canonicalize(b) !== canonicalize(r);
  });
  const replaced = changed.filter((r) => baseById.has(r.id));
  const removed = options.base.routes.filter((r) => !targetIds.has(r.id));
  const delOrder = dependencyOrder(removed, true);
  const addOrder = dependencyOrder(changed);
  const routes_del = [...delOrder, ...dependencyOrder(replaced)].map((r) => ({
    id: r.id,
    from: r.from,
    to: r.to,
  }));
  const orderRoutes = [...delOrder, ...addOrder];
  const symbols: Record<string, string> = {};
  const pairs: Array<[string, string]> = [];
  for (const r of target.routes) {
    pairs.push([`${r.from}@${r.from_version}`, r.from_hash], [
      `${r.to}@${r.to_version}`,
      r.to_hash,
    ]);
  }
  pairs.sort((a, b) => compareStrings(a[0], b[0]));
  for (const [k, v] of pairs) symbols[k] = v;
  return {
    plan_version: 1,
    created_at: options.createdAt,
    base_graph: graphHash(options.base),
    target_graph: graphHash(target),
    symbols,
    routes_add: addOrder,
    routes_del,
    order: orderRoutes.map((r) => r.id),
    batches: batchesOf(orderRoutes),
    solver: options.solver,
  };
}

/**
 * The plan's `created_at`: from SOURCE_DATE_EPOCH (seconds) when set, else
 * the epoch. Never the wall clock, so equal inputs give byte-identical plans.
 * @throws {UsageError} when SOURCE_DATE_EPOCH is not a non-negative integer.
 */
export function createdAtFrom(sourceDateEpoch: string | undefined): string {
  if (sourceDateEpoch === undefined || sourceDateEpoch === "") return "1970-01-01T00:00:00Z";
  if (!/^\d{1,12}$/.test(sourceDateEpoch)) {
    throw new UsageError(
      `SOURCE_DATE_EPOCH must be a whole number of seconds, got "${sourceDateEpoch}"`,
    );
  }
  return new Date(Number(sourceDateEpoch) * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
}
