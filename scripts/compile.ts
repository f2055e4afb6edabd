/**
 * Builds the single offline binary (default `dist/rtt-deno`) with
 * `deno compile`, using the permission set `rtt` from deno.json (the same one
 * `deno task rtt` runs with), embedding the schemas and the native library,
 * and leaving out the toolchain and dev-only packages.
 *
 * `deno compile` needs a `denort` base binary. Air-gapped build hosts set
 * `DENORT_BIN` to a local copy; without it this script stops and says exactly
 * what to set (this machine cannot download one).
 *
 * Usage: deno run -P=rtt scripts/compile.ts [--output <file>]
 *
 * @module
 */

const root = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
const outIdx = Deno.args.indexOf("--output");
const out = outIdx >= 0 ? Deno.args[outIdx + 1] : `${root}/dist/rtt-deno`;
if (!out) {
  console.error("error: --output needs a file path");
  Deno.exit(64);
}

const denort = Deno.env.get("DENORT_BIN");
if (!denort) {
  console.error(
    "error: deno compile needs a denort base binary and this machine cannot download one.\n" +
      "Set DENORT_BIN to the path of denort 2.9.6 for x86_64-unknown-linux-gnu, e.g.\n" +
      "  DENORT_BIN=/opt/deno/denort make compile",
  );
  Deno.exit(69);
}
try {
  if (!(await Deno.stat(denort)).isFile) throw new Error("not a regular file");
} catch (err) {
  console.error(
    `error: DENORT_BIN="${denort}" is not a readable file (${
      err instanceof Error ? err.message : err
    })`,
  );
  Deno.exit(66);
}

// The toolchain itself and test-only packages must not be embedded (~95 MB).
const pkg = JSON.parse(await Deno.readTextFile(`${root}/package.json`));
const excludes = [
  `${root}/node_modules/deno`,
  `${root}/node_modules/deno/deno`,
  `${root}/node_modules/@deno`,
  ...Object.keys(pkg.devDependencies ?? {}).map((name) => `${root}/node_modules/${name}`),
];
const args = ["compile", "-P=rtt", "--no-prompt", "-o", out];
for (const e of excludes) args.push("--exclude", e);
const nativeLib = `${root}/ffi/target/release/librtt_ffi.so`;
try {
  await Deno.stat(nativeLib);
  args.push("--include", nativeLib);
} catch {
  console.error(
    "note: ffi/target/release/librtt_ffi.so not built; the binary uses the pure-TS fallbacks",
  );
}
args.push(`${root}/main.ts`);
await Deno.mkdir(out.slice(0, out.lastIndexOf("/")) || ".", { recursive: true });
const status = await new Deno.Command(Deno.execPath(), {
  args,
  cwd: root,
  env: { DENORT_BIN: denort },
  stdout: "inherit",
  stderr: "inherit",
}).spawn().status;
if (!status.success) Deno.exit(status.code || 1);
console.log(`compiled ${out}`);
