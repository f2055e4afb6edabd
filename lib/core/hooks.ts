/**
 * Test hooks: the seams crash and fault tests use, injected as data. The
 * product passes {@linkcode NO_HOOKS} (every hook a no-op) and reads no test
 * variable; the test-only entry point under `tests/` builds real hooks and
 * hands them to the CLI (`run(args, { hooks })`), which passes them to the use
 * cases, which pass them to the writers.
 *
 * @example
 * ```ts
 * import { type Hooks, NO_HOOKS } from "./hooks.ts";
 * const hooks: Hooks = { ...NO_HOOKS, crashPoint: (p) => console.log("reached", p) };
 * hooks.crashPoint("state:rename");
 * ```
 *
 * @module
 */

/** The hooks every durable writer honours. */
export interface Hooks {
  /**
   * Called at every named point where a crash must be survivable
   * (`<what>:<step>`, e.g. `state:rename`); a crash test kills the process here.
   */
  crashPoint(point: string): void;
  /**
   * Called right before the fsync named `label` (e.g. `wal:commit:fsync`);
   * a fault test throws from it to simulate a failed fsync.
   */
  beforeSync(label: string): void;
}

/** Hooks that do nothing: what the product runs with. */
export const NO_HOOKS: Hooks = Object.freeze({
  crashPoint(_point: string): void {},
  beforeSync(_label: string): void {},
});
