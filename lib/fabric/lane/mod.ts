/**
 * The {@linkcode Lane} abstraction shared by the shm, uds and tcp transports: the interface,
 * the backpressure policies, per-link counters and {@linkcode LinkBrokenError}.
 *
 * @module
 */
export type {
  BackpressurePolicy,
  CloseReason,
  Lane,
  LaneKind,
  LaneListener,
  LaneOptions,
  LinkCounters,
  LinkDropReason,
  ReceiveOptions,
  SendStatus,
} from "./types.ts";
export { LinkBrokenError } from "./errors.ts";
export { newCounters, snapshotCounters } from "./counters.ts";
export { Backpressure, checkPolicy, type Pending } from "./backpressure.ts";
