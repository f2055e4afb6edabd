/**
 * Pass 3 of {@linkcode buildProblem}: for a bound route, the effective QoS,
 * the candidate lanes (symbols' lanes, failover lists, pins, the route's
 * preference), the candidate NUMA nodes, and the priced options within the
 * latency budget. Each step either narrows the route or returns the reason
 * it is infeasible.
 *
 * @module
 */
import { type ClassQos, type Lane, LANES, type Policy } from "../config/mod.ts";
import type { PlannedRoute } from "../graph/mod.ts";
import { type LatencyModel, predictP99Us } from "./latency_model.ts";
import { type Infeasible, isInfeasible, shortSaddr } from "./infeasible.ts";
import { type Home, isRoutePin, type PolicyIndex, selectorMatches } from "./_policy_index.ts";
import type { BoundRoute } from "./_bind_contract.ts";
import type { FixedRoute, RouteOption, RouteProblem, SolverInput } from "./problem_types.ts";

/** Everything pass 3 reads besides the route. */
export interface OptionsContext {
  policy: Policy;
  index: PolicyIndex;
  model: LatencyModel;
  /** Lane order for ties: the panel's preference, then every lane. */
  prefer: readonly Lane[];
  /** NUMA node ids in topology order. */
  nodeIds: readonly number[];
  /** CPUs per NUMA node id. */
  cpus: Map<number, number[]>;
  /** Committed routes by id (churn). */
  base: ReadonlyMap<string, PlannedRoute>;
}

/** Builds the context from the inputs. */
export function optionsContext(
  input: Pick<SolverInput, "policy" | "prefer" | "model" | "base" | "topology">,
  index: PolicyIndex,
): OptionsContext {
  return {
    policy: input.policy,
    index,
    model: input.model,
    prefer: [...(input.prefer ?? []), ...LANES],
    nodeIds: input.topology.nodes.map((n) => n.id),
    cpus: new Map(input.topology.nodes.map((n) => [n.id, n.cpus])),
    base: new Map(input.base.routes.map((r) => [r.id, r])),
  };
}

/** The priced options of a bound route, or why it has none. */
export function routeProblem(
  x: BoundRoute,
  id: string,
  ctx: OptionsContext,
): RouteProblem | Infeasible {
  const notes: string[] = [];
  const qos = effectiveQos(x, ctx.policy.qos?.classes ?? {});
  if (isInfeasible(qos)) return qos;
  const fixed = fixedRoute(x, id, qos);
  const lanes = candidateLanes(x, ctx.policy, notes);
  if (isInfeasible(lanes)) return lanes;
  const nodes = candidateNodes(lanes.pinNode, ctx, notes);
  if (isInfeasible(nodes)) return nodes;
  const homes = [ctx.index.home(x.route.from), ctx.index.home(x.route.to)].filter((h) =>
    h !== null
  );
  const base = ctx.base.get(id);
  const options = pricedOptions({
    fixed,
    base,
    lanes: lanes.lanes,
    nodes,
    homes,
    laneOrder: lanes.failoverOrder ?? ctx.prefer,
    ctx,
  });
  const budgetUs = Math.round(qos.budget * 1000);
  const feasible = options.filter((o) => o.p99Us <= budgetUs);
  if (!feasible.length) return latencyReason(options, homes, qos, ctx.model);
  feasible.sort((a, b) => a.p99Us - b.p99Us || a.churn - b.churn || a.rank - b.rank);
  if (homes.length) {
    notes.push(`home node(s) ${homes.map((h) => `${h.node} (pins[${h.pin}])`).join(", ")}`);
  }
  notes.push(`budget ${qos.budget} ms from ${qos.source}`);
  return {
    id,
    key: x.key,
    fixed,
    options: feasible.map(({ rank: _r, ...o }) => o),
    base,
    notes,
  };
}

/** Latency budget, throughput and burst of a route, and where the budget came from. */
interface EffectiveQos {
  budget: number;
  source: string;
  qps: number;
  burst: number;
}

