/**
 * Participants of the two-phase commit. The reconciler coordinates; each
 * participant votes on every batch, applies it on COMMIT and undoes it on
 * ROLLBACK. The state participant always takes part; the panel joins when it
 * runs; tests add a misbehaving one (`lib/testing`).
 *
 * @module
 */
import { type Graph, type PlannedRoute, readCommittedState } from "../graph/mod.ts";
import { type Hooks, NO_HOOKS, type Workspace } from "../core/mod.ts";
import { storeGraph } from "./graph_store.ts";

/** A route removed by a batch. */
export interface RouteRef {
  /** Route id (`r-<12 hex>`, see `routeId`). */
  id: string;
  /** Caller saddr. */
  from: string;
  /** Callee saddr. */
  to: string;
}

/** One batch of a transaction, as participants see it. */
export interface BatchStep {
  /** Transaction id. */
  txn: string;
  /** 0-based batch index. */
  index: number;
  /** Number of batches in the transaction. */
  count: number;
  /** Routes the batch writes, after its deletes (a changed route is in both lists). */
  adds: PlannedRoute[];
  /** Routes the batch removes. */
  dels: RouteRef[];
  /** Graph before this batch (in memory; not yet committed). */
  before: Graph;
  /** Graph after this batch (in memory; not yet committed); built on first read. */
  after: Graph;
  /** Hash of the transaction's final graph. */
  targetHash: string;
  /** Whether this is the last batch. */
  last: boolean;
}

/** A participant's vote on PREPARE. */
export type Vote = { ready: true } | { ready: false; reason: string };

/** A health report during a verify window. */
export interface Health {
  /** False is a breach: the coordinator aborts the canary or rolls back the commit. */
  ok: boolean;
  /** What was seen; shown with a breach, optional when healthy. */
  detail?: string;
}

/** Something that takes part in every apply transaction. */
export interface Participant {
  /** Name shown in the WAL and in output. */
  readonly name: string;
  /** Makes the batch ready to commit (durably, if it keeps state) and votes. */
  prepare(step: BatchStep, signal: AbortSignal): Promise<Vote>;
  /** Applies a prepared batch. */
  commit(step: BatchStep): Promise<void>;
  /** Undoes a prepared or committed batch of an aborted transaction. */
  rollback(step: BatchStep): Promise<void>;
  /** Reports health during the verify windows. */
  health(): Promise<Health>;
}

/**
 * The committed graph itself. It stages the transaction's final graph in the
 * graph store while preparing the last batch (votes ABORT when it cannot),
 * so the coordinator's COMMIT record always points at a durable graph. Its
 * health check re-reads the committed state and checks its hash.
 */
export class StateParticipant implements Participant {
  readonly name = "state";
  #ws: Workspace;
  #hooks: Hooks;

  /**
   * A state participant for one workspace.
   *
   * @param ws workspace whose state this participant keeps
   * @param hooks test hooks for the staged graph's write
   */
  constructor(ws: Workspace, hooks: Hooks = NO_HOOKS) {
    this.#ws = ws;
    this.#hooks = hooks;
  }

  /** Stages the final graph when the last batch is prepared. */
  async prepare(step: BatchStep): Promise<Vote> {
    if (!step.last) return { ready: true };
    try {
      await storeGraph(this.#ws, step.after, step.targetHash, { hooks: this.#hooks });
      return { ready: true };
    } catch (err) {
      return { ready: false, reason: `cannot stage graph ${step.targetHash}: ${err}` };
    }
  }

  /** Nothing to do per batch: the coordinator flips the state after COMMIT. */
  async commit(): Promise<void> {}

  /** Nothing to undo: the committed state is only replaced after COMMIT. */
  async rollback(): Promise<void> {}

  /** Committed state readable and consistent with its hash. */
  async health(): Promise<Health> {
    try {
      const s = await readCommittedState(this.#ws);
      return { ok: true, detail: `seq ${s.seq} ${s.graph_hash}` };
    } catch (err) {
      return { ok: false, detail: String(err) };
    }
  }
}
