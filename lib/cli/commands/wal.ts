/**
 * `rtt-deno wal verify|log`: call {@linkcode verifyWal} / {@linkcode walLog},
 * render.
 *
 * @module
 */
import { type Command, Option } from "commander";
import { nonNegativeInteger } from "../arguments.ts";
import { contextOf } from "../context.ts";
import type { HealthReport, WalRecord } from "../../pipeline/mod.ts";

/** The DETAIL column of `wal log`: one record's payload in a few words. */
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
      const { verifyWal } = await import("../../pipeline/mod.ts");
      const r = await verifyWal(ctx.workspace());
      ctx.out.result(r);
      ctx.out.line(
        `WAL ${r.file}: ${r.records} record(s)${
          r.records ? `, seq ${r.first_seq}..${r.last_seq}, head ${r.head}` : ""
        }${r.segments > 1 ? ` in ${r.segments} segments` : ""}; hash chain OK`,
      );
      if (r.torn) {
        ctx.out.warn(
          `torn last record (${r.torn.bytes} bytes at byte ${r.torn.offset}: ${r.torn.reason}); ` +
            `it is ignored, and recovery drops it`,
        );
      }
      if (r.unfinished_txn) {
        ctx.out.warn(
          `transaction ${r.unfinished_txn} is unfinished; "rtt-deno recover" resolves it`,
        );
      } else {
        ctx.out.line(
          `committed state seq ${r.state.seq} (${r.state.graph_hash}) matches the WAL`,
        );
      }
    });
  wal.command("log")
    .description("print the WAL history")
    .option("--txn <id>", "only this transaction")
    .addOption(
      new Option("--limit <n>", "only the last n records")
        .argParser(nonNegativeInteger("--limit expects a non-negative integer")),
    )
    .action(async (opts: { txn?: string; limit?: number }, cmd: Command) => {
      const ctx = contextOf(cmd);
      const { walLog } = await import("../../pipeline/mod.ts");
      const log = await walLog(ctx.workspace(), { txn: opts.txn, limit: opts.limit });
      ctx.out.result(log);
      ctx.out.table(
        ["SEQ", "AT", "TXN", "TYPE", "DETAIL"],
        log.records.map((r) => [r.seq, r.at, r.txn, r.type, detail(r)]),
      );
      if (log.torn) ctx.out.warn(`torn last record (${log.torn.bytes} bytes) not shown`);
    });
}
