/**
 * Security: signing keys, the trust root and signature verification by role.
 *
 * @module
 */
export * from "./keys.ts";
export * from "./trust.ts";
export * from "./identity.ts";
export * from "./trust_changes.ts";
