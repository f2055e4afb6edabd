import type { Command } from "commander";
import { contextOf } from "../context.ts";
import { UsageError } from "../errors.ts";
import { relativePath } from "../../core/mod.ts";

function detail(type: string, p: Record<string, unknown>): string {
  const short = (
    h: unknown,
  ) => (typeof h === "string" ? h.replace(/^sha256[:-]/, "").slice(0, 12) : "-");
  switch (type) {
    case "begin":
      return `${p.kind} ${p.plan_id ? `plan ${short(p.plan_id)} ` : ""}${short(p.base_graph)} -> ${
        short(p.target_graph)
      }, ${p.batches} batch(es), participants ${(p.participants as string[]).join(",")}` +
        (p.to_seq !== undefined ? `, to seq ${p.to_seq}` : "") +
        (p.unverified ? ", UNVERIFIED" : "");
    case "prepare":
      return `batch ${Number(p.batch) + 1}: +${(p.add as string[]).length} -${
        (p.del as string[]).length
      }`;
    case "vote":
      return `batch ${Number(p.batch) + 1}: ${p.participant} ${p.vote}${
        p.reason ? ` (${p.reason})` : ""
      }`;
    case "batch-commit":
      return `batch ${Number(p.batch) + 1}`;
    case "canary":
    case "verify":
      return p.ok
        ? `healthy (${p.checks} checks, ${p.window_ms} ms)`
        : `BREACH ${(p.breach as { participant: string; detail: string }).participant}: ${
          (p.breach as { detail: string }).detail
        }`;
    case "commit":
      return `${p.kind} -> ${short(p.graph_hash)} (${p.routes} routes)`;
    case "end":
      return `state seq ${p.seq} ${short(p.graph_hash)}`;
    case "rollback":
      return p.recovered
        ? `recovery: batches ${(p.batches as number[]).map((b) => b + 1).join(",")}`
        : `batch ${Number(p.batch) + 1}`;
    case "abort":
      return `${p.step}${p.participant ? ` ${p.participant}` : ""}: ${p.reason}`;
    default:
      return "";
  }
}

/** `rtt-deno wal verify|log` */
export function registerWal(program: Command): void {
  const wal = program.command("wal").description("inspect the write-ahead log");
  wal.command("verify")
    .description(
      "check the WAL hash chain end to end and that the committed state matches it (exit 77 on corruption)",
    )
    .action(async (_opts: unknown, cmd: Command) => {
      const ctx = contextOf(cmd);
      const ws = ctx.workspace();
      const { scanWal, lastTransaction } = await import("../../reconciler/mod.ts");
      const { readCommittedState } = await import("../../graph/mod.ts");
      const scan = await scanWal(ws);
      const file = relativePath(ws.root, scan.path);
      const state = await readCommittedState(ws);
      const ends = scan.records.filter((r) => r.type === "end");
      const lastEnd = ends.at(-1)?.payload as { seq: number; graph_hash: string } | undefined;
      const last = lastTransaction(scan.records);
      const unfinished = !!last && !last.some((r) => r.type === "end" || r.type === "abort");
      const stateMatches = lastEnd
        ? lastEnd.seq === state.seq && lastEnd.graph_hash === state.graph_hash
        : state.seq === 0;
      if (!unfinished && !stateMatches) {
        const { VerificationError } = await import("../../core/mod.ts");
        throw new VerificationError(
          `Committed state (seq ${state.seq}, ${state.graph_hash}) does not match the WAL's last END ` +
            `(${
              lastEnd
                ? `seq ${lastEnd.seq}, ${lastEnd.graph_hash}`
                : "none: nothing was ever committed"
            })`,
        );
      }
      const result = {
        ok: true,
        file,
        records: scan.records.length,
        first_seq: scan.records[0]?.seq ?? null,
        last_seq: scan.records.at(-1)?.seq ?? null,
        head: scan.records.at(-1)?.sum ?? null,
        torn: scan.torn,
        unfinished_txn: unfinished ? last![0].txn : null,
        state: { seq: state.seq, graph_hash: state.graph_hash, matches_wal: stateMatches },
      };
      ctx.out.result(result);
      ctx.out.line(
        `WAL ${file}: ${scan.records.length} record(s)${
          scan.records.length
            ? `, seq ${result.first_seq}..${result.last_seq}, head ${result.head}`
            : ""
        }; hash chain OK`,
      );
      if (scan.torn) {
        ctx.out.warn(
          `torn last record (${scan.torn.bytes} bytes at byte ${scan.torn.offset}: ${scan.torn.reason}); ` +
            `it is ignored, and recovery drops it`,
        );
      }
      if (unfinished) {
        ctx.out.warn(`transaction ${last![0].txn} is unfinished; "rtt-deno recover" resolves it`);
      } else {
        ctx.out.line(`committed state seq ${state.seq} (${state.graph_hash}) matches the WAL`);
      }
    });
  wal.command("log")
    .description("print the WAL history")
    .option("--txn <id>", "only this transaction")
    .option("--limit <n>", "only the last n records")
    .action(async (opts: { txn?: string; limit?: string }, cmd: Command) => {
      const ctx = contextOf(cmd);
      const ws = ctx.workspace();
      if (opts.limit !== undefined && !/^\d+$/.test(opts.limit)) {
        throw new UsageError(`--limit expects a non-negative integer, got "${opts.limit}"`);
      }
      const { scanWal } = await import("../../reconciler/mod.ts");
      const scan = await scanWal(ws);
      let records = scan.records;
      if (opts.txn) records = records.filter((r) => r.txn === opts.txn);
      if (opts.limit !== undefined) records = records.slice(-Number(opts.limit));
      ctx.out.result({ records, torn: scan.torn });
      ctx.out.table(
        ["SEQ", "AT", "TXN", "TYPE", "DETAIL"],
        records.map((r) => [r.seq, r.at, r.txn, r.type, detail(r.type, r.payload)]),
      );
      if (scan.torn) ctx.out.warn(`torn last record (${scan.torn.bytes} bytes) not shown`);
    });
}
