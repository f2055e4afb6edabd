/**
 * Test-only fault injection for child-process tests, read from the
 * environment like `RTT_CRASH_AT`: `RTT_TEST_PARTICIPANT=<faults>` adds a
 * {@linkcode FaultParticipant} (e.g. `nack@prepare:2`), and
 * `RTT_FAIL_FSYNC=<point>[:<n>]` makes a WAL fsync fail (e.g.
 * `wal:commit:fsync`). Unset, they change nothing.
 *
 * @module
 */
import { FaultParticipant, parseFaults, type Participant } from "./participant.ts";

function env(name: string): string | undefined {
  try {
    return Deno.env.get(name) || undefined;
  } catch {
    return undefined;
  }
}

/** Extra participants and WAL fsync failures requested by the environment. */
export function faultsFromEnv(): { participants: Participant[]; failFsync?: string } {
  const spec = env("RTT_TEST_PARTICIPANT");
  return {
    participants: spec ? [new FaultParticipant(parseFaults(spec))] : [],
    failFsync: env("RTT_FAIL_FSYNC"),
  };
}

/**
 * Adds the environment's faults to reconciler options, so callers pass only
 * their own participants and the fsync fault stays inside the reconciler.
 */
export function withEnvFaults<T extends { participants?: Participant[]; failFsync?: string }>(
  options: T,
): T {
  const faults = faultsFromEnv();
  return {
    ...options,
    participants: [...(options.participants ?? []), ...faults.participants],
    failFsync: options.failFsync ?? faults.failFsync,
  };
}
