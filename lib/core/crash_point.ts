/**
 * Test-only crash injection. Crash-safety tests run a command in a child
 * process with `RTT_CRASH_AT=<point>[:<n>]` and expect it to die with SIGKILL
 * exactly at the n-th time (default 1st) that named point is reached. With
 * the variable unset this costs one map lookup.
 *
 * Points are named `<what>:<step>` (e.g. `state:rename`), and every call is
 * recorded when `RTT_CRASH_TRACE=<file>` is set so tests can enumerate them.
 *
 * @module
 */

let spec: { point: string; n: number } | null | undefined;
let traceFile: string | null | undefined;
const hits = new Map<string, number>();

function readEnv(name: string): string | undefined {
  try {
    return Deno.env.get(name);
  } catch {
    return undefined; // no env permission: injection is simply off
  }
}

/**
 * Marks a point where a crash must be survivable. Kills the process with
 * SIGKILL when `RTT_CRASH_AT` names it.
 */
export function crashPoint(point: string): void {
  if (spec === undefined) {
    const raw = readEnv("RTT_CRASH_AT");
    if (raw) {
      const i = raw.lastIndexOf(":");
      const tail = raw.slice(i + 1);
      spec = i > 0 && /^\d+$/.test(tail)
        ? { point: raw.slice(0, i), n: Number(tail) }
        : { point: raw, n: 1 };
    } else spec = null;
    traceFile = readEnv("RTT_CRASH_TRACE") ?? null;
  }
  if (traceFile) Deno.writeTextFileSync(traceFile, point + "\n", { append: true });
  if (spec === null) return;
  const count = (hits.get(point) ?? 0) + 1;
  hits.set(point, count);
  if (spec.point === point && spec.n === count) Deno.kill(Deno.pid, "SIGKILL");
}
