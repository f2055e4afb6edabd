/**
 * `rtt-deno bench fabric`: parse, call {@linkcode benchFabric}, render the
 * table or `--json`; with the hidden `--peer`, a compiled binary serves as its
 * own benchmark peer ({@linkcode benchFabricPeer}).
 *
 * @module
 */
import { type Command, InvalidArgumentError, Option } from "commander";
import { type Lane, LANES } from "../../core/mod.ts";
import { FABRIC_BENCH_DEFAULTS as DEFAULTS, PIN_MODES } from "../../pipeline/bench_fabric.ts";
import type { BenchFabricOptions } from "../../pipeline/mod.ts";
import { contextOf } from "../context.ts";

// Parsers only turn text into values; what is in range is decided by the use case, so the
// CLI and every other caller refuse the same values with the same message.
function list(value: string): string[] {
  return value.split(",").map((s) => s.trim()).filter((s) => s !== "");
}

function number(value: string): number {
  const n = Number(value);
  if (value.trim() === "" || Number.isNaN(n)) throw new InvalidArgumentError("Expected a number.");
  return n;
}

function numbers(value: string): number[] {
  return list(value).map(number);
}

interface FabricOpts {
  /** Not yet checked: any word can come in; the use case refuses unknown lanes. */
  lanes: string[];
  sizes: number[];
  seconds: number;
  spinNs: number;
  pin: BenchFabricOptions["pin"];
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
    .addOption(
      // --help lists the choices; the comma list is split here and checked by the use case.
      new Option("--lanes <list>", "lanes to measure (uds is always run as the baseline)")
        .choices(LANES).argParser(list).default(DEFAULTS.lanes, DEFAULTS.lanes.join(",")),
    )
    .addOption(
      new Option("--sizes <list>", "payload sizes in bytes")
        .argParser(numbers).default(DEFAULTS.sizes, DEFAULTS.sizes.join(",")),
    )
    .addOption(
      new Option(
        "--seconds <n>",
        "seconds per measurement (echo and throughput, per lane and size)",
      )
        .argParser(number).default(DEFAULTS.seconds),
    )
    .addOption(
      new Option("--spin-ns <n>", "busy-poll budget before parking on the futex, in ns")
        .argParser(number).default(DEFAULTS.spinNs),
    )
    .addOption(
      new Option("--pin <mode>", "which lanes run with bench and peer pinned to CPUs 0 and 1")
        .choices(PIN_MODES).default(DEFAULTS.pin),
    )
    // A compiled binary starts its benchmark peer by re-running itself with this option.
    .addOption(new Option("--peer <spec>").hideHelp())
    .action(async (opts: FabricOpts, cmd: Command) => {
      const ctx = contextOf(cmd);
      const { benchFabric, benchFabricPeer } = await import("../../pipeline/mod.ts");
      if (opts.peer !== undefined) return await benchFabricPeer(opts.peer);
      const { lanes, sizes, seconds, spinNs, pin } = opts;
      const report = await benchFabric(
        { lanes: lanes as Lane[], sizes, seconds, spinNs, pin },
        (m) => ctx.out.progress(`bench fabric: ${m}`),
      );
      ctx.out.progressDone();
      ctx.out.result(report);
      const { formatFabricBench } = await import("../../pipeline/bench_fabric.ts");
      ctx.out.line(formatFabricBench(report));
    });
}
