import { type Command, Option } from "commander";
import { contextOf } from "../context.ts";
import { UsageError } from "../errors.ts";

const LANES = ["shm", "uds", "tcp"] as const;

function list(value: string, what: string): string[] {
  const items = value.split(",").map((s) => s.trim()).filter((s) => s !== "");
  if (items.length === 0) throw new UsageError(`--${what} needs at least one value`);
  return items;
}

function positive(value: string, what: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) {
    throw new UsageError(`--${what} must be a positive number, got "${value}"`);
  }
  return n;
}

interface FabricOpts {
  lanes: string;
  sizes: string;
  seconds: string;
  spinNs: string;
  pin: string;
  peer?: string;
}

/** `rtt-deno bench ...`: measurements of this machine (today: the fabric lanes). */
export function registerBench(program: Command): void {
  const bench = program.command("bench").description("measure this machine");
  bench.command("fabric")
    .description(
      "two-process echo latency (p50/p99/p99.9) and one-way throughput per lane and payload size, " +
        "each lane compared with uds measured in the same run",
    )
    .option("--lanes <list>", "lanes to measure (uds is always run as the baseline)", "shm,uds,tcp")
    .option("--sizes <list>", "payload sizes in bytes", "64,4096,65536")
    .option(
      "--seconds <n>",
      "seconds per measurement (echo and throughput, per lane and size)",
      "1",
    )
    .option("--spin-ns <n>", "busy-poll budget before parking on the futex, in ns", "50000")
    .option("--pin <mode>", "pin bench and peer to CPUs 0 and 1 for: shm, all or none", "shm")
    // A compiled binary starts its benchmark peer by re-running itself with this option.
    .addOption(new Option("--peer <spec>").hideHelp())
    .action(async (opts: FabricOpts, cmd: Command) => {
      const ctx = contextOf(cmd);
      const { formatFabricBench, runFabricBench, runFabricBenchPeer } = await import(
        "../../fabric/bench.ts"
      );
      if (opts.peer !== undefined) {
        await runFabricBenchPeer(opts.peer);
        return;
      }
      const lanes = list(opts.lanes, "lanes");
      for (const l of lanes) {
        if (!(LANES as readonly string[]).includes(l)) {
          throw new UsageError(`--lanes: unknown lane "${l}" (expected ${LANES.join(", ")})`);
        }
      }
      const sizes = list(opts.sizes, "sizes").map((s) => {
        const n = Number(s);
        if (!Number.isInteger(n) || n < 1 || n > 16 << 20) {
          throw new UsageError(`--sizes: "${s}" is not a payload size from 1 byte to 16 MiB`);
        }
        return n;
      });
      if (!["shm", "all", "none"].includes(opts.pin)) {
        throw new UsageError(`--pin must be shm, all or none, got "${opts.pin}"`);
      }
      const result = await runFabricBench({
        lanes: lanes as (typeof LANES)[number][],
        sizes,
        seconds: positive(opts.seconds, "seconds"),
        spinNs: Math.round(positive(opts.spinNs, "spin-ns")),
        pin: opts.pin as "shm" | "all" | "none",
        onProgress: (m) => ctx.out.progress(`bench fabric: ${m}`),
      });
      ctx.out.progressDone();
      ctx.out.result(result);
      ctx.out.line(formatFabricBench(result));
    });
}
