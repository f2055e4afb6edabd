/**
 * `auto`: the stages 00 init, 10 scan, 20 doctor, 30 registry (ingest +
 * verify), 40 plan and 50 apply, run in order through the same use cases the
 * single commands call, stopping at the first stage that fails. Each stage's
 * report reaches the caller as soon as the stage ends, so a person watching
 * sees the pipeline move.
 *
 * @example
 * ```ts
 * import { workspaceAt } from "../core/mod.ts";
 * import { runPipeline } from "./run_pipeline.ts";
 * const report = await runPipeline(workspaceAt("."), { sign: true }, {
 *   onStage: (s) => console.log(s.stage, s.name, s.exit_code),
 * });
 * ```
 *
 * @module
 */
import { EXIT, RttError, type Workspace } from "../core/mod.ts";
import { diagnose, type DiagnoseReport } from "./doctor.ts";
import { ingest, type IngestReport } from "./ingest.ts";
import { type InitReport, initWorkspace } from "./init.ts";
import { verifyRegistry, type VerifyRegistryReport } from "./registry.ts";
import { type ScanReport, scanWorkspace } from "./scan.ts";
import type { ApplyReport } from "./apply_plan.ts";
import type { PlanReport, PlanWorkspaceOptions } from "./plan_workspace.ts";
import type { OnEvent, TransactionOptions } from "./stage_event.ts";

/** Options for {@linkcode runPipeline}. */
export interface PipelineOptions extends Pick<TransactionOptions, "hooks" | "participants"> {
  /** Stage 30 vouches for unsigned manifests with the default key. */
  sign?: boolean;
  /** Stage 40's solver (default auto). */
  solver?: PlanWorkspaceOptions["solver"];
  /** SOURCE_DATE_EPOCH for the plan's `created_at`. */
  sourceDateEpoch?: string;
  /** Stage 50 verifies the plan and reports the delta without applying. */
  dryRun?: boolean;
}

/** The stages, in order. */
export const PIPELINE_STAGES = [
  { stage: "00", name: "init" },
  { stage: "10", name: "scan" },
  { stage: "20", name: "doctor" },
  { stage: "30", name: "registry" },
  { stage: "40", name: "plan" },
  { stage: "50", name: "apply" },
] as const;

/** A stage number. */
export type StageId = typeof PIPELINE_STAGES[number]["stage"];

/** What one stage's use cases returned (absent where the stage stopped early). */
export interface StageReports {
  /** Stage 00. */
  init?: InitReport;
  /** Stage 10. */
  scan?: ScanReport;
  /** Stage 20. */
  doctor?: DiagnoseReport;
  /** Stage 30, first step. */
  ingest?: IngestReport;
  /** Stage 30, second step. */
  verify?: VerifyRegistryReport;
  /** Stage 40. */
  plan?: PlanReport;
  /** Stage 50. */
  apply?: ApplyReport;
}

/** One stage's outcome. */
export interface StageResult {
  /** Stage number. */
  stage: StageId;
  /** Stage name. */
  name: string;
  /** 0 when the stage succeeded, else the exit code its command would give. */
  exit_code: number;
  /** The reports of the stage's use cases, in the order they ran. */
  reports: StageReports;
  /** The error that stopped the stage, when one did. */
  error?: RttError;
}

/** What {@linkcode runPipeline} did. */
export interface PipelineReport {
  /** Every stage succeeded. */
  ok: boolean;
  /** 0, or the failed stage's exit code. */
  exit_code: number;
  /** The stage that failed (null when none did). */
  failed_stage: StageId | null;
  /** Wall time of the whole run. */
  elapsed_ms: number;
  /** The stages that ran, the failed one last. */
  stages: StageResult[];
}

/** Callbacks of {@linkcode runPipeline}. */
export interface PipelineCallbacks {
  /** Called as each stage ends, before the next starts. */
  onStage?: (result: StageResult) => void;
  /** Progress events of the running stage. */
  onEvent?: (stage: StageId, ...event: Parameters<OnEvent>) => void;
  /** Scan progress (files done, total) in stages 10 and 20. */
  onScanProgress?: (stage: StageId, done: number, total: number) => void;
}

type StageRun = (reports: StageReports) => Promise<number>;

/**
 * Runs stages 00 to 50 on `ws`. A stage that throws one of the error family
 * ends the pipeline with that error's exit code; any other error is a bug and
 * propagates.
 */
export async function runPipeline(
  ws: Workspace,
  options: PipelineOptions = {},
  callbacks: PipelineCallbacks = {},
): Promise<PipelineReport> {
  const t0 = performance.now();
  const stages: StageResult[] = [];
  for (const { stage, name } of PIPELINE_STAGES) {
    const reports: StageReports = {};
    const result: StageResult = { stage, name, exit_code: 0, reports };
    try {
      result.exit_code = await stageRuns(ws, options, callbacks, stage)(reports);
    } catch (err) {
      if (!(err instanceof RttError)) throw err;
      result.exit_code = err.exitCode;
      result.error = err;
    }
    stages.push(result);
    callbacks.onStage?.(result);
    if (result.exit_code !== 0) {
      return report(t0, stages, result);
    }
  }
  return report(t0, stages, null);
}

function report(t0: number, stages: StageResult[], failed: StageResult | null): PipelineReport {
  return {
    ok: failed === null,
    exit_code: failed?.exit_code ?? 0,
    failed_stage: failed?.stage ?? null,
    elapsed_ms: Math.round(performance.now() - t0),
    stages,
  };
}

function stageRuns(
  ws: Workspace,
  options: PipelineOptions,
  callbacks: PipelineCallbacks,
  stage: StageId,
): StageRun {
  const onEvent: OnEvent = (e) => callbacks.onEvent?.(stage, e);
  const onProgress = (done: number, total: number) =>
    callbacks.onScanProgress?.(stage, done, total);
  const { hooks, participants } = options;
  const runs: Record<StageId, StageRun> = {
    "00": async (r) => {
      r.init = await initWorkspace(ws, { hooks });
      return EXIT.ok;
    },
    "10": async (r) => {
      r.scan = await scanWorkspace(ws, { onProgress, onEvent });
      return r.scan.ok ? EXIT.ok : EXIT.dataErr;
    },
    "20": async (r) => {
      r.doctor = await diagnose(ws, { onProgress });
      return r.doctor.kind === "invalid-input" ? EXIT.dataErr : r.doctor.exitCode;
    },
    "30": async (r) => {
      r.ingest = await ingest(ws, { sign: options.sign, hooks, onEvent });
      r.verify = await verifyRegistry(ws);
      return r.verify.ok ? EXIT.ok : EXIT.refused;
    },
    "40": async (r) => {
      const { planWorkspace } = await import("./plan_workspace.ts");
      r.plan = await planWorkspace(ws, {
        solver: options.solver,
        sourceDateEpoch: options.sourceDateEpoch,
        hooks,
        onEvent,
      });
      return r.plan.ok ? EXIT.ok : EXIT.failure;
    },
    "50": async (r) => {
      const { applyPlan } = await import("./apply_plan.ts");
      r.apply = await applyPlan(ws, { dryRun: options.dryRun, hooks, participants, onEvent });
      return r.apply.dry_run || ["applied", "noop"].includes(r.apply.result.status)
        ? EXIT.ok
        : EXIT.failure;
    },
  };
  return runs[stage];
}
