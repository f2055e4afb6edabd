/**
 * The coordinator: one transaction from a committed graph to a target graph,
 * batch by batch, with two-phase commit over the participants and every step
 * in the WAL.
 *
 * Durability points (fsync): BEGIN, the graph staged by the state participant,
 * COMMIT, the state file, END, and ABORT. Everything between BEGIN and COMMIT
 * needs no fsync: without a durable COMMIT the transaction is presumed
 * aborted and recovery rolls it back. After a durable COMMIT, recovery rolls
 * it forward, so the committed graph is always exactly the old or the new one.
 *
 * @module
 */
import { type Hooks, type Workspace, writeJsonAtomic } from "../core/mod.ts";
import {
  type CommittedState,
  type Graph,
  type PlannedRoute,
  routeKey,
  statePath,
} from "../graph/mod.ts";
import type { BatchStep, Health, Participant, RouteRef, Vote } from "./participant.ts";
import type { WalWriter } from "./wal.ts";
import type { HealthReport, TxnFailure, TxnMeta, VoteRecord, WalRecordOf } from "./wal_record.ts";
import { errorMessage, IoError } from "../core/mod.ts";

// Defined with the WAL records that carry them; re-exported where callers look for them.
export type { HealthReport, TxnFailure, VoteRecord } from "./wal_record.ts";

/** One batch of changes. */
export interface TxnBatch {
  /** Routes the batch writes, after its deletes; a changed route is in both lists. */
  adds: PlannedRoute[];
  /** Routes the batch removes first. */
  dels: RouteRef[];
}

/** What a transaction does. */
export interface TxnSpec {
  /** `apply` (a plan) or `rollback` (back to an earlier committed graph). */
  kind: "apply" | "rollback";
  /** The committed state the transaction starts from. */
  base: CommittedState;
  /** Final graph: the base with every batch applied. */
  target: Graph;
  /** Graph hash of `target` (`sha256:<hex>`), recorded in BEGIN and COMMIT. */
  targetHash: string;
  /** The changes in apply order; each is voted on and committed in turn. */
  batches: TxnBatch[];
  /** Plan applied (null for a rollback). */
  planId: string | null;
  /** Extra fields recorded in BEGIN and COMMIT (plan file, rollback target seq, ...). */
  meta?: TxnMeta;
  /** Apply --canary: batches in the canary slice, held for a verify window before the rest. */
  canaryBatches?: number;
}

/** How a transaction runs. */
export interface TxnOptions {
  /** The open WAL (recovery has run). */
  wal: WalWriter;
  /** Every participant that votes, in the order they are asked (the state participant first). */
  participants: Participant[];
  /** A participant that has not voted after this many milliseconds votes ABORT. */
  prepareTimeoutMs: number;
  /** Length of the canary verify window, in milliseconds. */
  verifyWindowMs: number;
  /** Human progress lines. */
  onEvent?: (line: string) => void;
  /** Test hooks for the state and last_applied writes (the WAL has its own). */
  hooks?: Hooks;
}

/** Outcome of {@linkcode runTransaction}. */
export interface TxnResult {
  /** Transaction id, as recorded on each of its WAL records. */
  txn: string;
  /** The COMMIT is durable and the new state written. */
  committed: boolean;
  /** Seq of the COMMIT record (the new state's seq) when committed. */
  seq: number | null;
  /** Batches every participant committed before the transaction ended. */
  batchesDone: number;
  /** Every vote, batch by batch. */
  votes: VoteRecord[];
  /** Why the transaction was aborted; null when committed. */
  failure: TxnFailure | null;
  /** The canary window's report; null when there was no canary. */
  canary: HealthReport | null;
}

/** New transaction id. */
export function newTxnId(): string {
  return `t-${crypto.getRandomValues(new Uint8Array(6)).toHex()}`;
}

function timeout<T>(p: Promise<T>, ms: number, onTimeout: () => T): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<T>((resolve) => {
      timer = setTimeout(() => resolve(onTimeout()), ms);
    }),
  ]);
}

/**
 * Asks every participant for health until `windowMs` has passed (at least
 * once); the first unhealthy answer, error or unanswered check is a breach.
 */
