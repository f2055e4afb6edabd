/**
 * Constraint propagation: turns desired routes, policy, symbols, topology
 * and the lane latency model into, for each route, the list of feasible
 * (lane, NUMA node) options with their cost, or the first constraint that
 * blocks it. Both solvers (exact and greedy) start from the same
 * {@linkcode Problem}, so they differ only in how they pick options.
 *
 * Everything here is ordered by the stable key (from, type, to, version);
 * input order never matters.
 *
 * @module
 */
import { compareStrings, InputError, SchemaError, type SourcePosition } from "../core/mod.ts";
import { type DesiredRoute, locate, type SourceDocument } from "../config/mod.ts";
import { compareVersions, type SymbolEntry } from "../symbols/mod.ts";
import { routeId } from "../graph/mod.ts";
import { type BlockedRoute, blockedRoute, isInfeasible } from "./infeasible.ts";
import { PolicyIndex } from "./_policy_index.ts";
import { bindRoute, type BoundRoute } from "./_bind_contract.ts";
import { callerLimits } from "./_caller_limits.ts";
import { optionsContext, routeProblem } from "./_route_options.ts";

export type {
  FixedRoute,
  Problem,
  RouteOption,
  RouteProblem,
  SolverInput,
} from "./problem_types.ts";
import type { Problem, RouteProblem, SolverInput } from "./problem_types.ts";

/**
 * Indexes the symbols. Two different contents for one saddr@version is
 * refused: which one wins would depend on file order.
 * @throws {InputError} on such a collision.
 */
export function indexSymbols(symbols: readonly SymbolEntry[]): Map<string, SymbolEntry[]> {
  const bySaddr = new Map<string, SymbolEntry[]>();
  for (const s of symbols) {
    const list = bySaddr.get(s.saddr) ?? [];
    const same = list.find((e) => e.version === s.version);
    if (same) {
      if (same.hash !== s.hash) {
        const [a, b] = [same.hash, s.hash].sort();
        throw new InputError(
          `Symbol ${s.saddr}@${s.version} has two different contents (${a}, ${b}); run "rtt-deno scan" to see the files`,
        );
      }
      continue;
    }
    list.push(s);
    bySaddr.set(s.saddr, list);
  }
  for (const list of bySaddr.values()) list.sort((a, b) => compareVersions(b.version, a.version));
  return bySaddr;
}

function positionOf(source: SourceDocument | string | undefined, pointer: string): SourcePosition {
  if (source === undefined) return { file: ".rtt/routes.json", pointer };
  if (typeof source === "string") return { file: source, pointer };
  return { file: source.file, pointer, ...locate(source, pointer) };
}

/**
 * Refuses routes that name symbols that do not exist, and repeated (from,
 * to) pairs: these are input errors (exit 65), not infeasibility.
 * @throws {SchemaError} listing each problem with file and JSON pointer.
 */
export function checkRouteInputs(
  routes: readonly DesiredRoute[],
  symbols: ReadonlyMap<string, unknown>,
  source?: SourceDocument | string,
): void {
  const problems: Array<SourcePosition & { message: string }> = [];
  const seen = new Map<string, number>();
  routes.forEach((r, i) => {
    for (const end of ["from", "to"] as const) {
      if (!symbols.has(r[end])) {
        problems.push({
          ...positionOf(source, `/routes/${i}/${end}`),
          message: `unknown symbol "${r[end]}" (no manifest declares it; run "rtt-deno scan")`,
        });
      }
    }
    const pair = `${r.from}\n${r.to}`;
    const first = seen.get(pair);
    if (first !== undefined) {
      problems.push({
        ...positionOf(source, `/routes/${i}`),
        message: `duplicate route ${r.from} -> ${r.to} (also at /routes/${first})`,
      });
    } else seen.set(pair, i);
  });
  if (problems.length) throw new SchemaError(problems);
}

/**
 * Applies every constraint, in three passes: bind each route to symbol
 * versions and a contract (ACL, version, type, caps), apply the per-caller
 * limits (fan-out, unique link), then price the lane and NUMA options
 * within the latency budget (QoS, lanes, failover, pins, NUMA, latency).
 * Throws only for invalid input; infeasible routes are returned in
 * `blocked` with their explanation.
 * @throws {SchemaError} for unknown symbols and duplicate routes (exit 65).
 * @throws {InputError} for colliding symbol contents (exit 65).
 */
export function buildProblem(input: SolverInput): Problem {
  const symbols = indexSymbols(input.symbols);
  checkRouteInputs(input.routes, symbols, input.routesSource);
  const index = new PolicyIndex(input.policy);
  const ids = new Map(input.routes.map((r) => [r, routeId(r.from, r.to)]));
  const blocked: BlockedRoute[] = [];

  const bound: BoundRoute[] = [];
  const bind = { symbols, policy: index, versions: new Map<string, SymbolEntry | null>() };
  for (const r of [...input.routes].sort(byEnds)) {
    const x = bindRoute(r, bind);
    if (isInfeasible(x)) blocked.push(blockedRoute(r, x));
    else bound.push(x);
  }
  bound.sort((a, b) => compareStrings(a.key, b.key));

  const dropped = new Set<BoundRoute>();
  for (const d of callerLimits(bound, input.policy)) {
    dropped.add(d.route);
    blocked.push(blockedRoute(d.route.route, d.reason));
  }

  const ctx = optionsContext(input, index);
  const routes: RouteProblem[] = [];
  for (const x of bound) {
    if (dropped.has(x)) continue;
    const p = routeProblem(x, ids.get(x.route)!, ctx);
    if (isInfeasible(p)) blocked.push(blockedRoute(x.route, p));
    else routes.push(p);
  }
  blocked.sort(byEnds);
  const desired = new Set(ids.values());
  const removed = input.base.routes.filter((r) => !desired.has(r.id));
  return { routes, blocked, removed, cpus: ctx.cpus };
}

/** Orders routes by (from, to). */
function byEnds(a: { from: string; to: string }, b: { from: string; to: string }): number {
  return compareStrings(a.from, b.from) || compareStrings(a.to, b.to);
}
