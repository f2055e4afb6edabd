/**
 * Typed shapes of the workspace configuration files. The JSON Schemas in
 * `schemas/` are the contract; these types mirror them.
 *
 * @module
 */

import type { Lane } from "../core/mod.ts";

// Configuration names lanes in many places; the one list is in core.
export { type Lane, LANES } from "../core/mod.ts";

/** `.rtt/panel.yaml` */
export interface PanelConfig {
  version?: 1;
  api: { listen: { unix: string; npipe?: string } };
  scan: { roots: string[]; ignore: string[] };
  routing: { prefer: Lane[]; rewire_atomic?: true };
  security: {
    strict_manifests: boolean;
    allow_unsigned?: string[];
    allow_unsigned_plans?: boolean;
  };
  health: { heartbeat_ms: number; trip_threshold: { errors: number; window_ms: number } };
  apply?: { verify_window_ms?: number; prepare_timeout_ms?: number };
}

/** Selects routes by saddr globs. */
export interface RouteSelector {
  from?: string;
  to?: string;
  symbol?: string;
}

/** QoS budget of a traffic class. */
export interface ClassQos {
  latency_budget_ms?: number;
  throughput_qps?: number;
  burst?: number;
}

/** `.rtt/policy.json` */
export interface Policy {
  acl?: {
    default: "allow" | "deny";
    rules?: Array<{ effect: "allow" | "deny"; from?: string; to?: string; reason?: string }>;
  };
  pins?: Array<{ match: RouteSelector; lane?: Lane; numa_node?: number }>;
  fanout?: { default_max?: number; per_symbol?: Record<string, number> };
  failover?: Array<{ match: RouteSelector; lanes: Lane[] }>;
  qos?: { classes?: Record<string, ClassQos> };
}

/** One desired route in `.rtt/routes.json`. */
export interface DesiredRoute {
  from: string;
  to: string;
  lane?: Lane;
  class?: string;
  type?: string;
  caps?: string[];
  qos?: { latency_budget_ms?: number; throughput_qps?: number };
}

/** `.rtt/routes.json` */
export interface RoutesFile {
  routes: DesiredRoute[];
}

/** A symbol manifest (symbol, agent or skill). */
export interface SymbolManifest {
  saddr: string;
  kind: string;
  version: string;
  description?: string;
  requires?: Array<{ saddr: string; version: string; optional?: boolean }>;
  type?: { in?: string[]; out?: string[] };
  caps?: { provides?: string[]; needs?: string[] };
  lanes?: Lane[];
  qos?: { latency_budget_ms?: number; throughput_qps?: number; class?: string };
  driver?: { module: string; permissions?: Record<string, string[]> };
  labels?: Record<string, string>;
  sign?: { alg: "ed25519"; key_id: string; sig: string };
  agent?: Record<string, unknown>;
  skill?: Record<string, unknown>;
  [extra: string]: unknown;
}

/** `providers/providers.yaml` */
export interface ProvidersFile {
  version?: 1;
  providers: Record<string, {
    root: string;
    agents_dir?: string;
    mcp_config?: string;
    format?: "markdown-frontmatter" | "json" | "toml";
    enabled?: boolean;
  }>;
}
