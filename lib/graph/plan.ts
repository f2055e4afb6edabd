/**
 * The plan format: a content-addressed, signed delta from a base graph to a
 * target graph. Produced by the planner, verified by `plan verify` and
 * `apply`.
 *
 * `plan_id` = `sha256-<hex>` of the canonical plan without `plan_id` and
 * `sign`; the signature (domain `plan`) covers the plan without `sign`, so
 * it also binds the id.
 *
 * @module
 */
import {
  canonicalBytes,
  type KeyPair,
  relativePath,
  sha256HexSync,
  type SignatureBlock,
  signPayload,
  VerificationError,
  type Workspace,
} from "../core/mod.ts";
import { parseSource, validateDocument } from "../config/mod.ts";
import { loadTrustRoot, type TrustRoot, verifyTrusted } from "../security/mod.ts";
import { type Graph, graphHash, normalizeGraph, type PlannedRoute } from "./graph.ts";
import { MissingInputError } from "../core/mod.ts";
import { isNotFound } from "../core/mod.ts";

/** A plan file (`plans/<plan_id>.plan.json`). */
export interface Plan {
  plan_version: 1;
  plan_id: string;
  /** Deterministic: derived from inputs, never the wall clock (see the planner docs). */
  created_at: string;
  /** graphHash of the committed graph this plan was computed against. */
  base_graph: string;
  /** graphHash of the graph after applying the plan. */
  target_graph: string;
  /** Symbols bound by the plan: `saddr@version` -> CAS hash. */
  symbols: Record<string, string>;
  /** Routes to add (or replace, when an id also appears in routes_del). */
  routes_add: PlannedRoute[];
  /** Routes to remove. */
  routes_del: Array<{ id: string; from: string; to: string }>;
  /** Ids of routes_del then routes_add in apply order. */
  order: string[];
  /** Batches of non-conflicting changes, applied one 2PC transaction step each, in order. */
  batches: string[][];
  /** How the plan was solved (solver, objective values, input hashes). */
  solver: Record<string, unknown>;
  sign?: SignatureBlock;
}

/** The plan without `plan_id` and `sign`: what plan_id hashes. */
export function planIdBody(
  plan: Omit<Plan, "plan_id" | "sign"> & Partial<Pick<Plan, "plan_id" | "sign">>,
): Record<string, unknown> {
  const { plan_id: _id, sign: _sign, ...body } = plan;
  return body;
}

/** Computes `plan_id` for a plan body. */
export function computePlanId(
  plan: Omit<Plan, "plan_id" | "sign"> & Partial<Pick<Plan, "plan_id" | "sign">>,
): string {
  return `sha256-${sha256HexSync(canonicalBytes(planIdBody(plan)))}`;
}

/** What the signature covers: the plan without `sign`. */
function signedBody(plan: Plan): Record<string, unknown> {
  const { sign: _sign, ...body } = plan;
  return body;
}

/** Sets plan_id and signs the plan with `key` (role plans). */
export async function sealPlan(body: Omit<Plan, "plan_id" | "sign">, key: KeyPair): Promise<Plan> {
  const plan = { ...body, plan_id: computePlanId(body) } as Plan;
  plan.sign = await signPayload(key, "plan", signedBody(plan));
  return plan;
}

/** Applies a plan's delta to a graph. @throws {VerificationError} when a removed route is absent. */
export function applyDelta(base: Graph, plan: Pick<Plan, "routes_add" | "routes_del">): Graph {
  const byId = new Map(base.routes.map((r) => [r.id, r]));
  for (const d of plan.routes_del) {
    if (!byId.delete(d.id)) {
      throw new VerificationError(
        `Plan removes route ${d.id} (${d.from} -> ${d.to}), which is not in the base graph`,
      );
    }
  }
  for (const a of plan.routes_add) byId.set(a.id, a);
  return normalizeGraph({ routes: [...byId.values()] });
}

/** Options for {@linkcode verifyPlan}. */
export interface VerifyPlanOptions {
  /** Trust root to verify against (default: the workspace's). */
  trust?: TrustRoot;
  /** Skip the signature check (only `apply --no-verify` when panel.yaml allows it). */
  skipSignature?: boolean;
}

/**
 * Reads and fully verifies a plan file: schema, recomputed plan_id, internal
 * consistency (order/batches cover the delta) and the signature against the
 * trust root (role plans).
 * @throws {SchemaError} for malformed files (65), {VerificationError} for a bad id or signature (77).
 */
export async function readPlan(
  ws: Workspace,
  path: string,
  options: VerifyPlanOptions = {},
): Promise<Plan> {
  const file = path.startsWith("/") ? relativePath(ws.root, path) : path;
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (err) {
    if (isNotFound(err)) {
      throw new MissingInputError(`Plan "${file}" not found`, { cause: err });
    }
    throw err;
  }
  const doc = parseSource(file, text, { format: "json" });
  await validateDocument("plan", doc);
  const plan = doc.value as Plan;
  await verifyPlan(ws, plan, { ...options, what: `Plan "${file}"` });
  return plan;
}

/** Verifies an already parsed (schema-valid) plan. See {@linkcode readPlan}. */
export async function verifyPlan(
  ws: Workspace,
  plan: Plan,
  options: VerifyPlanOptions & { what?: string } = {},
): Promise<void> {
  const what = options.what ?? `Plan ${plan.plan_id}`;
  const id = computePlanId(plan);
  if (id !== plan.plan_id) {
    throw new VerificationError(
      `${what} has plan_id ${plan.plan_id} but its content hashes to ${id}`,
    );
  }
  const ids = [...plan.routes_del.map((d) => d.id), ...plan.routes_add.map((a) => a.id)];
  const inOrder = [...plan.order].sort().join();
  if (
    inOrder !== [...new Set(ids)].sort().join() || plan.order.length !== new Set(plan.order).size
  ) {
    throw new VerificationError(
      `${what} is inconsistent: "order" does not list each changed route exactly once`,
    );
  }
  if ([...plan.batches.flat()].sort().join() !== [...plan.order].sort().join()) {
    throw new VerificationError(`${what} is inconsistent: "batches" do not cover "order" exactly`);
  }
  if (!options.skipSignature) {
    const trust = options.trust ?? (await loadTrustRoot(ws));
    await verifyTrusted(trust, "plans", "plan", signedBody(plan), plan.sign, { what });
  }
}

/** Checks that a plan's target hash matches its base graph plus delta. */
export function checkPlanTarget(base: Graph, plan: Plan): Graph {
  const target = applyDelta(base, plan);
  const h = graphHash(target);
  if (h !== plan.target_graph) {
    throw new VerificationError(
      `Plan ${plan.plan_id} claims target graph ${plan.target_graph} but base + delta gives ${h}`,
    );
  }
  return target;
}
