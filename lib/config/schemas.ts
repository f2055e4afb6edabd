/**
 * The JSON Schemas of every file users or RTT write, imported as modules so
 * they are embedded in the compiled binary, and the one place they are
 * compiled: lazily, on first use, once per process.
 *
 * Ajv is heavy to import (~60 ms), so it is loaded on first use only.
 *
 * @module
 */
import panel from "../../schemas/rtt.panel.schema.json" with { type: "json" };
import policy from "../../schemas/rtt.policy.schema.json" with { type: "json" };
import routes from "../../schemas/rtt.routes.schema.json" with { type: "json" };
import symbol from "../../schemas/rtt.symbol.schema.json" with { type: "json" };
import agent from "../../schemas/rtt.agent.schema.json" with { type: "json" };
import skill from "../../schemas/rtt.skill.schema.json" with { type: "json" };
import providers from "../../schemas/rtt.providers.schema.json" with { type: "json" };
import plan from "../../schemas/rtt.plan.schema.json" with { type: "json" };
import walRecord from "../../schemas/rtt.wal-record.schema.json" with { type: "json" };
import trustRoot from "../../schemas/rtt.trust-root.schema.json" with { type: "json" };
import trustSeen from "../../schemas/rtt.trust-seen.schema.json" with { type: "json" };
import registryIndex from "../../schemas/rtt.registry-index.schema.json" with { type: "json" };
import casObject from "../../schemas/rtt.cas-object.schema.json" with { type: "json" };
import graph from "../../schemas/rtt.graph.schema.json" with { type: "json" };
import state from "../../schemas/rtt.state.schema.json" with { type: "json" };
import lastApplied from "../../schemas/rtt.last-applied.schema.json" with { type: "json" };
import privateKey from "../../schemas/rtt.private-key.schema.json" with { type: "json" };
import publicKey from "../../schemas/rtt.public-key.schema.json" with { type: "json" };
import bundleIndex from "../../schemas/rtt.bundle-index.schema.json" with { type: "json" };

/** Schemas of the files users write, by short name. */
export const SCHEMAS = {
  panel,
  policy,
  routes,
  symbol,
  agent,
  skill,
  providers,
  plan,
} as const;

/**
 * Schemas of the files only RTT writes (its internal formats), by short
 * name. Read them with {@linkcode readInternalJson}.
 */
export const INTERNAL_SCHEMAS = {
  trustRoot,
  trustSeen,
  registryIndex,
  casObject,
  graph,
  state,
  lastApplied,
  privateKey,
  publicKey,
  bundleIndex,
  walRecord,
} as const;

/** Short name of a schema in {@linkcode SCHEMAS}. */
export type SchemaName = keyof typeof SCHEMAS;

/** Short name of a schema in {@linkcode INTERNAL_SCHEMAS}. */
export type InternalSchemaName = keyof typeof INTERNAL_SCHEMAS;

/** One error Ajv reports (`verbose` mode, so `parentSchema` is set). */
export interface AjvError {
  /** JSON pointer of the offending value. */
  instancePath: string;
  /** Schema keyword that failed. */
  keyword: string;
  /** Keyword parameters (missing property, allowed values...). */
  params: Record<string, unknown>;
  /** Ajv's own message. */
  message?: string;
  /** Schema object holding the keyword. */
  parentSchema?: { description?: string };
}

/** A compiled schema: true when `data` matches; `errors` then says why not. */
export type Validator = ((data: unknown) => boolean) & { errors?: AjvError[] | null };

let ajvPromise: Promise<{ getSchema(id: string): Validator | undefined }> | undefined;
const validators = new Map<SchemaName | InternalSchemaName, Validator>();

/**
 * The Ajv options every validator is compiled with, at run time and by
 * `scripts/gen_validators.ts` (so errors read the same either way).
 */
export const AJV_OPTIONS = { allErrors: true, strict: false, verbose: true } as const;

async function loadAjv() {
  const { default: Ajv } = await import("ajv");
  // The schemas are ours and fixed at build time: checking each against the meta-schema on
  // every start cost ~70 ms, so schemas_test.ts does it once instead.
  // deno-lint-ignore no-explicit-any
  const ajv = new (Ajv as any)({ ...AJV_OPTIONS, validateSchema: false });
  // Added, not compiled: getSchema compiles only what is asked for (and what it refers to).
  for (const schema of [...Object.values(SCHEMAS), ...Object.values(INTERNAL_SCHEMAS)]) {
    ajv.addSchema(schema);
  }
  return ajv;
}

/** Returns the compiled validator of a schema (compiled once per process). */
export async function validatorFor(name: SchemaName | InternalSchemaName): Promise<Validator> {
  let v = validators.get(name);
  if (!v && name in INTERNAL_SCHEMAS) {
    // Compiled ahead of time (scripts/gen_validators.ts): reading an internal file loads no Ajv.
    const generated: Record<string, Validator> = await import("./_internal_validators.ts");
    v = generated[name];
    validators.set(name, v);
  }
  if (!v) {
    ajvPromise ??= loadAjv();
    const ajv = await ajvPromise;
    const schema = name in SCHEMAS
      ? SCHEMAS[name as SchemaName]
      : INTERNAL_SCHEMAS[name as InternalSchemaName];
    v = ajv.getSchema(schema.$id)!;
    validators.set(name, v);
  }
  return v;
}
