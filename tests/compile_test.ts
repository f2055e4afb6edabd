import assert from "node:assert/strict";
import { REPO, tempDir } from "./_helpers.ts";

const decoder = new TextDecoder();

async function compile(env: Record<string, string>, output: string) {
  const r = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-q", "-P=rtt", `${REPO}/scripts/compile.ts`, "--output", output],
    cwd: REPO,
    env: { NO_COLOR: "1", ...env },
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code: r.code, text: decoder.decode(r.stdout) + decoder.decode(r.stderr) };
}

Deno.test("compile stops with a clear message when DENORT_BIN is not set", async () => {
  await using dir = await tempDir();
  const r = await compile({ PATH: Deno.env.get("PATH") ?? "" }, `${dir.path}/rtt-deno`);
  assert.equal(r.code, 69);
  assert.match(r.text, /Set DENORT_BIN to the path of denort/);
});

Deno.test("compile embeds the entry point and schemas but not the toolchain", async () => {
  await using dir = await tempDir();
  // The plain deno binary stands in for denort: compiling works, running the result would not.
  const r = await compile({
    PATH: Deno.env.get("PATH") ?? "",
    DENORT_BIN: Deno.execPath(),
    HOME: Deno.env.get("HOME") ?? "/root",
  }, `${dir.path}/rtt-deno`);
  assert.equal(r.code, 0, r.text);
  assert.match(r.text, /main\.ts/);
  assert.match(r.text, /schemas\/\*/);
  assert.doesNotMatch(r.text, /deno\/deno \(/);
  assert.doesNotMatch(r.text, /fast-check/);
  assert.ok((await Deno.stat(`${dir.path}/rtt-deno`)).isFile);
});