export async function verifyWindow(
  participants: Participant[],
  options: { windowMs: number; checkTimeoutMs: number },
): Promise<HealthReport> {
  const { windowMs, checkTimeoutMs } = options;
  const start = performance.now();
  const interval = Math.max(10, Math.min(50, Math.floor(windowMs / 4)));
  let checks = 0;
  while (true) {
    checks++;
    const results = await Promise.all(participants.map((p) =>
      timeout<Health>(
        Promise.resolve().then(() => p.health()).catch((err) => ({
          ok: false,
          detail: `health check failed: ${err}`,
        })),
        checkTimeoutMs,
        () => ({ ok: false, detail: `no health answer within ${checkTimeoutMs} ms` }),
      ).then((h) => ({ p, h }))
    ));
    const bad = results.find((r) => !r.h.ok);
    if (bad) {
      return {
        ok: false,
        window_ms: windowMs,
        checks,
        breach: { participant: bad.p.name, detail: bad.h.detail ?? "unhealthy" },
      };
    }
    const elapsed = performance.now() - start;
    if (elapsed >= windowMs) break;
    await new Promise((r) => setTimeout(r, Math.min(interval, windowMs - elapsed)));
  }
  return { ok: true, window_ms: windowMs, checks, breach: null };
}

/** Applies a batch to a route map (dels first, then adds). */
function applyBatch(routes: Map<string, PlannedRoute>, b: TxnBatch): void {
  for (const d of b.dels) routes.delete(d.id);
  for (const a of b.adds) routes.set(a.id, a);
}

/**
 * The graph after a batch, sorted only when a participant asks for it: with
 * many batches, sorting every intermediate graph would dominate the apply.
 */
function lazyGraph(routes: Map<string, PlannedRoute>): () => Graph {
  const snapshot = [...routes.values()];
  let graph: Graph | undefined;
  return () =>
    graph ??= {
      routes: snapshot.sort((a, b) => {
        const ka = routeKey(a), kb = routeKey(b);
        return ka < kb ? -1 : ka > kb ? 1 : 0;
      }),
    };
}

/**
 * Runs one transaction. Returns with `committed: false` when a participant
 * refused, failed or timed out (everything prepared was rolled back and an
 * ABORT recorded). A failed WAL write or fsync stops it with an
 * {@linkcode IoError}, never reported as success: the WAL is fail-stop (see
 * wal.ts), so nothing more is written and recovery on the next start
 * settles the outcome (a durable COMMIT rolls forward, anything else back).
 * The caller holds the lock and has run recovery.
 */
export async function runTransaction(
  ws: Workspace,
  spec: TxnSpec,
  options: TxnOptions,
): Promise<TxnResult> {
  const run = new TxnRun(ws, spec, options);
  await run.begin();
  for (let i = 0; i < spec.batches.length; i++) {
    const failure = await run.batch(i) ?? await run.canary(i);
    if (failure) return await run.abort(failure);
  }
  return await run.commit();
}

/** One running transaction: its WAL records in order, and what to undo on abort. */
class TxnRun {
  readonly txn = newTxnId();
  readonly result: TxnResult;
  readonly #ws: Workspace;
  readonly #spec: TxnSpec;
  readonly #options: TxnOptions;
  readonly #emit: (line: string) => void;
  readonly #routes: Map<string, PlannedRoute>;
  /** Batches prepared so far (rolled back, newest first, on abort). */
  readonly #touched: BatchStep[] = [];
  #before: () => Graph;

  constructor(ws: Workspace, spec: TxnSpec, options: TxnOptions) {
    this.#ws = ws;
    this.#spec = spec;
    this.#options = options;
    this.#emit = options.onEvent ?? (() => {});
    this.#routes = new Map(spec.base.graph.routes.map((r) => [r.id, r]));
    this.#before = () => spec.base.graph;
    this.result = {
      txn: this.txn,
      committed: false,
      seq: null,
      batchesDone: 0,
      votes: [],
      failure: null,
      canary: null,
    };
  }

