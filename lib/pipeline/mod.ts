/**
 * The automation pipeline: stage 00 init, 10 scan, 20 doctor, 30 gen,
 * 40 plan, 50 apply, and `auto` running them in order.
 *
 * @module
 */
export * from "./init.ts";
export * from "./stage_event.ts";
export * from "./scan.ts";
export * from "./doctor.ts";
export * from "./keys.ts";
export * from "./ingest.ts";
export * from "./registry.ts";
export * from "./bundle.ts";
export * from "./bench_fabric.ts";
export * from "./stage_event.ts";
export * from "./plan_workspace.ts";
export * from "./verify_plan_file.ts";
export * from "./apply_plan.ts";
export * from "./rollback_to.ts";
export * from "./recover_workspace.ts";
export * from "./verify_wal.ts";
export * from "./wal_log.ts";
export * from "./workspace_status.ts";
export * from "./run_pipeline.ts";
