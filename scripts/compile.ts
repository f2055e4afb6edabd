/**
 * Builds the single offline binary `dist/rtt-deno` with `deno compile`,
 * using the permission set `rtt` from deno.json (the same one
 * `deno task rtt` runs with) and embedding the native library.
 *
 * `deno compile` needs a `denort` base binary. Air-gapped build hosts set
 * `DENORT_BIN` to a local copy; without it (and without a reachable download)
 * this script stops and says exactly what to set.
 *
 * @module
 */

const out = "dist/rtt-deno";
const denort = Deno.env.get("DENORT_BIN");
if (!denort) {
  console.error(
    "error: deno compile needs a denort base binary and this machine cannot download one.\n" +
      "Set DENORT_BIN to the path of denort 2.9.6 for this platform (x86_64-unknown-linux-gnu),\n" +
      "e.g. DENORT_BIN=/opt/deno/denort make compile",
  );
  Deno.exit(69);
}
try {
  const st = await Deno.stat(denort);
  if (!st.isFile) throw new Error("not a file");
} catch (err) {
  console.error(
    `error: DENORT_BIN="${denort}" is not a readable file (${
      err instanceof Error ? err.message : err
    })`,
  );
  Deno.exit(66);
}
const args = [
  "compile",
  "-q",
  "-P=rtt",
  "--no-prompt",
  "-o",
  out,
  "--exclude",
  "node_modules/deno",
  "--exclude",
  "node_modules/@deno",
];
for (const lib of ["ffi/target/release/librtt_ffi.so"]) {
  try {
    await Deno.stat(lib);
    args.push("--include", lib);
  } catch { /* built without the native library: the binary uses the pure-TS fallbacks */ }
}
args.push("main.ts");
await Deno.mkdir("dist", { recursive: true });
const status = await new Deno.Command(Deno.execPath(), {
  args,
  env: { DENORT_BIN: denort },
  stdout: "inherit",
  stderr: "inherit",
}).spawn().status;
if (!status.success) Deno.exit(status.code || 1);
console.log(`compiled ${out}`);
