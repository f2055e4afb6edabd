/**
 * Native binding of RTT (librtt_ffi) and its pure-TS fallbacks.
 *
 * Everything except {@linkcode ShmRing} and {@linkcode pinThread} works without the native
 * library; check {@linkcode nativeStatus} to learn whether it loaded and, if not, why.
 *
 * @example
 * ```ts
 * import { crc32c, nativeStatus } from "./mod.ts";
 * const st = nativeStatus();
 * console.log(st.available ? "native" : "fallback", crc32c(new TextEncoder().encode("rtt")));
 * ```
 *
 * @module
 */
export { ABI_VERSION, type NativeLibrary, NativeStatus, symbols } from "./symbols.ts";
export {
  lastNativeError,
  type LoadedNative,
  loadNative,
  type LoadOptions,
  native,
  type NativeAvailability,
  nativeStatus,
} from "./load.ts";
export {
  type LoadAttempt,
  NativeError,
  NativeUnavailableError,
  PeerGoneError,
  RingNotReadyError,
  statusError,
} from "./errors.ts";
export { crc32c, crc32cImplementation, crc32cPortable } from "./crc32c.ts";
export {
  type MachineFingerprint,
  machineFingerprint,
  type NumaNode,
  pinThread,
  type ProbeOptions,
  probeTopology,
  threadAffinity,
  type Topology,
} from "./topology.ts";
export {
  type PeerState,
  type PushHeader,
  type RingCreateOptions,
  type RingDropReason,
  type RingRole,
  type RingStats,
  ShmRing,
  type WaitOptions,
} from "./ring.ts";
