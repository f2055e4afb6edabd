/**
 * Why a route is infeasible: one typed reason per constraint check, one
 * formatter that turns a reason into the line users read, and
 * {@linkcode groupInfeasible} to summarise thousands of blocked routes that
 * fail the same way.
 *
 * @module
 */
import type { Lane } from "../config/mod.ts";
import { compareStrings } from "../core/mod.ts";

/** A route no option satisfies. */
export interface BlockedRoute {
  /** Caller saddr. */
  from: string;
  /** Callee saddr. */
  to: string;
  /** Constraint name: acl, type, version, caps, lanes, pins, numa, latency, qos, fanout, unique-link. */
  constraint: string;
  /** One line naming the constraint and the numbers. */
  message: string;
}

/** What a symbol exposes, as shown in a reason: `saddr[@version] field [items]`. */
export interface Declared {
  /** The symbol. */
  saddr: string;
  /** Its bound version, when the reason is about one version. */
  version?: string;
  /** The manifest field shown, e.g. `type.out` or `provides`. */
  field: string;
  /** What the field holds. */
  items: readonly string[];
}

/** The check that blocked a route, with the numbers its message names. */
export type Infeasible =
  | { kind: "acl"; rule: number; reason?: string }
  | { kind: "acl-default" }
  | {
    kind: "version";
    from: string;
    fromVersion: string;
    to: string;
    range: string;
    available: readonly string[];
  }
  /** The route's own type is missing from one or both ends. */
  | { kind: "type-foreign"; type: string; missing: readonly Declared[] }
  | { kind: "type-disjoint"; outs: Declared; ins: Declared }
  | { kind: "caps-route"; missing: readonly string[]; provides: Declared }
  | { kind: "caps-needs"; needs: Declared; provides: Declared }
  | { kind: "fanout"; from: string; count: number; source: string; rank: number }
  | { kind: "unique-link"; cls: string; holderFrom: string; holderTo: string }
  | { kind: "qos"; from: string; cls: string }
  | { kind: "pins-conflict"; field: "lane" | "numa_node"; first: PinValue; second: PinValue }
  | { kind: "pins-lane"; pin: number; lane: Lane; steps: readonly string[] }
  | { kind: "lanes"; steps: readonly string[] }
  | { kind: "numa"; pin: number; node: number; nodes: readonly number[] }
  | {
    kind: "latency";
    budgetMs: number;
    budgetSource: string;
    best: { lane: Lane; p99Us: number };
    crossNuma: boolean;
  };

/** A policy pin and the value it sets. */
export interface PinValue {
  /** Index in policy `pins`. */
  pin: number;
  /** The lane or NUMA node it sets. */
  value: string | number;
}

/**
 * Whether a planner step returned a reason rather than its value (the
 * values planner steps return never have a `kind` field).
 */
export function isInfeasible(x: unknown): x is Infeasible {
  return typeof x === "object" && x !== null && "kind" in x;
}

/** Short form of a saddr for messages (`core/api/metrics`). */
export function shortSaddr(saddr: string): string {
  return saddr.startsWith("rtt://") ? saddr.slice(6) : saddr;
}

/** Formats milliseconds from integer microseconds without float noise. */
export function usToMs(us: number): number {
  return us / 1000;
}

/** The constraint a reason belongs to (the `constraint` of a {@linkcode BlockedRoute}). */
export function constraintOf(reason: Infeasible): string {
  return reason.kind === "unique-link" ? reason.kind : reason.kind.split("-")[0];
}

/** `saddr@version` in short form (no version when the reason names the symbol only). */
function who(d: Pick<Declared, "saddr" | "version">): string {
  return `${shortSaddr(d.saddr)}${d.version === undefined ? "" : `@${d.version}`}`;
}

function declared(d: Declared): string {
  return `${who(d)} ${d.field} [${d.items.join(", ")}]`;
}

