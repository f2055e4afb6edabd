/**
 * The signed content-addressed registry: CAS objects keyed by symbolHash,
 * the index, ingest, verification, the packfile, air-gap bundles and gc.
 *
 * @module
 */
export * from "./object.ts";
export * from "./registry_index.ts";
export * from "./ingest.ts";
export * from "./verify.ts";
export * from "./pack.ts";
export * from "./build_pack.ts";
export * from "./bundle.ts";
export * from "./export_bundle.ts";
export * from "./import_bundle.ts";
export * from "./gc.ts";
