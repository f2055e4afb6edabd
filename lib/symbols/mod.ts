/**
 * Symbols: manifests, the scan that finds them (stage 10), the symbol table
 * and the doctor that checks it (stage 20).
 *
 * @module
 */
export * from "./manifest.ts";
export * from "./scan.ts";
export * from "./symbol_table.ts";
export * from "./doctor.ts";