/** The detail of a reason, after its constraint name. */
function detail(r: Infeasible): string {
  switch (r.kind) {
    case "acl":
      return `denied by policy acl.rules[${r.rule}]${r.reason ? ` (${r.reason})` : ""}`;
    case "acl-default":
      return "denied by policy acl.default=deny (no allow rule matches)";
    case "version":
      return `${shortSaddr(r.from)}@${r.fromVersion} requires ${
        shortSaddr(r.to)
      } ${r.range}; available ${r.available.join(", ")}`;
    case "type-foreign":
      return `route type ${r.type} is not in ${r.missing.map(declared).join(" nor ")}`;
    case "type-disjoint":
      return `no common contract; ${declared(r.outs)} ∩ ${declared(r.ins)} is empty`;
    case "caps-route":
      return `route needs [${r.missing.join(", ")}] but ${declared(r.provides)}`;
    case "caps-needs":
      return `${declared(r.needs)} and ${who(r.provides)} provides none of them ([${
        r.provides.items.join(", ")
      }])`;
    case "fanout":
      return `${r.count} routes leave ${
        shortSaddr(r.from)
      } but ${r.source}; this is #${r.rank} by stable key`;
    case "unique-link":
      return `class ${r.cls} allows one active link per caller and ${shortSaddr(r.holderFrom)} -> ${
        shortSaddr(r.holderTo)
      } holds it (use class bus, or remove one route)`;
    case "qos":
      return `no latency budget (set the route's qos.latency_budget_ms, ${
        shortSaddr(r.from)
      }'s qos, or policy qos.classes.${r.cls})`;
    case "pins-conflict":
      return `policy pins[${r.first.pin}] sets ${r.field} ${r.first.value} and pins[${r.second.pin}] sets ${r.field} ${r.second.value}`;
    case "pins-lane":
      return `policy pins[${r.pin}] requires lane ${r.lane}, not allowed by ${
        r.steps.join(" ∩ ") || "the lanes"
      }`;
    case "lanes":
      return `no lane allowed; ${r.steps.join(" ∩ ")} is empty`;
    case "numa":
      return `policy pins[${r.pin}] requires numa_node ${r.node}, but this machine has node(s) ${
        r.nodes.join(", ")
      }`;
    case "latency":
      return `no lane meets latency_budget_ms=${r.budgetMs} (${r.budgetSource}); best is ${r.best.lane} at predicted p99 ${
        usToMs(r.best.p99Us)
      } ms${r.crossNuma ? " (includes cross-NUMA penalty)" : ""}`;
  }
}

/**
 * The one line users read for a reason: `<constraint>: <detail>`. Latency
 * reasons lead with the numbers instead ("no lane meets ..."), the form
 * users and scripts already match on.
 */
export function formatInfeasible(reason: Infeasible): string {
  return reason.kind === "latency" ? detail(reason) : `${constraintOf(reason)}: ${detail(reason)}`;
}

/** The blocked-route record for `route` failing `reason`. */
export function blockedRoute(
  route: { from: string; to: string },
  reason: Infeasible,
): BlockedRoute {
  return {
    from: route.from,
    to: route.to,
    constraint: constraintOf(reason),
    message: `${shortSaddr(route.from)} -> ${shortSaddr(route.to)}: ${formatInfeasible(reason)}`,
  };
}

/** Blocked routes sharing one constraint. */
export interface InfeasibleGroup {
  /** The constraint shared by the group (see {@linkcode BlockedRoute}). */
  constraint: string;
  /** How many routes this constraint blocks. */
  count: number;
  /** The first few of them, in input order. */
  examples: BlockedRoute[];
}

/**
 * Groups blocked routes by constraint, largest group first (ties by
 * constraint name), keeping a count and the first `examples` routes of each
 * (default 3), so a summary stays short when thousands of routes fail the
 * same way.
 *
 * @example
 * ```ts
 * for (const g of groupInfeasible(outcome.blocked)) {
 *   console.log(`${g.count} route(s) blocked by ${g.constraint}, e.g.:`);
 *   for (const b of g.examples) console.log(`  ${b.message}`);
 * }
 * ```
 */
export function groupInfeasible(
  reasons: readonly BlockedRoute[],
  examples = 3,
): InfeasibleGroup[] {
  const groups = new Map<string, InfeasibleGroup>();
  for (const b of reasons) {
    let g = groups.get(b.constraint);
    if (!g) groups.set(b.constraint, g = { constraint: b.constraint, count: 0, examples: [] });
    g.count++;
    if (g.examples.length < examples) g.examples.push(b);
  }
  return [...groups.values()].sort((a, b) =>
    b.count - a.count || compareStrings(a.constraint, b.constraint)
  );
}
