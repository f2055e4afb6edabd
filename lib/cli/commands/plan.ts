import type { Command } from "commander";
import { contextOf } from "../context.ts";
import { EXIT, UsageError } from "../errors.ts";
import { relativePath, type Workspace } from "../../core/mod.ts";
import type { SymbolEntry } from "../../symbols/mod.ts";
import { InputError } from "../../core/mod.ts";

const SOLVERS = ["exact", "greedy", "auto"] as const;

/**
 * The symbols a plan binds. The registry is the source of truth: when its
 * index has entries, every symbol comes from a verified CAS object (hash and
 * trusted signature checked), so the plan pins exactly signed content. A
 * workspace that has not ingested anything yet plans from the scan (same
 * content hashes) and says so.
 */
async function loadPlanSymbols(
  ws: Workspace,
): Promise<{ symbols: SymbolEntry[]; source: "registry" | "scan" }> {
  const registry = await import("../../registry/mod.ts");
  const entries = await registry.readIndex(ws);
  if (entries.length) {
    const policy = await registry.loadSignaturePolicy(ws);
    const symbols = await Promise.all(entries.map(async (e) => ({
      saddr: e.saddr,
      version: e.version,
      hash: e.hash,
      file: relativePath(ws.root, registry.objectPath(ws, e.hash)),
      manifest: (await registry.readObject(ws, e.hash, { policy, expect: e })).manifest,
    })));
    return { symbols, source: "registry" };
  }
  const { loadPanelConfig } = await import("../../config/mod.ts");
  const { scanWorkspace, buildSymbolTable } = await import("../../symbols/mod.ts");
  const scan = await scanWorkspace(ws, await loadPanelConfig(ws));
  if (scan.invalid.length || scan.collisions.length) {
    throw new InputError(
      `Cannot plan: the scan found ${scan.invalid.length} invalid manifest(s) and ${scan.collisions.length} collision(s); run "rtt-deno scan" for details`,
    );
  }
  return { symbols: [...buildSymbolTable(scan.manifests).values()].flat(), source: "scan" };
}

