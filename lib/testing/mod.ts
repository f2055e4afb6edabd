/**
 * Test support that must not live in the product's code paths: a
 * misbehaving 2PC participant and counting test hooks. Only tests and the
 * test entry point (`tests/_entry.ts`) import this folder.
 *
 * @module
 */
export * from "./fault_participant.ts";
export * from "./test_hooks.ts";
