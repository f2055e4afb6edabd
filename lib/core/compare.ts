/**
 * The one string order RTT sorts by: UTF-16 code units, as `<` compares
 * strings. Unlike `localeCompare` it does not depend on the machine's
 * locale, so sorted output (plans, hashes over sorted lists) is identical
 * everywhere.
 *
 * @module
 */

/**
 * Compares two strings by code units; a comparator for `Array.prototype.sort`.
 *
 * @example
 * ```ts
 * ["b", "B", "a"].sort(compareStrings); // ["B", "a", "b"]
 * routes.sort((x, y) => compareStrings(x.from, y.from) || compareStrings(x.to, y.to));
 * ```
 */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
