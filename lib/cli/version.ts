/** Version of rtt-deno, printed by `--version`. */
export const VERSION = "0.1.0";