/** `rtt-deno plan` and `rtt-deno plan verify <file>` */
export function registerPlan(program: Command): void {
  const plan = program.command("plan")
    .description(
      "solve routes + policy + symbols + topology into a signed, deterministic plan (stage 40)",
    )
    .option("--solver <name>", "exact (HiGHS MIP), greedy, or auto (by problem size)", "auto")
    .option("--explain", "print each route's lane, placement, predicted p99, budget and why")
    .action(async (opts: { solver: string; explain?: boolean }, cmd: Command) => {
      const ctx = contextOf(cmd);
      if (!(SOLVERS as readonly string[]).includes(opts.solver)) {
        throw new UsageError(
          `Unknown solver "${opts.solver}": expected one of ${SOLVERS.join(", ")}`,
        );
      }
      const ws = ctx.workspace();
      const t0 = performance.now();
      const { loadPanelConfig, loadPolicy, loadRoutes } = await import("../../config/mod.ts");
      const { readCommittedState, sealPlan } = await import("../../graph/mod.ts");
      const solver = await import("../../solver/mod.ts");
      const { keysWithRole, loadKey, loadTrustRoot } = await import("../../security/mod.ts");
      const { VerificationError, writeFileAtomic, writeJsonAtomic, relativePath } = await import(
        "../../core/mod.ts"
      );
      const createdAt = solver.createdAtFrom(Deno.env.get("SOURCE_DATE_EPOCH"));
      const panel = await loadPanelConfig(ws);
      const routes = await loadRoutes(ws);
      const policy = await loadPolicy(ws);
      const { symbols, source: symbolSource } = await loadPlanSymbols(ws);
      if (symbolSource === "scan") {
        ctx.out.warn(
          'the registry is empty: planning from the scanned manifests (run "rtt-deno registry ingest" to plan from signed, verified content)',
        );
      }
      // The base graph must be a consistent committed state: finish or undo an interrupted apply.
      const { recover } = await import("../../reconciler/mod.ts");
      await recover(ws, { hooks: ctx.hooks });
      const [state, topology, model] = await Promise.all([
        readCommittedState(ws),
        solver.readTopology(),
        solver.loadLatencyModel(ws),
      ]);
      const outcome = await solver.planRoutes({
        symbols,
        routes: routes.value.routes,
        policy,
        prefer: panel.routing.prefer,
        topology,
        model,
        base: state.graph,
        routesSource: routes.doc,
      }, { solver: opts.solver as "exact" | "greedy" | "auto", createdAt });

      if (!outcome.body) {
        ctx.setExit(EXIT.failure);
        ctx.out.result({
          ok: false,
          infeasible: outcome.blocked,
          planned: outcome.problem.routes.length,
        });
        for (const b of outcome.blocked) ctx.out.error(b.message);
        ctx.out.line(
          `[40] [ERROR] ${outcome.blocked.length} of ${routes.value.routes.length} route(s) infeasible; no plan written`,
        );
        return;
      }

      // Refuse to write a plan that apply would refuse: the key must be trusted for plans.
      const key = await loadKey(ws);
      const trust = await loadTrustRoot(ws);
      if (!keysWithRole(trust.signed, "plans").includes(key.keyId)) {
        throw new VerificationError(
          `Cannot sign the plan: the default key ${key.keyId} is not trusted for role "plans" in trust root v${trust.signed.version}`,
        );
      }
      const sealed = await sealPlan(outcome.body, key);
      const name = `${sealed.plan_id}.plan.json`;
      await Deno.mkdir(ws.plans, { recursive: true });
      await writeJsonAtomic(`${ws.plans}/${name}`, sealed, { label: "plan" });
      await writeFileAtomic(`${ws.plans}/LATEST`, name + "\n", { label: "plan-latest" });
      const ms = performance.now() - t0;

      const baseIds = new Set(state.graph.routes.map((r) => r.id));
      const replaced = sealed.routes_add.filter((r) => baseIds.has(r.id)).length;
      const added = sealed.routes_add.length - replaced;
      const removed = sealed.routes_del.length - replaced;
      const changedIds = new Set(sealed.order);
      const rows = outcome.problem.routes.map((rp, i) => {
        const o = rp.options[outcome.choice[i]];
        const alt = rp.options.find((x) => x.lane !== o.lane);
        const why = [
          ...rp.notes.slice(0, -1),
          rp.options.length === 1
            ? "only option"
            : `lowest p99 of ${rp.options.length} options${
              alt ? ` (next lane: ${alt.lane} ${alt.p99Us / 1000} ms)` : ""
            }`,
          rp.notes[rp.notes.length - 1],
        ].join("; ");
        return {
          id: rp.id,
          from: rp.fixed.from,
          to: rp.fixed.to,
          type: rp.fixed.type,
          class: rp.fixed.class,
          lane: o.lane,
          numa_node: o.node,
          predicted_p99_ms: o.p99Us / 1000,
          latency_budget_ms: rp.fixed.qos.latency_budget_ms,
          change: !changedIds.has(rp.id) ? "keep" : rp.base ? "replace" : "add",
          why,
        };
      });
      ctx.out.result({
        ok: true,
        plan_id: sealed.plan_id,
        file: relativePath(ws.root, `${ws.plans}/${name}`),
        solver: outcome.solver,
        symbols_source: symbolSource,
        objective: outcome.objective,
        base_graph: sealed.base_graph,
        target_graph: sealed.target_graph,
        routes: outcome.problem.routes.length,
        added,
        replaced,
        removed,
        unchanged: outcome.problem.routes.length - added - replaced,
        batches: sealed.batches.length,
        elapsed_ms: Math.round(ms),
        explain: opts.explain ? rows : undefined,
      });
      ctx.out.line(
        `[40] [INFO] Planned ${outcome.problem.routes.length} route(s) with the ${outcome.solver} solver: +${added} added, ~${replaced} replaced, -${removed} removed, ${sealed.batches.length} batch(es) in ${
          ms.toFixed(0)
        } ms`,
      );
      ctx.out.line(
        `[40] [INFO] Wrote ${relativePath(ws.root, `${ws.plans}/${name}`)} (signed ${
          sealed.sign!.key_id
        }; plans/LATEST updated)`,
      );
      if (opts.explain) {
        ctx.out.table(
          ["ROUTE", "LANE", "NODE", "P99_MS", "BUDGET_MS", "CHANGE", "WHY"],
          rows.map((r) => [
            `${r.from.slice(6)} -> ${r.to.slice(6)}`,
            r.lane,
            r.numa_node,
            r.predicted_p99_ms,
            r.latency_budget_ms,
            r.change,
            r.why,
          ]),
        );
        ctx.out.note(
          `symbols: ${symbolSource} (${symbols.length}); latency model: ${model.source}; topology: ${topology.nodes.length} NUMA node(s) (${topology.source})`,
        );
      }
    });

  plan.command("verify")
    .description("check a plan's schema, plan_id and signature against the trust root")
    .argument("<file>", "plan file (plans/<plan_id>.plan.json)")
    .action(async (file: string, _opts: unknown, cmd: Command) => {
      const ctx = contextOf(cmd);
      const ws = ctx.workspace();
      const { readPlan } = await import("../../graph/mod.ts");
      const { resolvePath } = await import("../../core/mod.ts");
      const p = await readPlan(ws, resolvePath(file));
      ctx.out.result({
        ok: true,
        plan_id: p.plan_id,
        key_id: p.sign?.key_id,
        base_graph: p.base_graph,
        target_graph: p.target_graph,
        routes_add: p.routes_add.length,
        routes_del: p.routes_del.length,
        batches: p.batches.length,
      });
      ctx.out.line(
        `[40] [INFO] Plan ${p.plan_id} verified: schema, plan_id and signature by ${p.sign?.key_id} (trusted for plans)`,
      );
    });
}
