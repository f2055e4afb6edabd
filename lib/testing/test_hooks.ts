/**
 * {@linkcode Hooks} that crash and fault tests run with: kill the process at
 * the n-th time a crash point is reached, record every point reached, and
 * fail the n-th fsync of a given name.
 *
 * @example
 * ```ts
 * import { testHooks } from "./test_hooks.ts";
 * // the second COMMIT fsync fails with an IoError
 * const hooks = testHooks({ failSync: "wal:commit:fsync:2" });
 * ```
 *
 * @module
 */
import { type Hooks, IoError, UsageError } from "../core/mod.ts";

/** A point and the hit on which something happens there. */
export interface HitSpec {
  /** Crash point or sync label, as the product code names it. */
  point: string;
  /** 1-based hit count in this process. */
  n: number;
}

/**
 * Parses `<point>[:<n>]` (default n = 1); the point itself may contain colons.
 * @throws {UsageError} when n is 0.
 */
export function parseHitSpec(spec: string): HitSpec {
  const i = spec.lastIndexOf(":");
  const tail = spec.slice(i + 1);
  const hit = i > 0 && /^\d+$/.test(tail)
    ? { point: spec.slice(0, i), n: Number(tail) }
    : { point: spec, n: 1 };
  if (hit.n < 1) throw new UsageError(`Invalid hit "${spec}": the count starts at 1`);
  return hit;
}

/** What {@linkcode testHooks} does. */
export interface TestHooksOptions {
  /** SIGKILL this process at this hit of a crash point (`<point>[:<n>]`). */
  crashAt?: string;
  /** Append every crash point reached to this file, one per line. */
  traceFile?: string;
  /** Throw an {@linkcode IoError} from `beforeSync` at this hit (`<label>[:<n>]`). */
  failSync?: string;
}

/** Hooks that do what `options` asks and nothing else. */
export function testHooks(options: TestHooksOptions): Hooks {
  const crash = options.crashAt ? parseHitSpec(options.crashAt) : null;
  const fail = options.failSync ? parseHitSpec(options.failSync) : null;
  const crashHit = counter();
  const syncHit = counter();
  return {
    crashPoint(point: string): void {
      if (options.traceFile) {
        Deno.writeTextFileSync(options.traceFile, point + "\n", { append: true });
      }
      if (crash?.point === point && crashHit(point) === crash.n) Deno.kill(Deno.pid, "SIGKILL");
    },
    beforeSync(label: string): void {
      if (fail?.point === label && syncHit(label) === fail.n) {
        throw new IoError(`fsync failed (injected at ${label}, hit ${fail.n})`);
      }
    },
  };
}

/** Counts calls per name: returns the new count. */
function counter(): (name: string) => number {
  const hits = new Map<string, number>();
  return (name) => {
    const n = (hits.get(name) ?? 0) + 1;
    hits.set(name, n);
    return n;
  };
}
