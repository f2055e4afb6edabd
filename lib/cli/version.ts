/**
 * The version of rtt-deno, in a module of its own so `--version` loads
 * nothing else.
 *
 * @module
 */
/** Version of rtt-deno, printed by `--version`. */
export const VERSION = "0.1.0";
