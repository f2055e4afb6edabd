import assert from "node:assert/strict";
import fc from "fast-check";
import type { Lane } from "../config/mod.ts";
import { applyDelta, graphHash, normalizeGraph } from "../graph/mod.ts";
import { syntheticInput } from "../testing/mod.ts";
import { buildProblem, type SolverInput } from "./problem.ts";
import { solveExact } from "./exact.ts";
import { solveGreedy } from "./greedy.ts";
import { createdAtFrom, objectiveOf, plannedRoutes } from "./plan_builder.ts";
import { pickSolver, planRoutes } from "./solve.ts";
import { UsageError } from "../core/mod.ts";

const LANE_SETS: Lane[][] = [["shm", "uds", "tcp"], ["uds", "tcp"], ["shm", "uds"], ["tcp"], [
  "shm",
]];

/** A small random instance; about half of them plan against a committed graph. */
const instance = fc.record({
  seed: fc.integer({ min: 1, max: 1_000_000 }),
  symbols: fc.integer({ min: 2, max: 8 }),
  routes: fc.integer({ min: 1, max: 10 }),
  nodes: fc.integer({ min: 1, max: 3 }),
  lanes: fc.array(fc.integer({ min: 0, max: LANE_SETS.length - 1 }), {
    minLength: 8,
    maxLength: 8,
  }),
  homes: fc.array(fc.option(fc.integer({ min: 0, max: 2 })), { minLength: 8, maxLength: 8 }),
  withBase: fc.boolean(),
});

type Instance = typeof instance extends fc.Arbitrary<infer T> ? T : never;

async function makeInput(x: Instance): Promise<SolverInput> {
  const maxRoutes = (x.symbols * (x.symbols - 1)) / 2;
  const inp = syntheticInput({
    symbols: x.symbols,
    routes: Math.min(x.routes, maxRoutes),
    seed: x.seed,
    nodes: x.nodes,
  });
  inp.symbols.forEach((s, i) => (s.manifest.lanes = LANE_SETS[x.lanes[i]]));
  inp.policy.pins = inp.symbols.flatMap((s, i) =>
    x.homes[i] === null || x.homes[i]! >= x.nodes
      ? []
      : [{ match: { symbol: s.saddr }, numa_node: x.homes[i]! }]
  );
  inp.policy.failover = [];
  if (x.withBase) {
    // Commit a plan made with the nodes reversed and a slower shm, so the new plan has churn ties.
    const prev = await planRoutes({
      ...inp,
      model: {
        ...inp.model,
        lanes: { ...inp.model.lanes, shm: { base_p99_ms: 0.07, per_kib_ms: 0 } },
      },
      topology: { ...inp.topology, nodes: [...inp.topology.nodes].reverse() },
    }, { solver: "greedy" });
    if (prev.body) inp.base = applyDelta({ routes: [] }, prev.body);
  }
  return inp;
}

/** Exhaustive minimum of (latency, churn) for tiny problems: an independent check of optimality. */
function bruteForce(p: ReturnType<typeof buildProblem>): [number, number] {
  let best: [number, number] = [Infinity, Infinity];
  const walk = (i: number, lat: number, churn: number) => {
    if (i === p.routes.length) {
      if (lat < best[0] || (lat === best[0] && churn < best[1])) best = [lat, churn];
      return;
    }
    for (const o of p.routes[i].options) walk(i + 1, lat + o.p99Us, churn + o.churn);
  };
  walk(0, 0, p.removed.length);
  return best;
}

Deno.test("solveExact() and solveGreedy() reach the same optimal objective on random small instances", async () => {
  await fc.assert(
    fc.asyncProperty(instance, async (x) => {
      const p = buildProblem(await makeInput(x));
      const g = objectiveOf(p, solveGreedy(p));
      const e = objectiveOf(p, await solveExact(p));
      assert.deepEqual(e, g);
      if (p.routes.reduce((n, r) => n * r.options.length, 1) <= 20_000) {
        assert.deepEqual([g.latency_us, g.churn], bruteForce(p));
      }
    }),
    { numRuns: 60 },
  );
});

Deno.test("planRoutes() gives the same plan body whatever the order of routes and symbols", async () => {
  await fc.assert(
    fc.asyncProperty(instance, fc.integer(), async (x, shuffleSeed) => {
      const inp = await makeInput(x);
      const a = await planRoutes(inp, { solver: "greedy" });
      const shuffled = {
        ...inp,
        routes: fc.sample(fc.shuffledSubarray([...inp.routes], { minLength: inp.routes.length }), {
          seed: shuffleSeed,
          numRuns: 1,
        })[0],
        symbols: [...inp.symbols].reverse(),
      };
      const b = await planRoutes(shuffled, { solver: "greedy" });
      assert.deepEqual(b.body, a.body);
    }),
    { numRuns: 30 },
  );
});

