/**
 * Commander value parsers shared by the command modules: each option value is
 * validated once, while parsing, and a bad one is commander's invalid-argument
 * error (exit 64).
 *
 * @module
 */
import { InvalidArgumentError } from "commander";

/**
 * Parser for a repeatable option that also takes comma-separated lists
 * (`--sign-with a,b` = `--sign-with a --sign-with b`); repeated items count
 * once. With `allowed`, every item must be one of them.
 */
export function listOf(
  allowed?: readonly string[],
): (value: string, previous?: string[]) => string[] {
  return (value, previous = []) => {
    const items = value.split(",").map((v) => v.trim()).filter((v) => v !== "");
    if (allowed) {
      const bad = items.find((v) => !allowed.includes(v));
      if (bad !== undefined || items.length === 0) {
        throw new InvalidArgumentError(
          `${
            bad === undefined ? "No value given" : `Unknown value "${bad}"`
          }: allowed choices are ${allowed.join(", ")} (repeat the option or comma-separate).`,
        );
      }
    }
    return [...new Set([...previous, ...items])];
  };
}

/** Parser for a whole number (`3`, not `3.5`, `x` or an empty string). */
export function wholeNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === "" || !Number.isInteger(n)) {
    throw new InvalidArgumentError(`Expected a whole number.`);
  }
  return n;
}