/** Budget precedence: the route, then the caller's manifest, then the class. */
function effectiveQos(x: BoundRoute, classes: Record<string, ClassQos>): EffectiveQos | Infeasible {
  const { route: r, from } = x;
  const cq = classes[x.cls] ?? {};
  const budget = r.qos?.latency_budget_ms ?? from.manifest.qos?.latency_budget_ms ??
    cq.latency_budget_ms;
  if (budget === undefined) return { kind: "qos", from: r.from, cls: x.cls };
  const source = r.qos?.latency_budget_ms !== undefined
    ? "route qos"
    : from.manifest.qos?.latency_budget_ms !== undefined
    ? `${shortSaddr(r.from)} qos`
    : `class ${x.cls}`;
  const qps = r.qos?.throughput_qps ?? from.manifest.qos?.throughput_qps ??
    cq.throughput_qps ?? 0;
  const burst = cq.burst ?? Math.max(1, Math.ceil((qps * budget) / 1000));
  return { budget, source, qps, burst };
}

function fixedRoute(x: BoundRoute, id: string, qos: EffectiveQos): FixedRoute {
  return {
    id,
    from: x.route.from,
    to: x.route.to,
    from_version: x.from.version,
    to_version: x.to.version,
    from_hash: x.from.hash,
    to_hash: x.to.hash,
    type: x.type,
    class: x.cls,
    qos: { latency_budget_ms: qos.budget, throughput_qps: qos.qps },
    bucket: { rate_per_s: qos.qps, burst: qos.burst },
  };
}

/** Lanes narrowed step by step, remembering each step for messages. */
class LaneFilter {
  lanes: Lane[] = [...LANES];
  steps: string[] = [];
  restrict(allowed: readonly Lane[], what: string): void {
    this.lanes = this.lanes.filter((l) => allowed.includes(l));
    this.steps.push(`${what} [${allowed.join(", ")}]`);
  }
}

/** The lanes a route may use, its tie order, and the NUMA node a pin requires. */
interface CandidateLanes {
  lanes: Lane[];
  /** The first matching failover list: it orders ties instead of the panel's preference. */
  failoverOrder?: readonly Lane[];
  pinNode?: { node: number; pin: number };
}

/** Symbols' lanes ∩ failover lists ∩ lane pin, then the route's own preference. */
function candidateLanes(
  x: BoundRoute,
  policy: Policy,
  notes: string[],
): CandidateLanes | Infeasible {
  const { route: r, from, to } = x;
  const f = new LaneFilter();
  if (from.manifest.lanes) f.restrict(from.manifest.lanes, `${shortSaddr(r.from)} lanes`);
  if (to.manifest.lanes) f.restrict(to.manifest.lanes, `${shortSaddr(r.to)} lanes`);
  let failoverOrder: Lane[] | undefined;
  (policy.failover ?? []).forEach((fo, i) => {
    if (!selectorMatches(fo.match, r.from, r.to)) return;
    f.restrict(fo.lanes, `policy failover[${i}]`);
    failoverOrder ??= fo.lanes;
  });
  const pins = routePins(policy, r.from, r.to);
  if (isInfeasible(pins)) return pins;
  if (pins.lane) {
    const before = f.steps.slice();
    const allowed = f.lanes.includes(pins.lane.value);
    f.restrict([pins.lane.value], `policy pins[${pins.lane.pin}] lane`);
    if (!allowed) {
      return { kind: "pins-lane", pin: pins.lane.pin, lane: pins.lane.value, steps: before };
    }
    notes.push(`pinned ${pins.lane.value} by policy pins[${pins.lane.pin}]`);
  }
  if (!f.lanes.length) return { kind: "lanes", steps: f.steps };
  if (r.lane !== undefined) {
    if (f.lanes.includes(r.lane)) {
      if (f.lanes.length > 1) notes.push(`preferred ${r.lane} by the route`);
      f.lanes = [r.lane];
    } else notes.push(`route prefers ${r.lane}, not allowed by ${f.steps.join(" ∩ ")}`);
  }
  return { lanes: f.lanes, failoverOrder, pinNode: pins.node };
}

/** What the matching pins set for a route; two pins setting different values conflict. */
interface RoutePins {
  lane?: { value: Lane; pin: number };
  node?: { node: number; pin: number };
}

