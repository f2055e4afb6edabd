/**
 * Shared-memory lane: two native SPSC rings (one per direction) between two processes.
 *
 * @module
 */
export {
  openShmLane,
  SHM_PREFIX,
  shmAvailability,
  type ShmLaneOptions,
  sweepStaleRings,
} from "./shm_lane.ts";
