/**
 * Damaged internal files through the real CLI: exit 65, and the message
 * names the file, line, column and JSON pointer like a damaged user file.
 */
import assert from "node:assert/strict";
import { rtt, tempDir } from "./_helpers.ts";

Deno.test("a damaged index.json, current.json or last_applied.json exits 65 with its position", async () => {
  await using dir = await tempDir();
  assert.equal((await rtt(["init", dir.path])).code, 0);
  const w = ["-w", dir.path];

  await Deno.writeTextFile(
    `${dir.path}/.rtt/registry/index.json`,
    '{\n  "index_version": 2,\n  "symbols": {}\n}\n',
  );
  const list = await rtt([...w, "registry", "ls"]);
  assert.equal(list.code, 65, list.stderr);
  assert.match(
    list.stderr,
    /Invalid "\.rtt\/registry\/index\.json:2:3" at \/index_version: expected 1/,
  );

  await Deno.writeTextFile(`${dir.path}/.rtt/state/current.json`, '{"state_version": 1,');
  const status = await rtt([...w, "status"]);
  assert.equal(status.code, 65, status.stderr);
  assert.match(status.stderr, /Invalid "\.rtt\/state\/current\.json:1:\d+" at \/: malformed JSON/);

  await Deno.remove(`${dir.path}/.rtt/state/current.json`);
  await Deno.writeTextFile(`${dir.path}/plans/last_applied.json`, '{\n  "plan_id": 7\n}\n');
  const last = await rtt([...w, "status"]);
  assert.equal(last.code, 65, last.stderr);
  assert.match(last.stderr, /plans\/last_applied\.json:\d+:\d+" at /);
});
