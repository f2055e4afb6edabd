/**
 * The transports a link can run over. Configuration, the solver and the fabric all name lanes,
 * so the list lives here, below all of them.
 *
 * @module
 */

/** Every lane, fastest first (also the default preference order). */
export const LANES = ["shm", "uds", "tcp"] as const;

/** A lane links can run over: one of {@linkcode LANES}. */
export type Lane = (typeof LANES)[number];

/**
 * Whether `value` names a lane.
 *
 * @example
 * ```ts
 * isLane("uds"); // true
 * isLane("pigeon"); // false
 * ```
 */
export function isLane(value: unknown): value is Lane {
  return (LANES as readonly unknown[]).includes(value);
}
