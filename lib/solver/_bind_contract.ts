/**
 * Pass 1 of {@linkcode buildProblem}: binds each desired route to symbol
 * versions and a contract, one check per constraint, in the order users
 * read them: ACL, version range, type, capabilities.
 *
 * @module
 */
import semver from "semver";
import type { DesiredRoute } from "../config/mod.ts";
import type { SymbolEntry } from "../symbols/mod.ts";
import { type Infeasible, isInfeasible } from "./infeasible.ts";
import type { PolicyIndex } from "./_policy_index.ts";

/** A route bound to its symbols, contract and class. */
export interface BoundRoute {
  route: DesiredRoute;
  from: SymbolEntry;
  to: SymbolEntry;
  type: string;
  cls: string;
  /** Stable key (from, type, to, version). */
  key: string;
}

/** What binding needs besides the route: symbols by saddr (newest first) and the policy. */
export interface BindContext {
  symbols: ReadonlyMap<string, readonly SymbolEntry[]>;
  policy: PolicyIndex;
  /** Memo of (callee, range) -> highest satisfying version, shared by all routes. */
  versions: Map<string, SymbolEntry | null>;
}

/** Binds one route, or says which constraint blocks it. */
export function bindRoute(r: DesiredRoute, ctx: BindContext): BoundRoute | Infeasible {
  const from = ctx.symbols.get(r.from)![0];
  const acl = ctx.policy.acl(r.from, r.to);
  if (acl) return acl;
  const to = bindVersion(r, from, ctx);
  if (isInfeasible(to)) return to;
  const type = bindType(r, from, to);
  if (isInfeasible(type)) return type;
  const caps = checkCaps(r, from, to);
  if (caps) return caps;
  const cls = r.class ?? from.manifest.qos?.class ?? "interactive";
  return {
    route: r,
    from,
    to,
    type,
    cls,
    key: `${r.from}\u0000${type}\u0000${r.to}\u0000${to.version}`,
  };
}

/** The callee version: the highest one in the caller's `requires` range, else the newest. */
function bindVersion(
  r: DesiredRoute,
  from: SymbolEntry,
  ctx: BindContext,
): SymbolEntry | Infeasible {
  const toVersions = ctx.symbols.get(r.to)!;
  const req = (from.manifest.requires ?? []).find((q) => q.saddr === r.to);
  if (!req) return toVersions[0];
  const ck = `${r.to}\u0000${req.version}`;
  let to = ctx.versions.get(ck);
  if (to === undefined) {
    to = toVersions.find((e) => semver.satisfies(e.version, req.version)) ?? null;
    ctx.versions.set(ck, to);
  }
  return to ?? {
    kind: "version",
    from: r.from,
    fromVersion: from.version,
    to: r.to,
    range: req.version,
    available: toVersions.map((e) => e.version),
  };
}

/** The contract: the route's own type (both ends must carry it), else the first common one. */
function bindType(r: DesiredRoute, from: SymbolEntry, to: SymbolEntry): string | Infeasible {
  const outs = { saddr: r.from, field: "type.out", items: from.manifest.type?.out ?? [] };
  const ins = {
    saddr: r.to,
    version: to.version,
    field: "type.in",
    items: to.manifest.type?.in ?? [],
  };
  if (r.type !== undefined) {
    const missing = [outs, ins].filter((d) => !d.items.includes(r.type!));
    return missing.length ? { kind: "type-foreign", type: r.type, missing } : r.type;
  }
  return outs.items.find((t) => ins.items.includes(t)) ?? { kind: "type-disjoint", outs, ins };
}

/** The callee must provide the route's caps, or else at least one of the caller's needs. */
function checkCaps(r: DesiredRoute, from: SymbolEntry, to: SymbolEntry): Infeasible | null {
  const items = to.manifest.caps?.provides ?? [];
  const provides = { saddr: r.to, version: to.version, field: "provides", items };
  if (r.caps) {
    const missing = r.caps.filter((c) => !items.includes(c)).sort();
    return missing.length ? { kind: "caps-route", missing, provides } : null;
  }
  const needs = from.manifest.caps?.needs ?? [];
  if (needs.length && !needs.some((c) => items.includes(c))) {
    return { kind: "caps-needs", needs: { saddr: r.from, field: "needs", items: needs }, provides };
  }
  return null;
}
