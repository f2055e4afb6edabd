/**
 * RTT fabric: the frame codec and the three lanes (shared memory, Unix socket, TCP
 * loopback) behind one Lane interface, with per-link backpressure policies and counters.
 *
 * @module
 */
export * from "./frame/mod.ts";
export * from "./lane/mod.ts";
export * from "./shm/mod.ts";
export * from "./stream/mod.ts";
export * from "./uds/mod.ts";
export * from "./tcp/mod.ts";
