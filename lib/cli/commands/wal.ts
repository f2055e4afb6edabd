/**
 * `rtt-deno wal verify|log`: call {@linkcode verifyWal} / {@linkcode walLog},
 * render.
 *
 * @module
 */
import { type Command, Option } from "commander";
import { nonNegativeInteger } from "../arguments.ts";
import { contextOf } from "../context.ts";

/** The DETAIL column of `wal log`: one record's payload in a few words. */
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
      const { verifyWal } = await import("../../pipeline/mod.ts");
      const r = await verifyWal(ctx.workspace());
      ctx.out.result(r);
      ctx.out.line(
        `WAL ${r.file}: ${r.records} record(s)${
          r.records ? `, seq ${r.first_seq}..${r.last_seq}, head ${r.head}` : ""
        }; hash chain OK`,
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
        log.records.map((r) => [r.seq, r.at, r.txn, r.type, detail(r.type, r.payload)]),
      );
      if (log.torn) ctx.out.warn(`torn last record (${log.torn.bytes} bytes) not shown`);
    });
}
