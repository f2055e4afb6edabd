/**
 * Stage 50: apply a verified plan to the committed graph, and roll back to
 * an earlier committed graph. Both are transactions (see transaction.ts);
 * both run under the workspace lock after recovery ({@linkcode withLock}).
 *
 * @module
 */
import {
  type AcquireLockOptions,
  acquireWorkspaceLock,
  canonicalize,
  VerificationError,
  type Workspace,
} from "../core/mod.ts";
import {
  checkPlanTarget,
  type CommittedState,
  type Graph,
  graphHash,
  type Plan,
  readCommittedState,
} from "../graph/mod.ts";
import { loadGraph } from "./graph_store.ts";
import { type Participant, StateParticipant } from "./participant.ts";
import { recover, type RecoveryReport } from "./recover.ts";
import {
  type HealthReport,
  runTransaction,
  type TxnBatch,
  type TxnFailure,
  type TxnResult,
  verifyWindow,
  type VoteRecord,
} from "./transaction.ts";
import { openWal, scanWal, type WalWriter, type WalWriterOptions } from "./wal.ts";
import { checkStateAgainstWal } from "./wal_verify.ts";
import { MissingInputError, UsageError } from "../core/mod.ts";

/** Defaults when panel.yaml has no `apply` section. */
export const APPLY_DEFAULTS = { prepareTimeoutMs: 5000, verifyWindowMs: 200 } as const;

/** Options shared by apply and rollback. */
export interface ReconcileOptions extends WalWriterOptions {
  /** Participants besides the state participant (which always takes part, first). */
  participants?: readonly Participant[];
  /** panel.yaml apply.prepare_timeout_ms. */
  prepareTimeoutMs?: number;
  /** panel.yaml apply.verify_window_ms. */
  verifyWindowMs?: number;
  /** Human progress lines. */
  onEvent?: (line: string) => void;
}

/** Options for {@linkcode applyPlan}. */
export interface ApplyOptions extends ReconcileOptions {
  /** Plan file as given (recorded in the WAL and last_applied.json). */
  planFile?: string;
  /** Apply this percentage of the batches first, hold a verify window, then the rest. */
  canaryPercent?: number;
  /** The signature was not checked (`--no-verify`); recorded in the WAL. */
  unverified?: boolean;
}

/** Outcome of {@linkcode applyPlan} or {@linkcode rollbackTo}. */
export interface ReconcileResult {
  /**
   * applied / rolled-back-to (rollback done); noop (already there); aborted
   * (a participant refused: nothing changed); slo-rollback (committed, then
   * the verify window failed and a rollback transaction restored the base).
   */
  status: "applied" | "rolled-back-to" | "noop" | "aborted" | "slo-rollback";
  /** Plan applied (null for a rollback). */
  plan_id: string | null;
  /** Id of the transaction run (null for a noop). */
  txn: string | null;
  /** Committed seq after the command. */
  seq: number;
  /** Committed graph hash after the command. */
  graph_hash: string;
  /** Routes in the committed graph after the command. */
  routes: number;
  /** The committed state the command started from. */
  base: { seq: number; graph_hash: string };
  /** Graph hash the command aimed for. */
  target_graph: string;
  /** Batches in the transaction (0 for a noop). */
  batches: number;
  /** Routes added over all batches. */
  adds: number;
  /** Routes deleted over all batches. */
  dels: number;
  /** Every vote of the transaction, batch by batch. */
  votes: VoteRecord[];
  /** Why the transaction (or the SLO rollback) was aborted; null otherwise. */
  failure: TxnFailure | null;
  /** The canary window's report (apply --canary only), else null. */
  canary: HealthReport | null;
  /** The post-commit verify window's report (apply only, once committed), else null. */
  verify: HealthReport | null;
  /** The automatic rollback transaction after an SLO breach. */
  slo_rollback: { txn: string; seq: number | null } | null;
  /** From the start until the new state was durable (END written), or until the abort. */
  commit_ms: number;
  /** Whole command, verify window included. */
  elapsed_ms: number;
}

