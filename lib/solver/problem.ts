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
import semver from "semver";
import { globMatch, SchemaError, type SourcePosition } from "../core/mod.ts";
import {
  type ClassQos,
  type DesiredRoute,
  type Lane,
  LANES,
  locate,
  type Policy,
  type RouteSelector,
  type SourceDocument,
} from "../config/mod.ts";
import type { SymbolEntry } from "../symbols/mod.ts";
import { compareVersions } from "../symbols/mod.ts";
import { type Graph, type PlannedRoute, routeId } from "../graph/mod.ts";
import type { Topology } from "./topology.ts";
import { type LatencyModel, predictP99Us } from "./latency_model.ts";
import { InputError } from "../core/mod.ts";

/** Everything the planner plans from. */
export interface SolverInput {
  /** Symbols that exist (one entry per saddr@version); `hash` is the CAS key. */
  symbols: readonly SymbolEntry[];
  /** Desired routes (`.rtt/routes.json`). */
  routes: readonly DesiredRoute[];
  policy: Policy;
  /** Lane preference order for ties (panel `routing.prefer`). */
  prefer?: readonly Lane[];
  topology: Topology;
  model: LatencyModel;
  /** The committed graph (churn objective). */
  base: Graph;
  /** Source of the routes, for error positions (file + JSON pointer + line). */
  routesSource?: SourceDocument | string;
}

/** One feasible way to realise a route. */
export interface RouteOption {
  lane: Lane;
  node: number;
  /** Predicted p99 in integer microseconds. */
  p99Us: number;
  /** 1 when choosing this option changes the committed route. */
  churn: 0 | 1;
}

/** A route whose constraints are all met by at least one option. */
export interface RouteProblem {
  id: string;
  /** Stable key (from, type, to, version). */
  key: string;
  /** The route with every field but lane, placement and predicted p99 resolved. */
  fixed: Omit<PlannedRoute, "lane" | "placement" | "predicted_p99_ms">;
  /** Feasible options, best first by (p99, churn, lane preference, node). */
  options: RouteOption[];
  /** The committed route with the same id, if any. */
  base?: PlannedRoute;
  /** Why the options look as they do (for --explain). */
  notes: string[];
}

/** A route no option satisfies. */
export interface BlockedRoute {
  from: string;
  to: string;
  /** Constraint name: acl, type, version, caps, lanes, pins, numa, latency, qos, fanout, unique-link. */
  constraint: string;
  /** One line naming the constraint and the numbers. */
  message: string;
}

/** Output of {@linkcode buildProblem}. */
export interface Problem {
  routes: RouteProblem[];
  blocked: BlockedRoute[];
  /** Committed routes no desired route keeps (always deleted). */
  removed: PlannedRoute[];
  /** CPUs per node id (placement). */
  cpus: Map<number, number[]>;
}

/** Short form of a saddr for messages (`core/api/metrics`). */
export function shortSaddr(saddr: string): string {
  return saddr.startsWith("rtt://") ? saddr.slice(6) : saddr;
}

