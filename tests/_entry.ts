/**
 * Test-only entry point of `rtt-deno`: the real CLI with test hooks built
 * from the environment. Crash and fault tests spawn this file instead of
 * `main.ts` (see {@linkcode rttTest} in `_helpers.ts`); the product reads
 * none of these variables.
 *
 * - `RTT_CRASH_AT=<point>[:<n>]`: SIGKILL at the n-th time (default 1st) the
 *   crash point is reached.
 * - `RTT_CRASH_TRACE=<file>`: append every crash point reached to the file.
 * - `RTT_TEST_PARTICIPANT=<faults>`: add a `FaultParticipant` to apply,
 *   rollback and recovery (e.g. `nack@prepare:2,unhealthy@health:1`).
 * - `RTT_FAIL_FSYNC=<label>[:<n>]`: the n-th fsync of that name fails with an
 *   I/O error (e.g. `wal:commit:fsync`).
 *
 * @module
 */
import { run } from "../lib/cli/mod.ts";
import { FaultParticipant, parseFaults, testHooks } from "../lib/testing/mod.ts";

function env(name: string): string | undefined {
  return Deno.env.get(name) || undefined;
}

if (import.meta.main) {
  const hooks = testHooks({
    crashAt: env("RTT_CRASH_AT"),
    traceFile: env("RTT_CRASH_TRACE"),
    failSync: env("RTT_FAIL_FSYNC"),
  });
  const faults = env("RTT_TEST_PARTICIPANT");
  const participants = faults ? [new FaultParticipant(parseFaults(faults))] : [];
  Deno.exit(await run(Deno.args, { hooks, participants }));
}
