/**
 * Planner benchmarks: `deno bench -A lib/solver/solver_bench.ts`.
 * Figures go in the issue report; tests never assert times.
 *
 * @module
 */
import { syntheticInput } from "../testing/mod.ts";
import { planRoutes } from "./solve.ts";
import { loadHighs } from "./exact.ts";

const big = syntheticInput({ symbols: 10_000, routes: 20_000, seed: 7 });
const small = syntheticInput({ symbols: 150, routes: 200, seed: 11 });
await loadHighs(); // WASM load (~0.1 s) measured separately from the solve

Deno.bench(
  "greedy: 10,000 symbols + 20,000 routes",
  { group: "size", n: 5, warmup: 1 },
  async () => {
    const r = await planRoutes(big, { solver: "greedy" });
    if (!r.body) throw new Error("synthetic instance unexpectedly infeasible");
  },
);

Deno.bench("exact (HiGHS): 200 routes", { group: "small", n: 10, warmup: 1 }, async () => {
  const r = await planRoutes(small, { solver: "exact" });
  if (!r.body) throw new Error("synthetic instance unexpectedly infeasible");
});

Deno.bench("greedy: 200 routes", { group: "small", baseline: true, n: 10, warmup: 1 }, async () => {
  const r = await planRoutes(small, { solver: "greedy" });
  if (!r.body) throw new Error("synthetic instance unexpectedly infeasible");
});
