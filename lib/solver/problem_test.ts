import assert from "node:assert/strict";
import type { DesiredRoute, Policy, SymbolManifest } from "../config/mod.ts";
import { hashJson, SchemaError } from "../core/mod.ts";
import type { SymbolEntry } from "../symbols/mod.ts";
import { buildProblem, type SolverInput } from "./problem.ts";
import { DEFAULT_LATENCY_MODEL } from "./latency_model.ts";

function sym(saddr: string, extra: Partial<SymbolManifest> = {}, version = "1.0.0"): SymbolEntry {
  const manifest = {
    saddr,
    kind: saddr.split("/")[3],
    version,
    type: { in: ["t.v1"], out: ["t.v1"] },
    ...extra,
  } as SymbolManifest;
  return { saddr, version, hash: hashJson(manifest), file: `${saddr}.json`, manifest };
}

const A = "rtt://a/api/one";
const B = "rtt://b/api/two";
const C = "rtt://c/api/three";

function input(
  routes: DesiredRoute[],
  policy: Policy = {},
  symbols: SymbolEntry[] = [sym(A), sym(B), sym(C)],
  nodes = 1,
): SolverInput {
  return {
    symbols,
    routes,
    policy: { qos: { classes: { interactive: { latency_budget_ms: 1, burst: 10 } } }, ...policy },
    topology: {
      source: "sysfs",
      nodes: Array.from({ length: nodes }, (_, i) => ({ id: i, cpus: [i] })),
    },
    model: DEFAULT_LATENCY_MODEL,
    base: { routes: [] },
  };
}

/** Asserts the single route is feasible (pass) or blocked by `constraint` with a message matching `re`. */
function expectBlocked(inp: SolverInput, constraint: string, re: RegExp): void {
  const p = buildProblem(inp);
  assert.equal(p.blocked.length, 1, JSON.stringify(p.blocked));
  assert.equal(p.blocked[0].constraint, constraint);
  assert.match(p.blocked[0].message, re);
}

function expectFeasible(inp: SolverInput): ReturnType<typeof buildProblem> {
  const p = buildProblem(inp);
  assert.deepEqual(p.blocked, []);
  return p;
}

Deno.test("buildProblem() acl: allow passes, deny wins over allow and names the rule", () => {
  const rules = [
    { effect: "allow" as const, from: "rtt://a/**" },
    { effect: "deny" as const, to: "rtt://b/**", reason: "b is private" },
  ];
  expectFeasible(input([{ from: A, to: C }], { acl: { default: "deny", rules } }));
  expectBlocked(
    input([{ from: A, to: B }], { acl: { default: "allow", rules } }),
    "acl",
    /^a\/api\/one -> b\/api\/two: acl: denied by policy acl\.rules\[1\] \(b is private\)$/,
  );
  expectBlocked(
    input([{ from: B, to: C }], { acl: { default: "deny", rules } }),
    "acl",
    /acl\.default=deny/,
  );
});

Deno.test("buildProblem() type: a common contract passes, none (or a foreign route type) blocks", () => {
  const p = expectFeasible(input([{ from: A, to: B }]));
  assert.equal(p.routes[0].fixed.type, "t.v1");
  expectBlocked(
    input([{ from: A, to: B, type: "x.v1" }]),
    "type",
    /route type x\.v1 is not in a\/api\/one type\.out \[t\.v1\] nor b\/api\/two@1\.0\.0 type\.in \[t\.v1\]/,
  );
  expectBlocked(
    input([{ from: A, to: B }], {}, [sym(A), sym(B, { type: { in: ["u.v1"] } })]),
    "type",
    /no common contract; a\/api\/one type\.out \[t\.v1\] ∩ b\/api\/two@1\.0\.0 type\.in \[u\.v1\] is empty/,
  );
});

Deno.test("buildProblem() version: binds the highest version in the required range, blocks an empty meet", () => {
  const needs = (range: string) => sym(A, { requires: [{ saddr: B, version: range }] });
  const bs = [sym(B, {}, "1.2.0"), sym(B, {}, "2.0.0"), sym(B, {}, "1.9.1")];
  const p = expectFeasible(input([{ from: A, to: B }], {}, [needs("^1.0.0"), ...bs]));
  assert.equal(p.routes[0].fixed.to_version, "1.9.1");
  assert.equal(p.routes[0].fixed.to_hash, bs[2].hash);
  expectBlocked(
    input([{ from: A, to: B }], {}, [needs("^3.0.0"), ...bs]),
    "version",
    /a\/api\/one@1\.0\.0 requires b\/api\/two \^3\.0\.0; available 2\.0\.0, 1\.9\.1, 1\.2\.0/,
  );
});