function routePins(policy: Policy, from: string, to: string): RoutePins | Infeasible {
  const out: RoutePins = {};
  let conflict: Infeasible | undefined;
  (policy.pins ?? []).forEach((p, i) => {
    if (!selectorMatches(p.match, from, to)) return;
    if (p.lane !== undefined) {
      if (out.lane && out.lane.value !== p.lane) {
        conflict ??= {
          kind: "pins-conflict",
          field: "lane",
          first: { pin: out.lane.pin, value: out.lane.value },
          second: { pin: i, value: p.lane },
        };
      }
      out.lane ??= { value: p.lane, pin: i };
    }
    if (p.numa_node !== undefined && isRoutePin(p.match)) {
      if (out.node && out.node.node !== p.numa_node) {
        conflict ??= {
          kind: "pins-conflict",
          field: "numa_node",
          first: { pin: out.node.pin, value: out.node.node },
          second: { pin: i, value: p.numa_node },
        };
      }
      out.node ??= { node: p.numa_node, pin: i };
    }
  });
  return conflict ?? out;
}

/** The pinned node (which must exist), else every node. */
function candidateNodes(
  pinNode: { node: number; pin: number } | undefined,
  ctx: OptionsContext,
  notes: string[],
): readonly number[] | Infeasible {
  if (!pinNode) return ctx.nodeIds;
  if (!ctx.cpus.has(pinNode.node)) {
    return { kind: "numa", pin: pinNode.pin, node: pinNode.node, nodes: ctx.nodeIds };
  }
  notes.push(`pinned to node ${pinNode.node} by policy pins[${pinNode.pin}]`);
  return [pinNode.node];
}

/** An option with its tie-break rank (lane preference, then node). */
type RankedOption = RouteOption & { rank: number };

/** Every (lane, node) with its predicted p99 (cross-NUMA penalty per endpoint homed elsewhere) and churn. */
function pricedOptions(o: {
  fixed: FixedRoute;
  base: PlannedRoute | undefined;
  lanes: readonly Lane[];
  nodes: readonly number[];
  homes: readonly Home[];
  laneOrder: readonly Lane[];
  ctx: OptionsContext;
}): RankedOption[] {
  const same = o.base !== undefined && sameFixed(o.fixed, o.base);
  const all: RankedOption[] = [];
  for (const lane of o.lanes) {
    for (const node of o.nodes) {
      const crossings = o.homes.filter((h) => h.node !== node).length;
      const p99Us = predictP99Us(o.ctx.model, lane, crossings);
      const b = o.base;
      const churn = same && b!.lane === lane && b!.placement.numa_node === node &&
          sameCpus(b!.placement.cpus, o.ctx.cpus.get(node)!) &&
          Math.round(b!.predicted_p99_ms * 1000) === p99Us
        ? 0
        : 1;
      all.push({ lane, node, p99Us, churn, rank: laneRank(lane, o.laneOrder) * 4096 + node });
    }
  }
  return all;
}

function latencyReason(
  options: readonly RouteOption[],
  homes: readonly Home[],
  qos: EffectiveQos,
  model: LatencyModel,
): Infeasible {
  const best = options.reduce((a, b) => (b.p99Us < a.p99Us ? b : a));
  return {
    kind: "latency",
    budgetMs: qos.budget,
    budgetSource: qos.source,
    best: { lane: best.lane, p99Us: best.p99Us },
    crossNuma: homes.length > 0 && best.p99Us > predictP99Us(model, best.lane, 0),
  };
}

function laneRank(l: Lane, order: readonly Lane[]): number {
  const i = order.indexOf(l);
  return i < 0 ? order.length : i;
}

function sameFixed(a: FixedRoute, b: PlannedRoute): boolean {
  return a.from_version === b.from_version && a.to_version === b.to_version &&
    a.from_hash === b.from_hash && a.to_hash === b.to_hash && a.type === b.type &&
    a.class === b.class && a.qos.latency_budget_ms === b.qos.latency_budget_ms &&
    a.qos.throughput_qps === b.qos.throughput_qps && a.bucket.rate_per_s === b.bucket.rate_per_s &&
    a.bucket.burst === b.bucket.burst;
}

function sameCpus(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((c, i) => c === b[i]);
}
