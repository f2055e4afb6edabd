/**
 * The reconciler (stage 50): applies signed plans to the committed route
 * graph with two-phase commit over pluggable participants, a hash-chained
 * write-ahead log, an atomic state flip, automatic rollback on refusal or
 * SLO breach, and crash recovery by WAL replay.
 *
 * @module
 */
export * from "./wal.ts";
export * from "./wal_verify.ts";
export * from "./graph_store.ts";
export * from "./participant.ts";
export * from "./transaction.ts";
export * from "./recover.ts";
export * from "./apply.ts";
export * from "./status.ts";
export * from "./last_applied.ts";
