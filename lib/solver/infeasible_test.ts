import assert from "node:assert/strict";
import {
  type BlockedRoute,
  blockedRoute,
  formatInfeasible,
  groupInfeasible,
} from "./infeasible.ts";

function blocked(constraint: string, i: number): BlockedRoute {
  return {
    from: `rtt://a/api/s${i}`,
    to: `rtt://b/api/d${i}`,
    constraint,
    message: `a/api/s${i} -> b/api/d${i}: ${constraint}: ...`,
  };
}

Deno.test("groupInfeasible() counts each constraint and keeps its first 3 routes, largest first", () => {
  const reasons = [
    ...Array.from({ length: 1999 }, (_, i) => blocked("latency", i)),
    blocked("acl", 0),
    blocked("caps", 1),
    blocked("acl", 2),
  ];
  const groups = groupInfeasible(reasons);
  assert.deepEqual(
    groups.map((g) => [g.constraint, g.count, g.examples.length]),
    [["latency", 1999, 3], ["acl", 2, 2], ["caps", 1, 1]],
  );
  assert.deepEqual(groups[0].examples, reasons.slice(0, 3));
  assert.deepEqual(groups[1].examples, [reasons[1999], reasons[2001]]);
});

Deno.test("groupInfeasible() takes the number of examples, and gives nothing for nothing", () => {
  const reasons = [blocked("qos", 0), blocked("qos", 1), blocked("fanout", 2), blocked("pins", 3)];
  assert.deepEqual(groupInfeasible([]), []);
  const groups = groupInfeasible(reasons, 1);
  // Equal counts: by constraint name.
  assert.deepEqual(groups.map((g) => [g.constraint, g.count]), [["qos", 2], ["fanout", 1], [
    "pins",
    1,
  ]]);
  assert.deepEqual(groups[0].examples, [reasons[0]]);
});

Deno.test("formatInfeasible() names the constraint first, except latency which leads with the numbers", () => {
  assert.equal(
    formatInfeasible({ kind: "acl", rule: 2, reason: "private" }),
    "acl: denied by policy acl.rules[2] (private)",
  );
  assert.equal(
    formatInfeasible({
      kind: "pins-conflict",
      field: "numa_node",
      first: { pin: 0, value: 1 },
      second: { pin: 3, value: 0 },
    }),
    "pins: policy pins[0] sets numa_node 1 and pins[3] sets numa_node 0",
  );
  assert.equal(
    formatInfeasible({
      kind: "latency",
      budgetMs: 0.02,
      budgetSource: "route qos",
      best: { lane: "shm", p99Us: 31 },
      crossNuma: true,
    }),
    "no lane meets latency_budget_ms=0.02 (route qos); best is shm at predicted p99 0.031 ms (includes cross-NUMA penalty)",
  );
  const lanes = { kind: "lanes", steps: ["a/api/x lanes [shm]", "y lanes [tcp]"] } as const;
  assert.deepEqual(blockedRoute({ from: "rtt://a/api/x", to: "y" }, lanes), {
    from: "rtt://a/api/x",
    to: "y",
    constraint: "lanes",
    message: "a/api/x -> y: lanes: no lane allowed; a/api/x lanes [shm] ∩ y lanes [tcp] is empty",
  });
});