Deno.test("buildProblem() caps: route caps must be provided, and some need must be met", () => {
  const b = sym(B, { caps: { provides: ["x.read"] } });
  expectFeasible(input([{ from: A, to: B, caps: ["x.read"] }], {}, [sym(A), b]));
  expectBlocked(
    input([{ from: A, to: B, caps: ["x.write"] }], {}, [sym(A), b]),
    "caps",
    /route needs \[x\.write\] but b\/api\/two@1\.0\.0 provides \[x\.read\]/,
  );
  expectFeasible(
    input([{ from: A, to: B }], {}, [sym(A, { caps: { needs: ["x.read", "y"] } }), b]),
  );
  expectBlocked(
    input([{ from: A, to: B }], {}, [sym(A, { caps: { needs: ["y"] } }), b]),
    "caps",
    /a\/api\/one needs \[y\] and b\/api\/two@1\.0\.0 provides none of them/,
  );
});

Deno.test("buildProblem() lanes: intersection of both symbols' lanes and failover lists", () => {
  const syms = [sym(A, { lanes: ["shm", "uds"] }), sym(B, { lanes: ["uds", "tcp"] })];
  const p = expectFeasible(input([{ from: A, to: B }], {}, syms));
  assert.deepEqual(p.routes[0].options.map((o) => o.lane), ["uds"]);
  expectBlocked(
    input([{ from: A, to: B }], { failover: [{ match: { to: B }, lanes: ["tcp"] }] }, syms),
    "lanes",
    /no lane allowed; a\/api\/one lanes \[shm, uds\] ∩ b\/api\/two lanes \[uds, tcp\] ∩ policy failover\[0\] \[tcp\] is empty/,
  );
});

Deno.test("buildProblem() pins: a lane pin is obeyed, an unavailable or conflicting pin blocks", () => {
  const p = expectFeasible(
    input([{ from: A, to: B }], { pins: [{ match: { from: A }, lane: "tcp" }] }, [
      sym(A),
      sym(B),
    ]),
  );
  assert.deepEqual(p.routes[0].options.map((o) => o.lane), ["tcp"]);
  expectBlocked(
    input([{ from: A, to: B }], { pins: [{ match: { from: A }, lane: "shm" }] }, [
      sym(A),
      sym(B, { lanes: ["tcp"] }),
    ]),
    "pins",
    /policy pins\[0\] requires lane shm, not allowed by b\/api\/two lanes \[tcp\]/,
  );
  expectBlocked(
    input([{ from: A, to: B }], {
      pins: [{ match: { from: A }, lane: "shm" }, { match: { symbol: B }, lane: "uds" }],
    }),
    "pins",
    /pins\[0\] sets lane shm and pins\[1\] sets lane uds/,
  );
});

Deno.test("buildProblem() numa: pinned node used, missing node blocks, home nodes cost a crossing", () => {
  const p = expectFeasible(
    input([{ from: A, to: B }], { pins: [{ match: { to: B }, numa_node: 1 }] }, undefined, 2),
  );
  assert.deepEqual([...new Set(p.routes[0].options.map((o) => o.node))], [1]);
  expectBlocked(
    input([{ from: A, to: B }], { pins: [{ match: { to: B }, numa_node: 3 }] }, undefined, 2),
    "numa",
    /pins\[0\] requires numa_node 3, but this machine has node\(s\) 0, 1/,
  );
  // A homed on node 1: placing the route on node 1 avoids the cross-NUMA penalty.
  const h = expectFeasible(
    input([{ from: A, to: B }], { pins: [{ match: { symbol: A }, numa_node: 1 }] }, undefined, 2),
  );
  const best = h.routes[0].options[0];
  assert.equal(best.node, 1);
  const far = h.routes[0].options.find((o) => o.lane === best.lane && o.node === 0)!;
  assert.equal(far.p99Us - best.p99Us, DEFAULT_LATENCY_MODEL.cross_numa_ms * 1000);
});

