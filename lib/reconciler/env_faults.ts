/**
 * Test-only fault injection for child-process tests, read from the
 * environment like `RTT_CRASH_AT`: `RTT_TEST_PARTICIPANT=<faults>` adds a
 * {@linkcode FaultParticipant} (e.g. `nack@prepare:2`), and
 * `RTT_FAIL_FSYNC=<label>[:<n>]` makes the n-th fsync with that label fail
 * (e.g. `wal:commit:fsync`) through {@linkcode Hooks.beforeSync}. Unset, they
 * change nothing.
 *
 * @module
 */
import { crashPoint, type Hooks, IoError, NO_HOOKS } from "../core/mod.ts";
import { FaultParticipant, parseFaults, type Participant } from "./participant.ts";

function env(name: string): string | undefined {
  try {
    return Deno.env.get(name) || undefined;
  } catch {
    return undefined;
  }
}

/** A `beforeSync` hook that throws an {@linkcode IoError} at the n-th fsync named in `spec`. */
function failingSync(spec: string): (label: string) => void {
  const i = spec.lastIndexOf(":");
  const tail = spec.slice(i + 1);
  const [point, n] = i > 0 && /^\d+$/.test(tail) ? [spec.slice(0, i), Number(tail)] : [spec, 1];
  let seen = 0;
  return (label) => {
    if (label === point && ++seen === n) {
      throw new IoError(`fsync failed (injected at ${label})`);
    }
  };
}

/** Extra participants and hooks (crash points, failing fsyncs) requested by the environment. */
export function faultsFromEnv(): { participants: Participant[]; hooks: Hooks } {
  const spec = env("RTT_TEST_PARTICIPANT");
  const fsync = env("RTT_FAIL_FSYNC");
  return {
    participants: spec ? [new FaultParticipant(parseFaults(spec))] : [],
    hooks: { crashPoint, beforeSync: fsync ? failingSync(fsync) : () => {} },
  };
}

/**
 * Adds the environment's faults to reconciler options, so callers pass only
 * their own participants and the fsync fault stays inside the reconciler.
 */
export function withEnvFaults<
  T extends { participants?: readonly Participant[]; hooks?: Hooks },
>(options: T): T {
  const faults = faultsFromEnv();
  return {
    ...options,
    participants: [...(options.participants ?? []), ...faults.participants],
    hooks: options.hooks && options.hooks !== NO_HOOKS ? options.hooks : faults.hooks,
  };
}
