/**
 * The list parser of the repeatable options (`--role`, `--sign-with`), for
 * commander's `.argParser()`: values are checked once, while parsing, and a
 * bad one is a {@linkcode UsageError} (exit 64) like the parsers in
 * `../arguments.ts`.
 *
 * @module
 */
import { UsageError } from "../../core/mod.ts";

/**
 * Parser for a repeatable option that also takes comma-separated lists
 * (`--sign-with a,b` = `--sign-with a --sign-with b`); repeated items count
 * once. With `allowed`, every item must be one of them (`what` names them in
 * the message).
 */
export function listOf<T extends string = string>(
  what: string,
  allowed?: readonly T[],
): (value: string, previous?: T[]) => T[] {
  return (value, previous = []) => {
    const items = value.split(",").map((v) => v.trim()).filter((v) => v !== "");
    if (allowed) {
      const expected = `expected one of ${allowed.join(", ")}`;
      const bad = items.find((v) => !(allowed as readonly string[]).includes(v));
      if (bad !== undefined) throw new UsageError(`Unknown ${what} "${bad}": ${expected}`);
      if (items.length === 0) throw new UsageError(`No ${what} given: ${expected}`);
    }
    return [...new Set([...previous, ...items as T[]])];
  };
}
