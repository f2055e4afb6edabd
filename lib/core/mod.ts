/**
 * Core building blocks shared by every RTT module: canonical JSON, the one
 * string order, hashing, signatures, durable files, workspace paths and lock,
 * globs, test hooks and the named errors.
 *
 * @module
 */
export * from "./canonical_json.ts";
export * from "./compare.ts";
export * from "./hash.ts";
export * from "./errors.ts";
export * from "./atomic_file.ts";
export * from "./hooks.ts";
export * from "./input_file.ts";
export * from "./glob.ts";
export * from "./lanes.ts";
export * from "./workspace.ts";
export * from "./workspace_lock.ts";
export * from "./sign.ts";
