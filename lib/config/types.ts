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
  /** Format version of this file; only 1 exists. */
  version?: 1;
  /** Control API: the Unix socket (inside `.rtt/sockets/`) or Windows pipe it listens on. */
  api: { listen: { unix: string; npipe?: string } };
  /** What `scan` walks: folders relative to the workspace root, and globs to skip. */
  scan: { roots: string[]; ignore: string[] };
  /** Lanes in order of preference; links are rewired make-before-break (must be true). */
  routing: { prefer: Lane[]; rewire_atomic?: true };
  /** Signature policy. */
  security: {
    /** Refuse unsigned manifests and manifests no trusted key signed. */
    strict_manifests: boolean;
    /** Saddr globs whose manifests may be unsigned even in strict mode. */
    allow_unsigned?: string[];
    /** Let `apply --no-verify` apply an unsigned or untrusted plan (loudly reported). */
    allow_unsigned_plans?: boolean;
  };
  /** Heartbeat period, and the breaker that trips after `errors` errors within `window_ms`. */
  health: { heartbeat_ms: number; trip_threshold: { errors: number; window_ms: number } };
  /** Apply's SLO verify window after commit and the participants' vote timeout (ms). */
  apply?: { verify_window_ms?: number; prepare_timeout_ms?: number };
}

/** Selects routes by saddr globs. */
export interface RouteSelector {
  /** Glob over the caller saddr. */
  from?: string;
  /** Glob over the callee saddr. */
  to?: string;
  /** Glob matching either end of a route. */
  symbol?: string;
}

/** QoS budget of a traffic class. */
export interface ClassQos {
  /** Largest acceptable predicted p99, in milliseconds. */
  latency_budget_ms?: number;
  /** Default expected messages per second. */
  throughput_qps?: number;
  /** Token bucket burst size, in messages. */
  burst?: number;
}

/** `.rtt/policy.json` */
export interface Policy {
  /** Allow/deny rules over saddr globs; deny wins, `default` decides when none matches. */
  acl?: {
    default: "allow" | "deny";
    rules?: Array<{ effect: "allow" | "deny"; from?: string; to?: string; reason?: string }>;
  };
  /** Fixed lane and/or NUMA node for the routes a selector matches. */
  pins?: Array<{ match: RouteSelector; lane?: Lane; numa_node?: number }>;
  /** Largest number of routes leaving one caller, by default and per saddr. */
  fanout?: { default_max?: number; per_symbol?: Record<string, number> };
  /** Alternative lanes, in order, for routes whose preferred lane cannot meet the constraints. */
  failover?: Array<{ match: RouteSelector; lanes: Lane[] }>;
  /** QoS defaults per traffic class. */
  qos?: { classes?: Record<string, ClassQos> };
}

/** One desired route in `.rtt/routes.json`. */
export interface DesiredRoute {
  /** Caller saddr `rtt://<namespace>/<kind>/<name>`. */
  from: string;
  /** Callee saddr. */
  to: string;
  /** Preferred lane, used when it meets every constraint. */
  lane?: Lane;
  /** Traffic class (default: the caller's `qos.class`); `bus` allows several active links. */
  class?: string;
  /** Contract carried; must be in from's `type.out` and to's `type.in` (default: first common). */
  type?: string;
  /** Capabilities the route needs; each must be in to's `caps.provides`. */
  caps?: string[];
  /** Overrides of the caller manifest's and the policy class's QoS. */
  qos?: { latency_budget_ms?: number; throughput_qps?: number };
}

/** `.rtt/routes.json` */
export interface RoutesFile {
  /** Desired routes; a (from, to) pair appears once. */
  routes: DesiredRoute[];
}

/** A symbol manifest (symbol, agent or skill). */
export interface SymbolManifest {
  /** Symbol address `rtt://<namespace>/<kind>/<name>`; the kind segment equals `kind`. */
  saddr: string;
  /** api, bus, hook, extension, service, tool, agent, skill or contract. */
  kind: string;
  /** Semantic version. */
  version: string;
  /** One line for humans. */
  description?: string;
  /** Dependencies, each with an npm-style semver range; a missing optional one is a note. */
  requires?: Array<{ saddr: string; version: string; optional?: boolean }>;
  /** Contracts accepted (`in`) and emitted (`out`); a route needs A.out and B.in to share one. */
  type?: { in?: string[]; out?: string[] };
  /** Capabilities offered to callers (`provides`) and required from callees (`needs`). */
  caps?: { provides?: string[]; needs?: string[] };
  /** Lanes the symbol can be reached over (default all three). */
  lanes?: Lane[];
  /** QoS the symbol asks for as a caller. */
  qos?: { latency_budget_ms?: number; throughput_qps?: number; class?: string };
  /** Connector driver module (relative to the manifest) and its sandbox grants. */
  driver?: { module: string; permissions?: Record<string, string[]> };
  /** Free-form string labels. */
  labels?: Record<string, string>;
  /** Author's signature (domain `manifest`) over the manifest without this field. */
  sign?: { alg: "ed25519"; key_id: string; sig: string };
  /** Agent details, required when `kind` is agent (`schemas/rtt.agent.schema.json`). */
  agent?: Record<string, unknown>;
  /** Skill details, required when `kind` is skill (`schemas/rtt.skill.schema.json`). */
  skill?: Record<string, unknown>;
  /** Fields the schema allows beyond these. */
  [extra: string]: unknown;
}

/** `providers/providers.yaml` */
export interface ProvidersFile {
  /** Format version; only 1 exists. */
  version?: 1;
  /** Providers by short name (claude, cursor, codex, ...). */
  providers: Record<string, {
    /** The provider's config folder, relative to the workspace (e.g. `.claude`). */
    root: string;
    /** Folder under `root` where agent files are projected. */
    agents_dir?: string;
    /** MCP config file under `root`. */
    mcp_config?: string;
    /** How agents are rendered for this provider. */
    format?: "markdown-frontmatter" | "json" | "toml";
    /** Projection on or off. */
    enabled?: boolean;
  }>;
}
