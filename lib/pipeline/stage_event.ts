/**
 * Progress reporting of the use cases: they never print; they hand
 * {@linkcode StageEvent}s to an optional callback and the CLI decides how a
 * person sees them.
 *
 * @module
 */
import type { Hooks } from "../core/mod.ts";
import type { Participant } from "../reconciler/mod.ts";

export type { Participant } from "../reconciler/mod.ts";

/**
 * How much an event matters: `info` is progress, `note` something worth
 * knowing that needs no action, `warn` something the user should act on.
 */
export type EventLevel = "info" | "note" | "warn";

/** One progress event of a use case. */
export interface StageEvent {
  /** How much it matters. */
  level: EventLevel;
  /** One line for people, without a stage prefix. */
  message: string;
}

/** Receives the progress events of a use case. */
export type OnEvent = (event: StageEvent) => void;

/** Options every use case that changes the workspace accepts. */
export interface WriteOptions {
  /** Test hooks passed down to the writers (default: none). */
  hooks?: Hooks;
  /** Progress events. */
  onEvent?: OnEvent;
}

/** Options of the use cases that run a two-phase-commit transaction. */
export interface TransactionOptions extends WriteOptions {
  /** Participants besides the state participant (tests inject refusing ones). */
  participants?: readonly Participant[];
}
