/**
 * The exact solver: the option choice as a 0-1 integer program solved by
 * HiGHS (npm `highs`, WebAssembly, loaded lazily on first use).
 *
 * Variables `x_i_j` = route i takes option j. Rows: each route takes
 * exactly one option. Objective (lexicographic, integer weights):
 * `sum p99_us * (R + 1) + churn`, so one microsecond of latency always
 * outweighs every possible churn saving. Ties between options of equal
 * (p99, churn) are settled afterwards by the stable option order, so the
 * exact and greedy solvers produce the same plan whenever the optimum is
 * unique up to such ties.
 *
 * @module
 */
import { FailureError } from "../core/mod.ts";
import type { Problem } from "./problem.ts";
import type { Choice } from "./greedy.ts";

/**
 * The part of the loaded HiGHS module the exact solver uses: a narrow view
 * of npm `highs`' own typings, which also describe its legacy and options API.
 */
export interface Highs {
  /**
   * Solves a problem given in CPLEX LP format (see {@linkcode toLpText});
   * `options` are HiGHS options by name. `Status` is HiGHS's model status
   * (`"Optimal"` when solved), `Columns` the value of each variable by name.
   */
  solve(
    lp: string,
    options?: Record<string, unknown>,
  ): {
    Status: string;
    ObjectiveValue: number;
    Columns: Record<string, { Primal: number }>;
  };
}

let highsPromise: Promise<Highs> | undefined;

/** Loads the HiGHS WebAssembly module once per process. */
export function loadHighs(): Promise<Highs> {
  highsPromise ??= (async () => {
    const mod = await import("highs");
    const load = (mod.default ?? mod) as unknown as () => Promise<Highs>;
    return await load();
  })();
  return highsPromise;
}

/** The integer program in CPLEX LP format (exported for tests and debugging). */
export function toLpText(problem: Problem): string {
  const w = problem.routes.length + 1;
  const obj: string[] = [];
  const rows: string[] = [];
  const bins: string[] = [];
  problem.routes.forEach((rp, i) => {
    const vars: string[] = [];
    rp.options.forEach((o, j) => {
      const v = `x_${i}_${j}`;
      bins.push(v);
      vars.push(v);
      obj.push(`+ ${o.p99Us * w + o.churn} ${v}`);
    });
    rows.push(` r${i}: ${vars.join(" + ")} = 1`);
  });
  const wrap = (parts: string[]) => {
    const lines: string[] = [];
    for (let k = 0; k < parts.length; k += 8) lines.push("  " + parts.slice(k, k + 8).join(" "));
    return lines.join("\n");
  };
  return [
    "Minimize",
    ` obj: ${obj.length ? "" : "0 x_none"}`,
    wrap(obj),
    "Subject To",
    ...rows,
    "Binary",
    wrap(bins.length ? bins : ["x_none"]),
    "End",
    "",
  ].join("\n");
}

/**
 * Solves the problem exactly.
 * @throws {FailureError} when HiGHS does not report an optimal solution.
 */
export async function solveExact(problem: Problem): Promise<Choice> {
  if (!problem.routes.length) return [];
  const highs = await loadHighs();
  const r = highs.solve(toLpText(problem), {
    output_flag: false,
    mip_rel_gap: 0,
    mip_abs_gap: 0,
    threads: 1,
  });
  if (r.Status !== "Optimal") {
    throw new FailureError(`The exact solver (HiGHS) ended with status "${r.Status}"`);
  }
  return problem.routes.map((rp, i) => {
    const j = rp.options.findIndex((_, k) => (r.Columns[`x_${i}_${k}`]?.Primal ?? 0) > 0.5);
    if (j < 0) throw new FailureError(`The exact solver (HiGHS) left route ${rp.id} unassigned`);
    // Settle ties by the stable option order (options are sorted best first).
    const chosen = rp.options[j];
    return rp.options.findIndex((o) => o.p99Us === chosen.p99Us && o.churn === chosen.churn);
  });
}