/** Formats milliseconds from integer microseconds without float noise. */
export function usToMs(us: number): number {
  return us / 1000;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function selectorMatches(sel: RouteSelector, from: string, to: string): boolean {
  if (sel.from !== undefined && !globMatch(sel.from, from)) return false;
  if (sel.to !== undefined && !globMatch(sel.to, to)) return false;
  if (sel.symbol !== undefined && !globMatch(sel.symbol, from) && !globMatch(sel.symbol, to)) {
    return false;
  }
  return true;
}

/** A pin that applies to routes (as opposed to a symbol's home NUMA node). */
function isRoutePin(sel: RouteSelector): boolean {
  return sel.from !== undefined || sel.to !== undefined;
}

/**
 * Indexes the symbols. Two different contents for one saddr@version is
 * refused: which one wins would depend on file order.
 * @throws {SyntaxError} on such a collision.
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

interface Resolved {
  route: DesiredRoute;
  from: SymbolEntry;
  to: SymbolEntry;
  type: string;
  cls: string;
  key: string;
}

/** Memo of per-symbol policy lookups (the greedy's cached fingerprints). */
class PolicyIndex {
  #aclFrom = new Map<string, boolean[]>();
  #aclTo = new Map<string, boolean[]>();
  #homes = new Map<string, { node: number; pin: number } | null>();
  constructor(readonly policy: Policy) {}

  #match(cache: Map<string, boolean[]>, saddr: string, side: "from" | "to"): boolean[] {
    let v = cache.get(saddr);
    if (!v) {
      v = (this.policy.acl?.rules ?? []).map((r) =>
        r[side] === undefined || globMatch(r[side]!, saddr)
      );
      cache.set(saddr, v);
    }
    return v;
  }

  /** null when allowed, else the reason. Deny wins over allow; no match gets the default. */
  acl(from: string, to: string): string | null {
    const rules = this.policy.acl?.rules ?? [];
    const mf = this.#match(this.#aclFrom, from, "from");
    const mt = this.#match(this.#aclTo, to, "to");
    let allowed = false;
    for (let i = 0; i < rules.length; i++) {
      if (!mf[i] || !mt[i]) continue;
      if (rules[i].effect === "deny") {
        return `denied by policy acl.rules[${i}]${rules[i].reason ? ` (${rules[i].reason})` : ""}`;
      }
      allowed = true;
    }
    if (allowed || (this.policy.acl?.default ?? "allow") === "allow") return null;
    return "denied by policy acl.default=deny (no allow rule matches)";
  }

  /** Home NUMA node of a symbol: the first symbol-only pin with numa_node that matches it. */
  home(saddr: string): { node: number; pin: number } | null {
    let h = this.#homes.get(saddr);
    if (h === undefined) {
      h = null;
      const pins = this.policy.pins ?? [];
      for (let i = 0; i < pins.length; i++) {
        const p = pins[i];
        if (p.numa_node === undefined || isRoutePin(p.match) || p.match.symbol === undefined) {
          continue;
        }
        if (globMatch(p.match.symbol, saddr)) {
          h = { node: p.numa_node, pin: i };
          break;
        }
      }
      this.#homes.set(saddr, h);
    }
    return h;
  }
}

function sameFixed(
  a: Omit<PlannedRoute, "lane" | "placement" | "predicted_p99_ms">,
  b: PlannedRoute,
): boolean {
  return a.from_version === b.from_version && a.to_version === b.to_version &&
    a.from_hash === b.from_hash && a.to_hash === b.to_hash && a.type === b.type &&
    a.class === b.class && a.qos.latency_budget_ms === b.qos.latency_budget_ms &&
    a.qos.throughput_qps === b.qos.throughput_qps && a.bucket.rate_per_s === b.bucket.rate_per_s &&
    a.bucket.burst === b.bucket.burst;
}

function sameCpus(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((c, i) => c === b[i]);
}

/**
 * Applies every constraint. Throws only for invalid input; infeasible
 * routes are returned in `blocked` with their explanation.
 * @throws {SchemaError} for unknown symbols and duplicate routes (exit 65).
 * @throws {SyntaxError} for colliding symbol contents (exit 65).
 */