/** Options for {@linkcode withLock}. */
export interface WithLockOptions extends AcquireLockOptions, WalWriterOptions {
  /** Command recorded in the lock (default "apply"). */
  command?: string;
}

/**
 * Runs `fn` holding the workspace lock, after recovery (which finishes or
 * undoes what a crashed holder left in the WAL).
 * @throws {IoError} when another live process holds the lock (exit 74)
 */
export async function withLock<T>(
  ws: Workspace,
  fn: (recovery: RecoveryReport) => Promise<T>,
  options: WithLockOptions = {},
): Promise<T> {
  const lock = await acquireWorkspaceLock(ws, options.command ?? "apply", options);
  try {
    const report = await recover(ws, { lock, hooks: options.hooks, limits: options.limits });
    return await fn(report);
  } finally {
    await lock.release();
  }
}

/** Splits a plan's delta into its batches. */
export function planBatches(plan: Pick<Plan, "routes_add" | "routes_del" | "batches">): TxnBatch[] {
  const adds = new Map(plan.routes_add.map((r) => [r.id, r]));
  const dels = new Map(plan.routes_del.map((r) => [r.id, r]));
  return plan.batches.map((ids) => ({
    dels: ids.filter((id) => dels.has(id)).map((id) => dels.get(id)!),
    adds: ids.filter((id) => adds.has(id)).map((id) => adds.get(id)!),
  }));
}

/** The change from one graph to another as a single batch (changed routes are deleted and re-added). */
export function graphDelta(from: Graph, to: Graph): TxnBatch {
  const a = new Map(from.routes.map((r) => [r.id, r]));
  const b = new Map(to.routes.map((r) => [r.id, r]));
  const same = (id: string) =>
    a.has(id) && b.has(id) && canonicalize(a.get(id)) === canonicalize(b.get(id));
  return {
    dels: from.routes.filter((r) => !same(r.id)).map(({ id, from, to }) => ({ id, from, to })),
    adds: to.routes.filter((r) => !same(r.id)),
  };
}

function participantsOf(ws: Workspace, options: ReconcileOptions): Participant[] {
  return [new StateParticipant(ws, options.hooks), ...(options.participants ?? [])];
}

function baseResult(
  state: CommittedState,
  planId: string | null,
  target: string,
  t0: number,
): ReconcileResult {
  return {
    status: "noop",
    plan_id: planId,
    txn: null,
    seq: state.seq,
    graph_hash: state.graph_hash,
    routes: state.graph.routes.length,
    base: { seq: state.seq, graph_hash: state.graph_hash },
    target_graph: target,
    batches: 0,
    adds: 0,
    dels: 0,
    votes: [],
    failure: null,
    canary: null,
    verify: null,
    slo_rollback: null,
    commit_ms: 0,
    elapsed_ms: performance.now() - t0,
  };
}

/**
 * Checks a plan against the committed graph without changing anything:
 * returns the committed state and the target graph, or null target when
 * the plan is already applied.
 * @throws {VerificationError} for a stale plan (both hashes in the message) or a wrong target hash.
 */
export async function checkPlanAgainstState(
  ws: Workspace,
  plan: Plan,
): Promise<{ state: CommittedState; target: Graph | null }> {
  const state = await readCommittedState(ws);
  if (plan.target_graph === state.graph_hash) return { state, target: null };
  if (plan.base_graph !== state.graph_hash) {
    throw new VerificationError(
      `Plan ${plan.plan_id} is stale: it was computed against graph ${plan.base_graph}, ` +
        `but the committed graph is ${state.graph_hash} (seq ${state.seq}); re-run "rtt-deno plan"`,
    );
  }
  return { state, target: checkPlanTarget(state.graph, plan) };
}

/**
 * Applies a verified plan (signature and schema were checked by readPlan).
 * The caller holds the lock and has recovered ({@linkcode withLock}).
 * @throws {VerificationError} for a stale plan; I/O errors (a failed fsync
 * included) after the transaction was aborted.
 */
