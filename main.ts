/**
 * Entry point of `rtt-deno`. The only place that exits the process.
 *
 * @module
 */
import { run } from "./lib/cli/mod.ts";

if (import.meta.main) {
  Deno.exit(await run(Deno.args));
}
