/**
 * A 2PC participant for tests that behaves well except where told: it
 * refuses, hangs, throws, kills the process or reports bad health at a
 * chosen step. Test code only (unit tests and the test entry point under
 * `tests/`); the product never builds one.
 *
 * @example
 * ```ts
 * import { FaultParticipant, parseFaults } from "./fault_participant.ts";
 * const refusing = new FaultParticipant(parseFaults("nack@prepare:2"));
 * ```
 *
 * @module
 */
import { UsageError } from "../core/mod.ts";
import type { BatchStep, Health, Participant, Vote } from "../reconciler/mod.ts";

/** What a {@linkcode FaultParticipant} does when its fault triggers. */
export type FaultAction = "nack" | "hang" | "throw" | "crash" | "unhealthy";

/** One fault: `<action>@<step>[:<n>]` (n-th call of that step in this process, default 1). */
export interface Fault {
  /** What to do when the fault triggers. */
  action: FaultAction;
  /** Participant method whose call triggers it. */
  step: "prepare" | "commit" | "rollback" | "health";
  /** 1-based count of calls of `step` in this process; only that call misbehaves. */
  n: number;
}

/**
 * Parses a fault spec such as `nack@prepare:2,unhealthy@health:1`.
 * @throws {UsageError} on a malformed spec.
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

  /**
   * A participant named `name` that misbehaves as `faults` say.
   *
   * @param faults when to misbehave
   * @param name name shown in the WAL and in output
   */
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
