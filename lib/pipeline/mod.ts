/**
 * The automation pipeline: stage 00 init, 10 scan, 20 doctor, 30 gen,
 * 40 plan, 50 apply, and `auto` running them in order.
 *
 * @module
 */
export * from "./init.ts";
export * from "./events.ts";
export * from "./scan.ts";
export * from "./doctor.ts";
export * from "./keys.ts";
export * from "./ingest.ts";
export * from "./registry.ts";
export * from "./bundle.ts";
export * from "./bench_fabric.ts";
