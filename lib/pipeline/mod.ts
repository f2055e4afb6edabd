/**
 * The application layer: one use case per command and pipeline stage
 * (00 init, 10 scan, 20 doctor, 30 registry, 40 plan, 50 apply). Each takes
 * the workspace and its options, returns a typed report, reports progress
 * through a callback, and never prints or exits; the CLI renders the report.
 *
 * @module
 */
export * from "./init.ts";
export * from "./scan.ts";
export * from "./doctor.ts";
export * from "./keys.ts";
export * from "./ingest.ts";
export * from "./registry.ts";
export * from "./bundle.ts";