  get #count(): number {
    return this.#spec.batches.length;
  }

  // What BEGIN and COMMIT both say about the transaction (same keys, same order as before).
  #header() {
    const spec = this.#spec;
    return {
      kind: spec.kind,
      plan_id: spec.planId,
      base_seq: spec.base.seq,
      base_graph: spec.base.graph_hash,
    };
  }

  /** BEGIN, durable: from here on recovery knows the transaction. */
  async begin(): Promise<void> {
    const spec = this.#spec;
    await this.#options.wal.append({
      type: "begin",
      txn: this.txn,
      payload: {
        ...this.#header(),
        target_graph: spec.targetHash,
        batches: this.#count,
        participants: this.#options.participants.map((p) => p.name),
        ...spec.meta,
      },
    }, { sync: true });
  }

  /** PREPARE, the votes, BATCH-COMMIT and the participants' commits of batch `i`. */
  async batch(i: number): Promise<TxnFailure | null> {
    const { wal, participants } = this.#options;
    const b = this.#spec.batches[i];
    const step = this.#step(i);
    await wal.append({
      type: "prepare",
      txn: this.txn,
      payload: { batch: i, add: b.adds.map((r) => r.id), del: b.dels.map((r) => r.id) },
    });
    this.#touched.push(step);
    const votes = await this.#collectVotes(step);
    const no = votes.find((v) => !v.vote.ready);
    if (no) {
      return {
        batch: i,
        step: "prepare",
        participant: no.p.name,
        reason: (no.vote as { reason: string }).reason,
      };
    }
    await wal.append({ type: "batch-commit", txn: this.txn, payload: { batch: i } });
    for (const p of participants) {
      try {
        await p.commit(step);
      } catch (err) {
        return { batch: i, step: "commit", participant: p.name, reason: String(err) };
      }
    }
    this.result.batchesDone = i + 1;
    this.#emit(
      `batch ${i + 1}/${this.#count}: +${b.adds.length} -${b.dels.length} ` +
        `(${votes.map((v) => `${v.p.name} ready`).join(", ")}) committed`,
    );
    this.#before = () => step.after;
    return null;
  }

  // The step participants see for batch `i`; graphs are built only when asked for.
  #step(i: number): BatchStep {
    const spec = this.#spec;
    const b = spec.batches[i];
    applyBatch(this.#routes, b);
    const last = i === this.#count - 1;
    const after = last ? () => spec.target : lazyGraph(this.#routes);
    const before = this.#before;
    return {
      txn: this.txn,
      index: i,
      count: this.#count,
      adds: b.adds,
      dels: b.dels,
      get before() {
        return before();
      },
      get after() {
        return after();
      },
      targetHash: spec.targetHash,
      last,
    };
  }

  // Every participant's vote, each recorded; one that does not answer in time votes ABORT.
  async #collectVotes(step: BatchStep): Promise<Array<{ p: Participant; vote: Vote }>> {
    const { participants, prepareTimeoutMs, wal } = this.#options;
    const controller = new AbortController();
    const votes = await Promise.all(participants.map(async (p) => {
      const t0 = performance.now();
      const vote = await timeout<Vote>(
        Promise.resolve().then(() => p.prepare(step, controller.signal)).catch((err) => ({
          ready: false,
          reason: `prepare failed: ${err instanceof Error ? err.message : err}`,
        })),
        prepareTimeoutMs,
        () => {
          controller.abort();
          return { ready: false, reason: `no vote within ${prepareTimeoutMs} ms` };
        },
      );
      return { p, vote, ms: performance.now() - t0 };
    }));
    for (const { p, vote, ms } of votes) {
      const rec: VoteRecord = {
        batch: step.index,
        participant: p.name,
        vote: vote.ready ? "ready" : "abort",
        ...(vote.ready ? {} : { reason: vote.reason }),
        ms: Math.round(ms * 1000) / 1000,
      };
      this.result.votes.push(rec);
      await wal.append({ type: "vote", txn: this.txn, payload: { ...rec } });
    }
    return votes;
  }

  /** After the canary slice (apply --canary): hold a verify window before the rest. */
  async canary(i: number): Promise<TxnFailure | null> {
    const done = i + 1;
    if (this.#spec.canaryBatches !== done || done >= this.#count) return null;
    const { participants, verifyWindowMs, prepareTimeoutMs, wal } = this.#options;
    const report = await verifyWindow(participants, {
      windowMs: verifyWindowMs,
      checkTimeoutMs: prepareTimeoutMs,
    });
    this.result.canary = report;
    await wal.append({ type: "canary", txn: this.txn, payload: { batches: done, ...report } });
    if (!report.ok) {
      return {
        batch: i,
        step: "canary",
        participant: report.breach!.participant,
        reason: `canary breach: ${report.breach!.detail}`,
      };
    }
    this.#emit(
      `canary: ${done}/${this.#count} batch(es) healthy for ${verifyWindowMs} ms ` +
        `(${report.checks} checks); promoting the rest`,
    );
    return null;
  }

  /** Rolls back every prepared batch, newest first, then a durable ABORT. */
  async abort(failure: TxnFailure): Promise<TxnResult> {
    const { participants, wal } = this.#options;
    for (const step of [...this.#touched].reverse()) {
      const errors: Record<string, string> = {};
      for (const p of participants) {
        try {
          await p.rollback(step);
        } catch (err) {
          errors[p.name] = String(err);
        }
      }
      await wal.append({ type: "rollback", txn: this.txn, payload: { batch: step.index, errors } });
    }
    await wal.append({
      type: "abort",
      txn: this.txn,
      payload: { ...failure, graph_hash: this.#spec.base.graph_hash },
    }, { sync: true });
    this.result.failure = failure;
    this.#emit(
      `aborted at ${failure.step} of batch ${failure.batch + 1}/${this.#count}` +
        `${failure.participant ? ` by ${failure.participant}` : ""}: ${failure.reason}; ` +
        `rolled back ${this.#touched.length} batch(es), committed graph unchanged`,
    );
    return this.result;
  }

  /** The durable COMMIT (the decision), then the state flip and END. */
  async commit(): Promise<TxnResult> {
    const { wal, hooks } = this.#options;
    const spec = this.#spec;
    let commit: WalRecordOf<"commit">;
    try {
      commit = await wal.append({
        type: "commit",
        txn: this.txn,
        payload: {
          ...this.#header(),
          graph_hash: spec.targetHash,
          routes: spec.target.routes.length,
          ...spec.meta,
        },
      }, { sync: true });
    } catch (err) {
      // Whether the COMMIT reached the disk is unknown: writing an ABORT now could
      // contradict a durable COMMIT. Stop; recovery decides from what is on disk.
      throw new IoError(
        `Transaction ${this.txn} stopped: the COMMIT record could not be made durable ` +
          `(${errorMessage(err)}); the committed graph is still seq ${spec.base.seq} or becomes ` +
          `the new one, and recovery on the next command settles which`,
        { cause: err },
      );
    }
    try {
      await finishCommit(this.#ws, { wal, commit, graph: spec.target, hooks });
    } catch (err) {
      // The decision is durable: recovery will complete it. Say so rather than "failed".
      throw new IoError(
        `Transaction ${this.txn} is committed (COMMIT seq ${commit.seq} is durable) but writing ` +
          `the state failed (${errorMessage(err)}); "rtt-deno recover" completes it`,
        { cause: err },
      );
    }
    this.result.committed = true;
    this.result.seq = commit.seq;
    return this.result;
  }
}

/** Content of `plans/last_applied.json`. */
export interface LastApplied {
  /** The plan applied last (a rollback does not replace this file). */
  plan_id: string;
  /** Plan file as given to apply (null when not known). */
  plan_file: string | null;
  /** Transaction that applied it. */
  txn: string;
  /** Seq of that transaction's COMMIT record. */
  seq: number;
  /** Graph hash the plan committed. */
  graph_hash: string;
  /** Graph hash the plan was applied to. */
  base_graph: string;
  /** Time of the COMMIT record (ISO 8601). */
  applied_at: string;
}

/** Path of `plans/last_applied.json`. */
export function lastAppliedPath(ws: Workspace): string {
  return `${ws.plans}/last_applied.json`;
}

/**
 * Second half of a commit, after the COMMIT record is durable: replace the
 * committed state, record the applied plan, write END. Idempotent, so
 * recovery runs it again when a crash cut it short.
 */
export async function finishCommit(
  ws: Workspace,
  committed: { wal: WalWriter; commit: WalRecordOf<"commit">; graph: Graph; hooks?: Hooks },
): Promise<void> {
  const { wal, commit, graph, hooks } = committed;
  const p = commit.payload;
  const state: CommittedState = {
    state_version: 1,
    seq: commit.seq,
    graph_hash: p.graph_hash,
    plan_id: p.plan_id,
    graph,
  };
  await Deno.mkdir(ws.state, { recursive: true });
  await writeJsonAtomic(statePath(ws), state, { label: "state", hooks });
  if (p.kind === "apply" && p.plan_id) {
    const last: LastApplied = {
      plan_id: p.plan_id,
      plan_file: p.plan_file ?? null,
      txn: commit.txn,
      seq: commit.seq,
      graph_hash: p.graph_hash,
      base_graph: p.base_graph,
      applied_at: commit.at,
    };
    await Deno.mkdir(ws.plans, { recursive: true });
    await writeJsonAtomic(lastAppliedPath(ws), last, { label: "last_applied", hooks });
  }
  await wal.append({
    type: "end",
    txn: commit.txn,
    payload: { seq: commit.seq, graph_hash: p.graph_hash },
  }, {
    sync: true,
  });
}
