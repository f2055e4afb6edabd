import assert from "node:assert/strict";
import fc from "fast-check";
import { copySample, rtt, tempDir } from "./_helpers.ts";

/** Plans in a separate process and returns (file name, bytes). */
async function planBytes(root: string, env: Record<string, string>): Promise<[string, string]> {
  const r = await rtt(["-w", root, "plan", "--solver", "exact"], { env });
  assert.equal(r.code, 0, r.stderr);
  const name = (await Deno.readTextFile(`${root}/plans/LATEST`)).trim();
  return [name, await Deno.readTextFile(`${root}/plans/${name}`)];
}

async function copyDir(src: string, dest: string): Promise<void> {
  await Deno.mkdir(dest, { recursive: true });
  for await (const e of Deno.readDir(src)) {
    if (e.isDirectory) await copyDir(`${src}/${e.name}`, `${dest}/${e.name}`);
    else await Deno.copyFile(`${src}/${e.name}`, `${dest}/${e.name}`);
  }
}

const ENVS = [
  { TZ: "UTC", LANG: "C", LC_ALL: "C" },
  { TZ: "Asia/Kolkata", LANG: "de_DE.UTF-8", LC_ALL: "de_DE.UTF-8" },
  { TZ: "America/St_Johns", LANG: "tr_TR.UTF-8", LC_ALL: "tr_TR.UTF-8" },
];

Deno.test("rtt-deno plan writes byte-identical plans across processes, shuffled inputs and file names, TZ and locale", async () => {
  await using ref = await tempDir();
  await copySample(ref.path);
  assert.equal((await rtt(["init", ref.path])).code, 0);
  const [refName, refBytes] = await planBytes(ref.path, ENVS[0]);
  const routes: Array<Record<string, unknown>> =
    JSON.parse(await Deno.readTextFile(`${ref.path}/.rtt/routes.json`)).routes;
  const manifests: string[] = [];
  for await (const e of Deno.readDir(`${ref.path}/.rtt/manifests`)) manifests.push(e.name);
  manifests.sort();

  await fc.assert(
    fc.asyncProperty(
      fc.shuffledSubarray(routes, { minLength: routes.length, maxLength: routes.length }),
      fc.shuffledSubarray(manifests, { minLength: manifests.length, maxLength: manifests.length }),
      fc.constantFrom(...ENVS),
      fc.boolean(),
      async (shuffledRoutes, manifestOrder, env, reverseKeys) => {
        await using dir = await tempDir();
        await copySample(dir.path);
        // The same signing key and trust root, so signatures can match byte for byte.
        await copyDir(`${ref.path}/.rtt/keys`, `${dir.path}/.rtt/keys`);
        await copyDir(`${ref.path}/.rtt/registry`, `${dir.path}/.rtt/registry`);
        assert.equal((await rtt(["init", dir.path])).code, 0);
        // Routes in another order (and, half the time, with reversed key order in each object).
        const rs = reverseKeys
          ? shuffledRoutes.map((r) => Object.fromEntries(Object.entries(r).reverse()))
          : shuffledRoutes;
        await Deno.writeTextFile(
          `${dir.path}/.rtt/routes.json`,
          JSON.stringify({ routes: rs }, null, reverseKeys ? 4 : 1),
        );
        // Manifests under other file names, created in another order.
        const mdir = `${dir.path}/.rtt/manifests`;
        const texts = new Map<string, string>();
        for (const m of manifests) texts.set(m, await Deno.readTextFile(`${mdir}/${m}`));
        for (const m of manifests) await Deno.remove(`${mdir}/${m}`);
        for (const [i, m] of manifestOrder.entries()) {
          await Deno.writeTextFile(`${mdir}/z${manifests.length - i}-${m}`, texts.get(m)!);
        }
        const [name, bytes] = await planBytes(dir.path, env);
        assert.equal(name, refName);
        assert.equal(bytes, refBytes);
      },
    ),
    { numRuns: 4 },
  );
});

Deno.test("rtt-deno plan takes created_at from SOURCE_DATE_EPOCH and refuses a malformed one", async () => {
  await using dir = await tempDir();
  await copySample(dir.path);
  assert.equal((await rtt(["init", dir.path])).code, 0);
  const [, bytes] = await planBytes(dir.path, { SOURCE_DATE_EPOCH: "1700000000" });
  assert.equal(JSON.parse(bytes).created_at, "2023-11-14T22:13:20Z");
  const bad = await rtt(["-w", dir.path, "plan"], { env: { SOURCE_DATE_EPOCH: "soon" } });
  assert.equal(bad.code, 64);
  assert.match(bad.stderr, /SOURCE_DATE_EPOCH must be a whole number of seconds/);
});