Deno.test("buildProblem() latency: budget precedence route > caller > class, and the blocking numbers", () => {
  const p = expectFeasible(input([{ from: A, to: B }]));
  assert.equal(p.routes[0].fixed.qos.latency_budget_ms, 1);
  assert.equal(p.routes[0].options[0].lane, "shm");
  const slow = [sym(A, { lanes: ["tcp"], qos: { latency_budget_ms: 0.5 } }), sym(B)];
  assert.equal(
    expectFeasible(input([{ from: A, to: B }], {}, slow)).routes[0].fixed.qos.latency_budget_ms,
    0.5,
  );
  expectBlocked(
    input([{ from: A, to: B, qos: { latency_budget_ms: 0.02 } }], {}, slow),
    "latency",
    /^a\/api\/one -> b\/api\/two: no lane meets latency_budget_ms=0\.02 \(route qos\); best is tcp at predicted p99 0\.128 ms$/,
  );
  expectBlocked(
    input([{ from: A, to: B, class: "nobudget" }]),
    "qos",
    /no latency budget/,
  );
});

Deno.test("buildProblem() fanout: the routes past the limit by stable key are blocked", () => {
  const routes = [{ from: A, to: C, class: "bus" }, { from: A, to: B, class: "bus" }];
  const pol = { qos: { classes: { bus: { latency_budget_ms: 5 } } } };
  expectFeasible(input(routes, { ...pol, fanout: { default_max: 2 } }));
  expectBlocked(
    input(routes, { ...pol, fanout: { default_max: 8, per_symbol: { [A]: 1 } } }),
    "fanout",
    /^a\/api\/one -> c\/api\/three: fanout: 2 routes leave a\/api\/one but policy fanout\.per_symbol\["rtt:\/\/a\/api\/one"\]=1; this is #2 by stable key$/,
  );
});

Deno.test("buildProblem() unique-link: one active non-bus link per caller and class, bus exempt", () => {
  expectFeasible(
    input([{ from: A, to: B, class: "bus" }, { from: A, to: C, class: "bus" }], {
      qos: { classes: { bus: { latency_budget_ms: 5 } } },
    }),
  );
  expectBlocked(
    input([{ from: A, to: C }, { from: A, to: B }]),
    "unique-link",
    /^a\/api\/one -> c\/api\/three: unique-link: class interactive allows one active link per caller and a\/api\/one -> b\/api\/two holds it/,
  );
});

Deno.test("buildProblem() refuses unknown symbols and duplicate routes with file and pointer", () => {
  assert.throws(
    () =>
      buildProblem(
        input([{ from: A, to: B }, { from: A, to: "rtt://x/api/none" }, { from: A, to: B }]),
      ),
    (err: unknown) => {
      assert.ok(err instanceof SchemaError);
      assert.deepEqual(err.problems.map((p) => [p.file, p.pointer]), [
        [".rtt/routes.json", "/routes/1/to"],
        [".rtt/routes.json", "/routes/2"],
      ]);
      assert.match(err.problems[0].message, /unknown symbol "rtt:\/\/x\/api\/none"/);
      return true;
    },
  );
});

Deno.test("buildProblem() refuses two contents for one saddr@version", () => {
  assert.throws(
    () => buildProblem(input([], {}, [sym(A), sym(A, { description: "other" })])),
    /rtt:\/\/a\/api\/one@1\.0\.0 has two different contents/,
  );
});

Deno.test("buildProblem() sizes the token bucket from qps and the class burst", () => {
  const p = expectFeasible(
    input([{ from: A, to: B, qos: { throughput_qps: 250 } }, { from: B, to: C, class: "bulk" }], {
      qos: {
        classes: {
          interactive: { latency_budget_ms: 1, burst: 10 },
          bulk: { latency_budget_ms: 40, throughput_qps: 100 },
        },
      },
    }),
  );
  assert.deepEqual(p.routes.map((r) => r.fixed.bucket), [
    { rate_per_s: 250, burst: 10 },
    { rate_per_s: 100, burst: 4 }, // no class burst: ceil(100 qps * 40 ms)
  ]);
});
