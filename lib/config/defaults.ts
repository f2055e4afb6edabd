/**
 * Default contents of the configuration files `init` writes.
 *
 * @module
 */

/** Default `.rtt/panel.yaml`. */
export const DEFAULT_PANEL_YAML = `# RTT panel configuration. Schema: schemas/rtt.panel.schema.json
version: 1
api:
  listen:
    unix: ./.rtt/sockets/panel.sock
scan:
  roots: [.rtt/manifests, agents, skills, providers]
  ignore: ["**/node_modules/**", "**/.git/**"]
routing:
  prefer: [shm, uds, tcp]
  rewire_atomic: true
security:
  strict_manifests: true
  allow_unsigned: []
  allow_unsigned_plans: false
health:
  heartbeat_ms: 250
  trip_threshold: { errors: 5, window_ms: 10000 }
apply:
  verify_window_ms: 200
  prepare_timeout_ms: 5000
`;

/** Default `.rtt/policy.json`. */
export const DEFAULT_POLICY = {
  acl: { default: "allow", rules: [] },
  pins: [],
  fanout: { default_max: 16 },
  failover: [],
  qos: {
    classes: {
      interactive: { latency_budget_ms: 1, throughput_qps: 1000, burst: 100 },
      bulk: { latency_budget_ms: 50, throughput_qps: 100, burst: 1000 },
      bus: { latency_budget_ms: 5, throughput_qps: 5000, burst: 500 },
    },
  },
};

/** Default `.rtt/routes.json`. */
export const DEFAULT_ROUTES = { routes: [] };
