import type { Command } from "commander";
import { contextOf } from "../context.ts";
import { UsageError } from "../errors.ts";
import type { HealthReport, WalRecord } from "../../reconciler/mod.ts";

function short(h: string | null): string {
  return h === null ? "-" : h.replace(/^sha256[:-]/, "").slice(0, 12);
}

function health(p: HealthReport): string {
  return p.ok
    ? `healthy (${p.checks} checks, ${p.window_ms} ms)`
    : `BREACH ${p.breach?.participant}: ${p.breach?.detail}`;
}

function detail(r: WalRecord): string {
  switch (r.type) {
    case "begin": {
      const p = r.payload;
      return `${p.kind} ${p.plan_id ? `plan ${short(p.plan_id)} ` : ""}${short(p.base_graph)} -> ${
        short(p.target_graph)
      }, ${p.batches} batch(es), participants ${p.participants.join(",")}` +
        (p.to_seq !== undefined ? `, to seq ${p.to_seq}` : "") +
        (p.unverified ? ", UNVERIFIED" : "");
    }
    case "prepare":
      return `batch ${r.payload.batch + 1}: +${r.payload.add.length} -${r.payload.del.length}`;
    case "vote":
      return `batch ${r.payload.batch + 1}: ${r.payload.participant} ${r.payload.vote}${
        r.payload.reason ? ` (${r.payload.reason})` : ""
      }`;
    case "batch-commit":
      return `batch ${r.payload.batch + 1}`;
    case "canary":
    case "verify":
      return health(r.payload);
    case "commit":
      return `${r.payload.kind} -> ${short(r.payload.graph_hash)} (${r.payload.routes} routes)`;
    case "end":
      return `state seq ${r.payload.seq} ${short(r.payload.graph_hash)}`;
    case "rollback":
      return "recovered" in r.payload
        ? `recovery: batches ${r.payload.batches.map((b) => b + 1).join(",")}`
        : `batch ${r.payload.batch + 1}`;
    case "abort":
      return `${r.payload.step}${
        r.payload.participant ? ` ${r.payload.participant}` : ""
      }: ${r.payload.reason}`;
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
      const { verifyWalHistory } = await import("../../reconciler/mod.ts");
      const result = await verifyWalHistory(ws);
      const { file, state } = result;
      const unfinished = result.unfinished_txn !== null;
      ctx.out.result(result);
      ctx.out.line(
        `WAL ${file}: ${result.records} record(s)${
          result.records ? `, seq ${result.first_seq}..${result.last_seq}, head ${result.head}` : ""
        }${result.segments > 1 ? ` in ${result.segments} segments` : ""}; hash chain OK`,
      );
      if (result.torn) {
        ctx.out.warn(
          `torn last record (${result.torn.bytes} bytes at byte ${result.torn.offset}: ${result.torn.reason}); ` +
            `it is ignored, and recovery drops it`,
        );
      }
      if (unfinished) {
        ctx.out.warn(
          `transaction ${result.unfinished_txn} is unfinished; "rtt-deno recover" resolves it`,
        );
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
        records.map((r) => [r.seq, r.at, r.txn, r.type, detail(r)]),
      );
      if (scan.torn) ctx.out.warn(`torn last record (${scan.torn.bytes} bytes) not shown`);
    });
}
