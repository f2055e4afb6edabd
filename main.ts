/**
 * Entry point of `rtt-deno`. The only place that exits the process.
 *
 * @module
 */
import { VERSION } from "./lib/cli/version.ts";

if (import.meta.main) {
  // Loading the argument parser (commander, CommonJS from npm) costs ~25 ms;
  // a bare version query does not need it.
  if (Deno.args.length === 1 && (Deno.args[0] === "--version" || Deno.args[0] === "-V")) {
    console.log(VERSION);
    Deno.exit(0);
  }
  const { run } = await import("./lib/cli/mod.ts");
  Deno.exit(await run(Deno.args));
}
