/**
 * Plan files as sealed, signed documents: computing `plan_id`, signing
 * ({@linkcode sealPlan}) and verifying a plan file ({@linkcode readPlan},
 * {@linkcode verifyPlan}). The plan's data shape and delta are in
 * `lib/graph`; this module is the heavy half (schema validation, trust
 * root), loaded only by commands that seal or verify plans.
 *
 * @module
 */
export * from "./seal_plan.ts";
export * from "./verify_plan.ts";