Deno.test("planRoutes() re-planning after one route changes touches only that route", async () => {
  const inp = syntheticInput({ symbols: 300, routes: 600, seed: 5 });
  const first = await planRoutes(inp, { solver: "greedy" });
  const committed = applyDelta({ routes: [] }, first.body!);
  const same = await planRoutes({ ...inp, base: committed }, { solver: "greedy" });
  assert.deepEqual([same.body!.routes_add, same.body!.routes_del, same.body!.order], [[], [], []]);
  assert.equal(same.body!.target_graph, graphHash(committed));

  const routes = inp.routes.map((r) => ({ ...r }));
  const changed = routes.findIndex((r) => r.lane === undefined);
  routes[changed].qos = { latency_budget_ms: 4 };
  const removed = routes.splice(changed + 1, 1)[0];
  const next = await planRoutes({ ...inp, routes, base: committed }, { solver: "exact" });
  assert.deepEqual(next.body!.routes_add.map((r) => [r.from, r.to]), [[
    routes[changed].from,
    routes[changed].to,
  ]]);
  assert.deepEqual(
    next.body!.routes_del.map((r) => [r.from, r.to]).sort(),
    [[removed.from, removed.to], [routes[changed].from, routes[changed].to]].sort(),
  );
  assert.equal(next.objective.churn, 2);
});

Deno.test("planRoutes() orders a callee's own links before its callers' and batches without conflicts", async () => {
  const inp = syntheticInput({ symbols: 3, routes: 0, seed: 1, nodes: 1 });
  const [a, b, c] = inp.symbols.map((s) => s.saddr);
  inp.routes = [{ from: a, to: b, class: "bus" }, { from: b, to: c, class: "bus" }, {
    from: a,
    to: c,
    class: "bus",
  }];
  inp.policy.failover = [];
  const r = await planRoutes(inp, { solver: "greedy" });
  const body = r.body!;
  const byId = new Map(body.routes_add.map((x) => [x.id, x]));
  const pos = new Map(body.order.map((id, i) => [id, i]));
  // Every batch is conflict-free: no shared caller, no caller that is another's callee.
  for (const batch of body.batches) {
    const rs = batch.map((id) => byId.get(id)!);
    for (const x of rs) {
      for (const y of rs) {
        if (x === y) continue;
        assert.notEqual(x.from, y.from);
        assert.notEqual(x.to, y.from);
      }
    }
  }
  assert.deepEqual(body.batches.flat(), body.order);
  const idOf = (f: string, t: string) =>
    body.routes_add.find((x) => x.from === f && x.to === t)!.id;
  assert.ok(pos.get(idOf(b, c))! < pos.get(idOf(a, b))!, "b -> c is up before a -> b");
  assert.ok(body.batches.length >= 2);
  // A cycle still yields a complete order.
  inp.routes = [...inp.routes, { from: c, to: a, class: "bus" }];
  const cyc = (await planRoutes(inp, { solver: "greedy" })).body!;
  assert.equal(new Set(cyc.order).size, 4);
});

Deno.test("pickSolver() auto uses exact for small problems and greedy for large ones", () => {
  const small = buildProblem(syntheticInput({ symbols: 50, routes: 40, seed: 2 }));
  const large = buildProblem(syntheticInput({ symbols: 2000, routes: 3000, seed: 2 }));
  assert.equal(pickSolver(small, "auto"), "exact");
  assert.equal(pickSolver(large, "auto"), "greedy");
  assert.equal(pickSolver(small, "greedy"), "greedy");
});

Deno.test("plannedRoutes() places a route on its node's CPUs", () => {
  const p = buildProblem(syntheticInput({ symbols: 4, routes: 2, seed: 9, nodes: 2 }));
  for (const r of plannedRoutes(p, solveGreedy(p))) {
    assert.deepEqual(r.placement.cpus, [2 * r.placement.numa_node, 2 * r.placement.numa_node + 1]);
  }
});

Deno.test("createdAtFrom() uses SOURCE_DATE_EPOCH, else the epoch, and refuses garbage", () => {
  assert.equal(createdAtFrom(undefined), "1970-01-01T00:00:00Z");
  assert.equal(createdAtFrom("1700000000"), "2023-11-14T22:13:20Z");
  assert.throws(() => createdAtFrom("yesterday"), UsageError);
});

Deno.test("assemblePlan() lists the target graph in normalized order", async () => {
  const inp = syntheticInput({ symbols: 40, routes: 120, seed: 4 });
  const r = await planRoutes(inp, { solver: "greedy" });
  const target = applyDelta({ routes: [] }, r.body!);
  assert.deepEqual(target, normalizeGraph(target));
  assert.deepEqual(
    r.body!.routes_add.map((x) => x.id).sort(),
    target.routes.map((x) => x.id).sort(),
  );
  assert.equal(r.body!.target_graph, graphHash({ routes: plannedRoutes(r.problem, r.choice) }));
});
