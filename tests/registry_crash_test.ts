import assert from "node:assert/strict";
import { copySample, rtt, rttJson, tempDir } from "./_helpers.ts";

async function copyTree(src: string, dest: string): Promise<void> {
  await Deno.mkdir(dest, { recursive: true });
  for await (const e of Deno.readDir(src)) {
    if (e.isDirectory) await copyTree(`${src}/${e.name}`, `${dest}/${e.name}`);
    else if (e.isFile) {
      await Deno.copyFile(`${src}/${e.name}`, `${dest}/${e.name}`);
      await Deno.chmod(`${dest}/${e.name}`, (await Deno.stat(`${src}/${e.name}`)).mode! & 0o777);
    }
  }
}

Deno.test("registry ingest killed at any write, fsync, rename or folder sync leaves a verifiable registry", async () => {
  await using base = await tempDir();
  await copySample(base.path);
  assert.equal((await rtt(["-w", base.path, "init"])).code, 0);
  assert.equal((await rtt(["-w", base.path, "scan"])).code, 0);

  // Enumerate the crash points an ingest passes through.
  await using traced = await tempDir();
  await copyTree(base.path, traced.path);
  const trace = `${traced.path}/trace.txt`;
  const ok = await rtt(["-w", traced.path, "registry", "ingest", "--sign"], {
    env: { RTT_CRASH_TRACE: trace },
    testEntry: true,
  });
  assert.equal(ok.code, 0, ok.stderr);
  const points = [...new Set((await Deno.readTextFile(trace)).trim().split("\n"))]
    .filter((p) => p.startsWith("cas-object:") || p.startsWith("registry-index:"));
  assert.equal(points.length, 8, points.join(" "));

  for (const point of points) {
    await using dir = await tempDir();
    await copyTree(base.path, dir.path);
    // Objects are killed mid-batch (5th of 9), the index at its only write.
    const at = point.startsWith("cas-object:") && point !== "cas-object:dirsync"
      ? `${point}:5`
      : point;
    const crashed = await rtt(["-w", dir.path, "registry", "ingest", "--sign"], {
      env: { RTT_CRASH_AT: at },
      testEntry: true,
    });
    assert.notEqual(crashed.code, 0, `no crash at ${at}`);
    const v = await rtt(["-w", dir.path, "registry", "verify"]);
    assert.equal(v.code, 0, `after a crash at ${at}: ${v.stderr}`);
    // The dead writer's lock died with it: the next ingest needs no manual step.
    const again = await rtt(["-w", dir.path, "registry", "ingest", "--sign"]);
    assert.equal(again.code, 0, `re-ingest after a crash at ${at}: ${again.stderr}`);
    const ls = await rttJson<{ entries: unknown[] }>(["-w", dir.path, "registry", "ls"]);
    assert.equal(ls.json.entries.length, 9, `after a crash at ${at}`);
  }
});