export function buildProblem(input: SolverInput): Problem {
  const symbols = indexSymbols(input.symbols);
  checkRouteInputs(input.routes, symbols, input.routesSource);
  const policy = input.policy;
  const pidx = new PolicyIndex(policy);
  const classes: Record<string, ClassQos> = policy.qos?.classes ?? {};
  const prefer = [...(input.prefer ?? []), ...LANES];
  const laneRank = (l: Lane, order: readonly Lane[]) => {
    const i = order.indexOf(l);
    return i < 0 ? order.length : i;
  };
  const cpus = new Map(input.topology.nodes.map((n) => [n.id, n.cpus]));
  const nodeIds = input.topology.nodes.map((n) => n.id);
  const baseById = new Map(input.base.routes.map((r) => [r.id, r]));
  const blocked: BlockedRoute[] = [];
  const block = (r: DesiredRoute, constraint: string, msg: string) =>
    blocked.push({
      from: r.from,
      to: r.to,
      constraint,
      message: `${shortSaddr(r.from)} -> ${shortSaddr(r.to)}: ${msg}`,
    });
  const versionCache = new Map<string, SymbolEntry | null>();
  const ids = new Map(input.routes.map((r) => [r, routeId(r.from, r.to)]));

  // Pass 1: bind symbols and contract (type, version, caps, acl).
  const resolved: Resolved[] = [];
  const sortedInput = [...input.routes].sort((a, b) => cmp(a.from, b.from) || cmp(a.to, b.to));
  for (const r of sortedInput) {
    const from = symbols.get(r.from)![0];
    const toVersions = symbols.get(r.to)!;
    const aclWhy = pidx.acl(r.from, r.to);
    if (aclWhy) {
      block(r, "acl", `acl: ${aclWhy}`);
      continue;
    }
    const req = (from.manifest.requires ?? []).find((q) => q.saddr === r.to);
    let to: SymbolEntry | null = toVersions[0];
    if (req) {
      const ck = `${r.to}\u0000${req.version}`;
      to = versionCache.get(ck) ?? null;
      if (!versionCache.has(ck)) {
        to = toVersions.find((e) => semver.satisfies(e.version, req.version)) ?? null;
        versionCache.set(ck, to);
      }
      if (!to) {
        block(
          r,
          "version",
          `version: ${shortSaddr(r.from)}@${from.version} requires ${
            shortSaddr(r.to)
          } ${req.version}; available ${toVersions.map((e) => e.version).join(", ")}`,
        );
        continue;
      }
    }
    const outs = from.manifest.type?.out ?? [];
    const ins = to.manifest.type?.in ?? [];
    let type: string | undefined;
    if (r.type !== undefined) {
      const missing = [
        outs.includes(r.type) ? "" : `${shortSaddr(r.from)} type.out [${outs.join(", ")}]`,
        ins.includes(r.type) ? "" : `${shortSaddr(r.to)}@${to.version} type.in [${ins.join(", ")}]`,
      ].filter(Boolean);
      if (missing.length) {
        block(r, "type", `type: route type ${r.type} is not in ${missing.join(" nor ")}`);
        continue;
      }
      type = r.type;
    } else {
      type = outs.find((t) => ins.includes(t));
      if (type === undefined) {
        block(
          r,
          "type",
          `type: no common contract; ${shortSaddr(r.from)} type.out [${outs.join(", ")}] ∩ ${
            shortSaddr(r.to)
          }@${to.version} type.in [${ins.join(", ")}] is empty`,
        );
        continue;
      }
    }
    const provides = to.manifest.caps?.provides ?? [];
    if (r.caps) {
      const missing = r.caps.filter((c) => !provides.includes(c)).sort();
      if (missing.length) {
        block(
          r,
          "caps",
          `caps: route needs [${missing.join(", ")}] but ${
            shortSaddr(r.to)
          }@${to.version} provides [${provides.join(", ")}]`,
        );
        continue;
      }
    } else {
      const needs = from.manifest.caps?.needs ?? [];
      if (needs.length && !needs.some((c) => provides.includes(c))) {
        block(
          r,
          "caps",
          `caps: ${shortSaddr(r.from)} needs [${needs.join(", ")}] and ${
            shortSaddr(r.to)
          }@${to.version} provides none of them ([${provides.join(", ")}])`,
        );
        continue;
      }
    }
    const cls = r.class ?? from.manifest.qos?.class ?? "interactive";
    resolved.push({
      route: r,
      from,
      to,
      type,
      cls,
      key: `${r.from}\u0000${type}\u0000${r.to}\u0000${to.version}`,
    });
  }
  resolved.sort((a, b) => cmp(a.key, b.key));

  // Pass 2: per-caller limits (fan-out, one active non-bus link per class).
  const perFrom = new Map<string, Resolved[]>();
  for (const x of resolved) {
    const l = perFrom.get(x.route.from) ?? [];
    l.push(x);
    perFrom.set(x.route.from, l);
  }
  const dropped = new Set<Resolved>();
  for (const [from, list] of perFrom) {
    const per = policy.fanout?.per_symbol?.[from];
    const limit = per ?? policy.fanout?.default_max ?? Infinity;
    if (list.length > limit) {
      const src = per !== undefined
        ? `policy fanout.per_symbol["${from}"]=${per}`
        : `policy fanout.default_max=${limit}`;
      list.slice(limit).forEach((x, i) => {
        dropped.add(x);
        block(
          x.route,
          "fanout",
          `fanout: ${list.length} routes leave ${shortSaddr(from)} but ${src}; this is #${
            limit + i + 1
          } by stable key`,
        );
      });
    }
    const holder = new Map<string, Resolved>();
    for (const x of list) {
      if (dropped.has(x) || x.cls === "bus") continue;
      const h = holder.get(x.cls);
      if (h) {
        dropped.add(x);
        block(
          x.route,
          "unique-link",
          `unique-link: class ${x.cls} allows one active link per caller and ${
            shortSaddr(h.route.from)
          } -> ${shortSaddr(h.route.to)} holds it (use class bus, or remove one route)`,
        );
      } else holder.set(x.cls, x);
    }
  }

  // Pass 3: lanes, pins, NUMA, QoS -> options.
  const out: RouteProblem[] = [];
  for (const x of resolved) {
    if (dropped.has(x)) continue;
    const { route: r, from, to } = x;
    const notes: string[] = [];
    const cq = classes[x.cls] ?? {};
    const budget = r.qos?.latency_budget_ms ?? from.manifest.qos?.latency_budget_ms ??
      cq.latency_budget_ms;
    if (budget === undefined) {
      block(
        r,
        "qos",
        `qos: no latency budget (set the route's qos.latency_budget_ms, ${
          shortSaddr(r.from)
        }'s qos, or policy qos.classes.${x.cls})`,
      );
      continue;
    }
    const budgetSrc = r.qos?.latency_budget_ms !== undefined
      ? "route qos"
      : from.manifest.qos?.latency_budget_ms !== undefined
      ? `${shortSaddr(r.from)} qos`
      : `class ${x.cls}`;
    const qps = r.qos?.throughput_qps ?? from.manifest.qos?.throughput_qps ??
      cq.throughput_qps ?? 0;
    const burst = cq.burst ?? Math.max(1, Math.ceil((qps * budget) / 1000));
    const fixed = {
      id: ids.get(r)!,
      from: r.from,
      to: r.to,
      from_version: from.version,
      to_version: to.version,
      from_hash: from.hash,
      to_hash: to.hash,
      type: x.type,
      class: x.cls,
      qos: { latency_budget_ms: budget, throughput_qps: qps },
      bucket: { rate_per_s: qps, burst },
    };

    // Lanes: symbols' lanes ∩ failover lists ∩ lane pins.
    let lanes: Lane[] = [...LANES];
    const steps: string[] = [];
    const restrict = (allowed: readonly Lane[], what: string) => {
      lanes = lanes.filter((l) => allowed.includes(l));
      steps.push(`${what} [${allowed.join(", ")}]`);
    };
    if (from.manifest.lanes) restrict(from.manifest.lanes, `${shortSaddr(r.from)} lanes`);
    if (to.manifest.lanes) restrict(to.manifest.lanes, `${shortSaddr(r.to)} lanes`);
    let failoverOrder: Lane[] | undefined;
    (policy.failover ?? []).forEach((f, i) => {
      if (!selectorMatches(f.match, r.from, r.to)) return;
      restrict(f.lanes, `policy failover[${i}]`);
      failoverOrder ??= f.lanes;
    });
    let pinLane: { lane: Lane; pin: number } | undefined;
    let pinNode: { node: number; pin: number } | undefined;
    let pinConflict: string | undefined;
    (policy.pins ?? []).forEach((p, i) => {
      const routePin = isRoutePin(p.match);
      if (!selectorMatches(p.match, r.from, r.to)) return;
      if (p.lane !== undefined) {
        if (pinLane && pinLane.lane !== p.lane) {
          pinConflict ??=
            `pins: policy pins[${pinLane.pin}] sets lane ${pinLane.lane} and pins[${i}] sets lane ${p.lane}`;
        }
        pinLane ??= { lane: p.lane, pin: i };
      }
      if (p.numa_node !== undefined && routePin) {
        if (pinNode && pinNode.node !== p.numa_node) {
          pinConflict ??=
            `pins: policy pins[${pinNode.pin}] sets numa_node ${pinNode.node} and pins[${i}] sets numa_node ${p.numa_node}`;
        }
        pinNode ??= { node: p.numa_node, pin: i };
      }
    });
    if (pinConflict) {
      block(r, "pins", pinConflict);
      continue;
    }
    if (pinLane) {
      const allowedBefore = lanes.includes(pinLane.lane);
      restrict([pinLane.lane], `policy pins[${pinLane.pin}] lane`);
      if (!allowedBefore) {
        block(
          r,
          "pins",
          `pins: policy pins[${pinLane.pin}] requires lane ${pinLane.lane}, not allowed by ${
            steps.slice(0, -1).join(" ∩ ") || "the lanes"
          }`,
        );
        continue;
      }
      notes.push(`pinned ${pinLane.lane} by policy pins[${pinLane.pin}]`);
    }
    if (!lanes.length) {
      block(r, "lanes", `lanes: no lane allowed; ${steps.join(" ∩ ")} is empty`);
      continue;
    }
    if (r.lane !== undefined) {
      if (lanes.includes(r.lane)) {
        if (lanes.length > 1) notes.push(`preferred ${r.lane} by the route`);
        lanes = [r.lane];
      } else notes.push(`route prefers ${r.lane}, not allowed by ${steps.join(" ∩ ")}`);
    }

    // NUMA: pinned node (must exist) or every node; penalties for endpoints homed elsewhere.
    let nodes = nodeIds;
    if (pinNode) {
      if (!cpus.has(pinNode.node)) {
        block(
          r,
          "numa",
          `numa: policy pins[${pinNode.pin}] requires numa_node ${pinNode.node}, but this machine has node(s) ${
            nodeIds.join(", ")
          }`,
        );
        continue;
      }
      nodes = [pinNode.node];
      notes.push(`pinned to node ${pinNode.node} by policy pins[${pinNode.pin}]`);
    }
    const homes = [pidx.home(r.from), pidx.home(r.to)].filter((h) => h !== null);

    const base = baseById.get(fixed.id);
    const same = base !== undefined && sameFixed(fixed, base);
    const laneOrder = failoverOrder ?? prefer;
    const all: Array<RouteOption & { rank: number }> = [];
    for (const lane of lanes) {
      for (const node of nodes) {
        const crossings = homes.filter((h) => h.node !== node).length;
        const p99Us = predictP99Us(input.model, lane, crossings);
        const churn = same && base.lane === lane && base.placement.numa_node === node &&
            sameCpus(base.placement.cpus, cpus.get(node)!) &&
            Math.round(base.predicted_p99_ms * 1000) === p99Us
          ? 0
          : 1;
        all.push({ lane, node, p99Us, churn, rank: laneRank(lane, laneOrder) * 4096 + node });
      }
    }
    const budgetUs = Math.round(budget * 1000);
    const options = all.filter((o) => o.p99Us <= budgetUs);
    if (!options.length) {
      const best = all.reduce((a, b) => (b.p99Us < a.p99Us ? b : a));
      block(
        r,
        "latency",
        `no lane meets latency_budget_ms=${budget} (${budgetSrc}); best is ${best.lane} at predicted p99 ${
          usToMs(best.p99Us)
        } ms${
          homes.length && best.p99Us > predictP99Us(input.model, best.lane, 0)
            ? " (includes cross-NUMA penalty)"
            : ""
        }`,
      );
      continue;
    }
    options.sort((a, b) => a.p99Us - b.p99Us || a.churn - b.churn || a.rank - b.rank);
    if (homes.length) {
      notes.push(
        `home node(s) ${homes.map((h) => `${h.node} (pins[${h.pin}])`).join(", ")}`,
      );
    }
    notes.push(`budget ${budget} ms from ${budgetSrc}`);
    out.push({
      id: fixed.id,
      key: x.key,
      fixed,
      options: options.map(({ rank: _r, ...o }) => o),
      base,
      notes,
    });
  }
  blocked.sort((a, b) => cmp(a.from, b.from) || cmp(a.to, b.to));
  const kept = new Set(out.map((p) => p.id));
  const desiredIds = new Set(ids.values());
  const removed = input.base.routes.filter((r) => !desiredIds.has(r.id) && !kept.has(r.id));
  return { routes: out, blocked, removed, cpus };
}
