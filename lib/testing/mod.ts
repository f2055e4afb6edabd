/**
 * Test support shared by unit tests, CLI tests and benchmarks: temporary
 * folders, fixture manifests, hand-built signed plans, in-process lane
 * pairs, seeded synthetic workspaces and planner inputs. Product code never
 * imports it.
 *
 * @module
 */
export * from "./temp_dir.ts";
export * from "./rng.ts";
export * from "./build_plan.ts";
export * from "./synthetic_workspace.ts";
export * from "./synthetic_input.ts";
export * from "./lane_pairs.ts";
export * from "./sample_workspace.ts";
export * from "./test_workspace.ts";
export * from "./fault_participant.ts";
export * from "./test_hooks.ts";
export * from "./lock_holder.ts";
