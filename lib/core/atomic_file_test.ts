import { resolve } from "node:path";
import assert from "node:assert/strict";
import { writeFileAtomic, writeJsonAtomic } from "./atomic_file.ts";
import { globMatch } from "./glob.ts";
import { findWorkspace } from "./workspace.ts";
import { IoError } from "./errors.ts";

Deno.test("writeFileAtomic() replaces content and leaves no temp files", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await writeFileAtomic(`${dir}/a.txt`, "one");
    await writeJsonAtomic(`${dir}/a.txt`, { two: 2 }, { mode: 0o600 });
    assert.deepEqual(JSON.parse(await Deno.readTextFile(`${dir}/a.txt`)), { two: 2 });
    assert.equal((await Deno.stat(`${dir}/a.txt`)).mode! & 0o777, 0o600);
    const names = [];
    for await (const e of Deno.readDir(dir)) names.push(e.name);
    assert.deepEqual(names, ["a.txt"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("writeFileAtomic() fails cleanly when the folder is missing", async () => {
  await assert.rejects(() => writeFileAtomic("/nonexistent-rtt-dir/x", "y"), IoError);
});

Deno.test("globMatch() handles *, ** and ?", () => {
  assert.ok(globMatch("rtt://agents/**", "rtt://agents/agent/x"));
  assert.ok(!globMatch("rtt://agents/*", "rtt://agents/agent/x"));
  assert.ok(globMatch("**/node_modules/**", "a/node_modules/b/c.json"));
  assert.ok(globMatch("a?c", "abc"));
  assert.ok(!globMatch("a.c", "abc"));
});

Deno.test("findWorkspace() picks the nearest ancestor holding .rtt/", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${dir}/.rtt`);
    await Deno.mkdir(`${dir}/x/y`, { recursive: true });
    assert.equal(findWorkspace(undefined, { cwd: `${dir}/x/y` }).root, resolve(dir));
    assert.equal(findWorkspace("other", { cwd: dir }).root, `${resolve(dir)}/other`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
