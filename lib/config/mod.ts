/**
 * Workspace configuration: schemas, typed shapes, defaults, and validated
 * loading with file/line/column/pointer errors.
 *
 * @module
 */
export * from "./types.ts";
export * from "./defaults.ts";
export * from "./schemas.ts";
export * from "./validate.ts";
export * from "./load.ts";
export * from "./internal_json.ts";