export async function applyPlan(
  ws: Workspace,
  plan: Plan,
  options: ApplyOptions = {},
): Promise<ReconcileResult> {
  const t0 = performance.now();
  const { state, target } = await checkPlanAgainstState(ws, plan);
  const res = baseResult(state, plan.plan_id, plan.target_graph, t0);
  if (!target) return res;
  const batches = planBatches(plan);
  res.batches = batches.length;
  res.adds = plan.routes_add.length;
  res.dels = plan.routes_del.length;
  const participants = participantsOf(ws, options);
  const prepareTimeoutMs = options.prepareTimeoutMs ?? APPLY_DEFAULTS.prepareTimeoutMs;
  const verifyWindowMs = options.verifyWindowMs ?? APPLY_DEFAULTS.verifyWindowMs;
  const hooks = options.hooks;
  const canaryBatches = options.canaryPercent
    ? Math.min(batches.length, Math.max(1, Math.ceil(batches.length * options.canaryPercent / 100)))
    : undefined;
  const wal = await openWal(ws, options);
  try {
    checkStateAgainstWal(wal, state);
    const tx = await runTransaction(ws, {
      kind: "apply",
      base: state,
      target,
      targetHash: plan.target_graph,
      batches,
      planId: plan.plan_id,
      meta: {
        plan_file: options.planFile ?? null,
        ...(canaryBatches ? { canary_batches: canaryBatches } : {}),
        ...(options.unverified ? { unverified: true } : {}),
      },
      canaryBatches,
    }, { wal, participants, prepareTimeoutMs, verifyWindowMs, onEvent: options.onEvent, hooks });
    fill(res, tx);
    res.commit_ms = Math.round((performance.now() - t0) * 1000) / 1000;
    if (!tx.committed) {
      res.status = "aborted";
      return finish(res, t0);
    }
    res.status = "applied";
    res.seq = tx.seq!;
    res.graph_hash = plan.target_graph;
    res.routes = target.routes.length;
    const report = await verifyWindow(participants, {
      windowMs: verifyWindowMs,
      checkTimeoutMs: prepareTimeoutMs,
    });
    res.verify = report;
    await wal.append({ type: "verify", txn: tx.txn, payload: { ...report } });
    if (report.ok) return finish(res, t0);
    options.onEvent?.(
      `SLO breach during the verify window: ${report.breach!.participant}: ${
        report.breach!.detail
      }; rolling back to seq ${state.seq}`,
    );
    const committed = await readCommittedState(ws);
    const back = await runTransaction(ws, {
      kind: "rollback",
      base: committed,
      target: state.graph,
      targetHash: state.graph_hash,
      batches: [graphDelta(committed.graph, state.graph)],
      planId: null,
      meta: { to_seq: state.seq, reason: `SLO breach after ${tx.txn}` },
    }, { wal, participants, prepareTimeoutMs, verifyWindowMs, onEvent: options.onEvent, hooks });
    res.slo_rollback = { txn: back.txn, seq: back.seq };
    res.status = "slo-rollback";
    if (back.committed) {
      res.seq = back.seq!;
      res.graph_hash = state.graph_hash;
      res.routes = state.graph.routes.length;
    } else {
      res.failure = back.failure;
    }
    return finish(res, t0);
  } finally {
    wal.close();
  }
}

function fill(res: ReconcileResult, tx: TxnResult): void {
  res.txn = tx.txn;
  res.votes = tx.votes;
  res.failure = tx.failure;
  res.canary = tx.canary;
}

function finish(res: ReconcileResult, t0: number): ReconcileResult {
  res.elapsed_ms = Math.round((performance.now() - t0) * 1000) / 1000;
  return res;
}

