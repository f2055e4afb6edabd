/**
 * Pass 2 of {@linkcode buildProblem}: limits per caller. Fan-out caps how
 * many routes leave one symbol; unique-link allows one active non-bus link
 * per caller and class. Routes are taken in stable-key order, so which ones
 * are dropped never depends on input order.
 *
 * @module
 */
import type { Policy } from "../config/mod.ts";
import type { Infeasible } from "./infeasible.ts";
import type { BoundRoute } from "./_bind_contract.ts";

/** A route a limit drops, and why. */
export interface Dropped {
  route: BoundRoute;
  reason: Infeasible;
}

/** Applies both limits to routes sorted by stable key; returns the routes they drop. */
export function callerLimits(routes: readonly BoundRoute[], policy: Policy): Dropped[] {
  const perFrom = new Map<string, BoundRoute[]>();
  for (const x of routes) {
    const l = perFrom.get(x.route.from) ?? [];
    l.push(x);
    perFrom.set(x.route.from, l);
  }
  const dropped: Dropped[] = [];
  for (const [from, list] of perFrom) {
    const over = fanoutExcess(from, list, policy);
    dropped.push(...over);
    const kept = new Set(list);
    for (const d of over) kept.delete(d.route);
    dropped.push(...uniqueLinkExcess([...kept]));
  }
  return dropped;
}

/** The routes of one caller past its fan-out limit. */
function fanoutExcess(from: string, list: readonly BoundRoute[], policy: Policy): Dropped[] {
  const per = policy.fanout?.per_symbol?.[from];
  const limit = per ?? policy.fanout?.default_max ?? Infinity;
  if (list.length <= limit) return [];
  const source = per !== undefined
    ? `policy fanout.per_symbol["${from}"]=${per}`
    : `policy fanout.default_max=${limit}`;
  return list.slice(limit).map((route, i) => ({
    route,
    reason: { kind: "fanout", from, count: list.length, source, rank: limit + i + 1 },
  }));
}

/** Of one caller's routes, every non-bus route after the first of its class. */
function uniqueLinkExcess(list: readonly BoundRoute[]): Dropped[] {
  const holder = new Map<string, BoundRoute>();
  const dropped: Dropped[] = [];
  for (const x of list) {
    if (x.cls === "bus") continue;
    const h = holder.get(x.cls);
    if (!h) {
      holder.set(x.cls, x);
      continue;
    }
    dropped.push({
      route: x,
      reason: { kind: "unique-link", cls: x.cls, holderFrom: h.route.from, holderTo: h.route.to },
    });
  }
  return dropped;
}
