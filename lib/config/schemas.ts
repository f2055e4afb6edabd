/**
 * The JSON Schemas of every file users or RTT write, imported as modules so
 * they are embedded in the compiled binary.
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

/** Schemas by short name. */
export const SCHEMAS = {
  panel,
  policy,
  routes,
  symbol,
  agent,
  skill,
  providers,
  plan,
  "wal-record": walRecord,
} as const;

/** Short name of a schema in {@linkcode SCHEMAS}. */
export type SchemaName = keyof typeof SCHEMAS;