/** A commit in the WAL that `rollback` can return to. */
export interface CommitPoint {
  /** Seq of the COMMIT record: the argument `rollback` takes to return here. */
  seq: number;
  /** Transaction that committed. */
  txn: string;
  /** Time of the COMMIT record (ISO 8601). */
  at: string;
  /** `apply` or `rollback`. */
  kind: string;
  /** Plan applied (null for a rollback). */
  plan_id: string | null;
  /** Graph hash committed. */
  graph_hash: string;
  /** Routes in that graph (null in records written before the count was recorded). */
  routes: number | null;
}

/** Every durable COMMIT in the WAL, oldest first. */
export async function commitHistory(ws: Workspace): Promise<CommitPoint[]> {
  const scan = await scanWal(ws);
  return scan.records.flatMap((r) =>
    r.type === "commit"
      ? [{
        seq: r.seq,
        txn: r.txn,
        at: r.at,
        kind: r.payload.kind,
        plan_id: r.payload.plan_id,
        graph_hash: r.payload.graph_hash,
        // Records of older versions may lack it.
        routes: r.payload.routes ?? null,
      }]
      : []
  );
}

/**
 * Returns to the graph committed at `seq` (0 = the empty graph; default:
 * the commit before the current one) as a new transaction; history is never
 * rewritten. The caller holds the lock and has recovered.
 * @throws {UsageError} when `seq` is not a COMMIT record; {MissingInputError} when nothing was committed yet.
 */
export async function rollbackTo(
  ws: Workspace,
  seq: number | undefined,
  options: ReconcileOptions = {},
): Promise<ReconcileResult & { to_seq: number }> {
  const t0 = performance.now();
  const state = await readCommittedState(ws);
  const commits = await commitHistory(ws);
  let toSeq: number;
  let toHash: string;
  if (seq === undefined) {
    if (state.seq === 0) {
      throw new MissingInputError("Nothing to roll back: no graph has been committed yet");
    }
    const prev = commits.filter((c) => c.seq < state.seq).at(-1);
    toSeq = prev?.seq ?? 0;
    toHash = prev?.graph_hash ?? graphHash({ routes: [] });
  } else if (seq === 0) {
    toSeq = 0;
    toHash = graphHash({ routes: [] });
  } else {
    const c = commits.find((x) => x.seq === seq);
    if (!c) {
      throw new UsageError(
        `Cannot roll back to seq ${seq}: it is not a COMMIT record (committed seqs: ${
          commits.map((x) => x.seq).join(", ") || "none"
        }; 0 = empty graph)`,
      );
    }
    toSeq = c.seq;
    toHash = c.graph_hash;
  }
  const target = await loadGraph(ws, toHash);
  const res = { ...baseResult(state, null, toHash, t0), to_seq: toSeq };
  if (toHash === state.graph_hash) return finish(res, t0) as typeof res;
  const batch = graphDelta(state.graph, target);
  res.batches = 1;
  res.adds = batch.adds.length;
  res.dels = batch.dels.length;
  const wal: WalWriter = await openWal(ws, options);
  try {
    checkStateAgainstWal(wal, state);
    const tx = await runTransaction(ws, {
      kind: "rollback",
      base: state,
      target,
      targetHash: toHash,
      batches: [batch],
      planId: null,
      meta: { to_seq: toSeq },
    }, {
      wal,
      participants: participantsOf(ws, options),
      prepareTimeoutMs: options.prepareTimeoutMs ?? APPLY_DEFAULTS.prepareTimeoutMs,
      verifyWindowMs: options.verifyWindowMs ?? APPLY_DEFAULTS.verifyWindowMs,
      onEvent: options.onEvent,
      hooks: options.hooks,
    });
    fill(res, tx);
    res.commit_ms = Math.round((performance.now() - t0) * 1000) / 1000;
    if (tx.committed) {
      res.status = "rolled-back-to";
      res.seq = tx.seq!;
      res.graph_hash = toHash;
      res.routes = target.routes.length;
    } else res.status = "aborted";
    return finish(res, t0) as typeof res;
  } finally {
    wal.close();
  }
}
