/**
 * Per-link counters: lanes mutate their own and hand out snapshots.
 *
 * @module
 */
import type { LinkCounters } from "./types.ts";

/** Zeroed counters; lanes mutate their own copy and hand out snapshots. */
export function newCounters(): LinkCounters {
  return {
    sent: 0,
    received: 0,
    bytesSent: 0,
    bytesReceived: 0,
    marked: 0,
    nacked: 0,
    buffered: 0,
    drops: { bad_magic: 0, bad_length: 0, bad_crc: 0, taildrop: 0, buffer_full: 0 },
  };
}

/** Deep copy, so a caller holding a snapshot never sees it move. */
export function snapshotCounters(c: LinkCounters): LinkCounters {
  return { ...c, drops: { ...c.drops } };
}
