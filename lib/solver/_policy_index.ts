/**
 * Policy lookups the planner repeats for every route, memoised per symbol
 * (ACL rule matches, home NUMA nodes), and selector matching.
 *
 * @module
 */
import { globMatch } from "../core/mod.ts";
import type { Policy, RouteSelector } from "../config/mod.ts";
import type { Infeasible } from "./infeasible.ts";

/** Whether a pin/failover selector matches the route `from -> to`. */
export function selectorMatches(sel: RouteSelector, from: string, to: string): boolean {
  if (sel.from !== undefined && !globMatch(sel.from, from)) return false;
  if (sel.to !== undefined && !globMatch(sel.to, to)) return false;
  if (sel.symbol !== undefined && !globMatch(sel.symbol, from) && !globMatch(sel.symbol, to)) {
    return false;
  }
  return true;
}

/** A pin that applies to routes (as opposed to a symbol's home NUMA node). */
export function isRoutePin(sel: RouteSelector): boolean {
  return sel.from !== undefined || sel.to !== undefined;
}

/** A symbol's home NUMA node and the pin that sets it. */
export interface Home {
  node: number;
  pin: number;
}

/** Memo of per-symbol policy lookups (the greedy's cached fingerprints). */
export class PolicyIndex {
  #aclFrom = new Map<string, boolean[]>();
  #aclTo = new Map<string, boolean[]>();
  #homes = new Map<string, Home | null>();
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
  acl(from: string, to: string): Infeasible | null {
    const rules = this.policy.acl?.rules ?? [];
    const mf = this.#match(this.#aclFrom, from, "from");
    const mt = this.#match(this.#aclTo, to, "to");
    let allowed = false;
    for (let i = 0; i < rules.length; i++) {
      if (!mf[i] || !mt[i]) continue;
      if (rules[i].effect === "deny") return { kind: "acl", rule: i, reason: rules[i].reason };
      allowed = true;
    }
    if (allowed || (this.policy.acl?.default ?? "allow") === "allow") return null;
    return { kind: "acl-default" };
  }

  /** Home NUMA node of a symbol: the first symbol-only pin with numa_node that matches it. */
  home(saddr: string): Home | null {
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
