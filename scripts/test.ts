/**
 * Runs the whole test suite (Deno tests, then the native crate's cargo
 * tests when it exists) and ends with the plain line `N passed, N failed`
 * that CI reads. Exit code is non-zero when anything failed.
 *
 * Usage: deno run -A scripts/test.ts [extra deno test args...]
 *
 * @module
 */

const decoder = new TextDecoder();

async function runDenoTests(
  extra: string[],
): Promise<{ passed: number; failed: number; skipped: number; ok: boolean }> {
  const report = await Deno.makeTempFile({ suffix: ".xml" });
  const roots = extra.length ? extra : ["lib/", "tests/", "ffi/", "scripts/"].filter((d) => {
    try {
      return Deno.statSync(d).isDirectory;
    } catch {
      return false;
    }
  });
  const args = [
    "test",
    "-q",
    "-A",
    "--no-prompt",
    `--junit-path=${report}`,
    ...roots,
  ];
  const child = new Deno.Command(Deno.execPath(), { args, stdout: "inherit", stderr: "inherit" })
    .spawn();
  const status = await child.status;
  let xml = "";
  try {
    xml = await Deno.readTextFile(report);
  } catch { /* no report: deno test failed before running */ }
  await Deno.remove(report).catch(() => {});
  // Count leaf test cases; a failed case has a <failure> child.
  const cases = xml.match(/<testcase\b[\s\S]*?(?:\/>|<\/testcase>)/g) ?? [];
  let failed = 0;
  let skipped = 0;
  for (const c of cases) {
    if (/<failure\b/.test(c)) failed++;
    else if (/<skipped\b/.test(c)) skipped++;
  }
  const passed = cases.length - failed - skipped;
  if (!status.success && failed === 0) failed = 1; // crashed or failed to type-check: never report green
  return { passed, failed, skipped, ok: status.success };
}

async function runCargoTests(): Promise<{ passed: number; failed: number; ok: boolean } | null> {
  try {
    await Deno.stat("ffi/Cargo.toml");
  } catch {
    return null;
  }
  const out = await new Deno.Command("cargo", {
    args: ["test", "--release", "--manifest-path", "ffi/Cargo.toml"],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = decoder.decode(out.stdout) + decoder.decode(out.stderr);
  console.log(text.trimEnd());
  let passed = 0;
  let failed = 0;
  for (const m of text.matchAll(/test result: \w+\. (\d+) passed; (\d+) failed/g)) {
    passed += Number(m[1]);
    failed += Number(m[2]);
  }
  if (!out.success && failed === 0) failed = 1;
  return { passed, failed, ok: out.success };
}

if (import.meta.main) {
  const deno = await runDenoTests(Deno.args);
  const cargo = Deno.args.length ? null : await runCargoTests();
  const passed = deno.passed + (cargo?.passed ?? 0);
  const failed = deno.failed + (cargo?.failed ?? 0);
  console.log(
    `${passed} passed, ${failed} failed${deno.skipped ? `, ${deno.skipped} skipped` : ""}`,
  );
  Deno.exit(failed === 0 && deno.ok && (cargo?.ok ?? true) ? 0 : 1);
}
