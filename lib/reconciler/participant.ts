/**
 * Participants of the two-phase commit. The reconciler coordinates; each
 * participant votes on every batch, applies it on COMMIT and undoes it on
 * ROLLBACK. The state participant always takes part; the panel joins when it
 * runs; {@linkcode FaultParticipant} lets tests make a participant refuse,
 * hang, throw, crash or report bad health at a chosen step.
 *
 * @module
 */
import { type Graph, type PlannedRoute, readCommittedState } from "../graph/mod.ts";
import type { Workspace } from "../core/mod.ts";
import { storeGraph } from "./graph_store.ts";
import { UsageError } from "../core/mod.ts";

/** A route removed by a batch. */
export interface RouteRef {
  id: string;
  from: string;
  to: string;
}

/** One batch of a transaction, as participants see it. */
export interface BatchStep {
  /** Transaction id. */
  txn: string;
  /** 0-based batch index and batch count. */
  index: number;
  count: number;
  adds: PlannedRoute[];
  dels: RouteRef[];
  /** Graph before and after this batch (in memory; not yet committed). */
  before: Graph;
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
  ok: boolean;
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

  /** @param ws workspace whose state this participant keeps */
  constructor(ws: Workspace) {
    this.#ws = ws;
  }

  /** Stages the final graph when the last batch is prepared. */
  async prepare(step: BatchStep): Promise<Vote> {
    if (!step.last) return { ready: true };
    try {
      await storeGraph(this.#ws, step.after, step.targetHash);
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

/** What a {@linkcode FaultParticipant} does when its fault triggers. */
export type FaultAction = "nack" | "hang" | "throw" | "crash" | "unhealthy";

/** One fault: `<action>@<step>[:<n>]` (n-th call of that step in this process, default 1). */
export interface Fault {
  action: FaultAction;
  step: "prepare" | "commit" | "rollback" | "health";
  n: number;
}

/**
 * Parses a fault spec such as `nack@prepare:2,unhealthy@health:1`.
 * @throws {RangeError} on a malformed spec.
 */
export function parseFaults(spec: string): Fault[] {
  return spec.split(",").map((part) => part.trim()).filter(Boolean).map((part) => {
    const m = /^(nack|hang|throw|crash|unhealthy)@(prepare|commit|rollback|health)(?::(\d+))?$/
      .exec(part);
    if (!m) {
      throw new UsageError(
        `Invalid fault "${part}": expected <nack|hang|throw|crash|unhealthy>@<prepare|commit|rollback|health>[:<n>]`,
      );
    }
    return { action: m[1] as FaultAction, step: m[2] as Fault["step"], n: Number(m[3] ?? 1) };
  });
}

/**
 * A test participant that behaves well except where told: refuse (nack),
 * never answer (hang; the prepare timeout must abort), throw, kill the
 * process with SIGKILL (crash) or report bad health (unhealthy).
 */
export class FaultParticipant implements Participant {
  readonly name: string;
  #faults: Fault[];
  #calls = new Map<string, number>();
  /** Steps seen, as `<step>:<batch index>` (for tests that check rollback order). */
  readonly log: string[] = [];

  /** @param faults when to misbehave */
  constructor(faults: Fault[], name = "fault") {
    this.#faults = faults;
    this.name = name;
  }

  #trigger(step: Fault["step"]): FaultAction | null {
    const n = (this.#calls.get(step) ?? 0) + 1;
    this.#calls.set(step, n);
    const f = this.#faults.find((x) => x.step === step && x.n === n);
    if (!f) return null;
    if (f.action === "crash") Deno.kill(Deno.pid, "SIGKILL");
    if (f.action === "throw") throw new Error(`${this.name}: injected failure at ${step} #${n}`);
    return f.action;
  }

  /** Votes READY unless told otherwise. */
  prepare(step: BatchStep): Promise<Vote> {
    this.log.push(`prepare:${step.index}`);
    const a = this.#trigger("prepare");
    if (a === "hang") return new Promise<Vote>(() => {});
    if (a === "nack") {
      return Promise.resolve({
        ready: false,
        reason: `${this.name} refuses batch ${step.index + 1}`,
      });
    }
    return Promise.resolve({ ready: true });
  }

  /** Records the commit. */
  commit(step: BatchStep): Promise<void> {
    this.log.push(`commit:${step.index}`);
    this.#trigger("commit");
    return Promise.resolve();
  }

  /** Records the rollback. */
  rollback(step: BatchStep): Promise<void> {
    this.log.push(`rollback:${step.index}`);
    this.#trigger("rollback");
    return Promise.resolve();
  }

  /** Healthy unless told otherwise. */
  health(): Promise<Health> {
    const a = this.#trigger("health");
    if (a === "hang") return new Promise<Health>(() => {});
    return Promise.resolve(
      a === "unhealthy" ? { ok: false, detail: `${this.name}: injected SLO breach` } : { ok: true },
    );
  }
}
