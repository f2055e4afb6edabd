/**
 * Parsers for option and argument values, for commander's `.argParser()`:
 * each value is checked once, where it is parsed, and a bad one is a
 * {@linkcode UsageError} (exit 64) naming the option and the value.
 *
 * @example
 * ```ts
 * import { Option } from "commander";
 * import { oneOf } from "./arguments.ts";
 * new Option("--solver <name>").argParser(oneOf("solver", ["exact", "greedy"] as const));
 * ```
 *
 * @module
 */
import { UsageError } from "../core/mod.ts";

/** Accepts one of `values`; anything else is `Unknown <what> "<value>": expected one of ...`. */
export function oneOf<T extends string>(what: string, values: readonly T[]): (v: string) => T {
  return (v) => {
    if ((values as readonly string[]).includes(v)) return v as T;
    throw new UsageError(`Unknown ${what} "${v}": expected one of ${values.join(", ")}`);
  };
}

/** Accepts a non-negative integer; `expected` completes "<expected>, got "<value>"". */
export function nonNegativeInteger(expected: string): (v: string) => number {
  return (v) => {
    const n = Number(v);
    if (v.trim() === "" || !Number.isSafeInteger(n) || n < 0) {
      throw new UsageError(`${expected}, got "${v}"`);
    }
    return n;
  };
}

/** Accepts a percentage in (0, 100]. */
export function percentage(flag: string): (v: string) => number {
  return (v) => {
    const n = Number(v);
    if (v.trim() === "" || !(n > 0 && n <= 100)) {
      throw new UsageError(`${flag} expects a percentage in (0, 100], got "${v}"`);
    }
    return n;
  };
}
