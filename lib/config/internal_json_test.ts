import assert from "node:assert/strict";
import { InputError, MissingInputError, SchemaError } from "../core/mod.ts";
import { tempDir } from "../testing/mod.ts";
import { parseInternalJson, readInternalJson, readInternalJsonIfExists } from "./internal_json.ts";

function schemaError(err: unknown): SchemaError {
  assert.ok(err instanceof SchemaError, String(err));
  assert.equal(err.exitCode, 65);
  return err;
}

Deno.test("parseInternalJson() returns a document that matches its schema", async () => {
  assert.deepEqual(
    await parseInternalJson('{"highest_version": 3}', "trustSeen", { display: "seen.json" }),
    { highest_version: 3 },
  );
});

Deno.test("parseInternalJson() reports malformed JSON at its line and column (65)", async () => {
  await assert.rejects(
    () => parseInternalJson('{\n  "highest_version": 3,\n}', "trustSeen", { display: "s.json" }),
    (err: unknown) => {
      const e = schemaError(err);
      assert.equal(e.file, "s.json");
      assert.match(e.message, /^Invalid "s\.json:3:1" at \/: malformed JSON/);
      return true;
    },
  );
});

Deno.test("parseInternalJson() reports a schema mismatch with pointer and position (65)", async () => {
  const text =
    '{\n  "index_version": 1,\n  "symbols": {\n    "rtt://a/api/b": { "1.0.0": "md5:x" }\n  }\n}';
  await assert.rejects(
    () => parseInternalJson(text, "registryIndex", { display: "index.json" }),
    (err: unknown) => {
      const p = schemaError(err).problems[0];
      assert.equal(p.pointer, "/symbols/rtt:~1~1a~1api~1b/1.0.0");
      assert.equal(p.line, 4);
      assert.match(p.message, /^expected a string matching/);
      return true;
    },
  );
});

Deno.test("parseInternalJson() refuses bytes that are not UTF-8 (65)", async () => {
  await assert.rejects(
    () => parseInternalJson(new Uint8Array([0x7b, 0xff, 0x7d]), "trustSeen", { display: "x" }),
    (err: unknown) => err instanceof InputError && /"x": not valid UTF-8/.test(err.message),
  );
});

Deno.test("readInternalJson() names a missing file (66); readInternalJsonIfExists() returns undefined", async () => {
  await using dir = await tempDir();
  await assert.rejects(
    () => readInternalJson(`${dir.path}/none.json`, "trustSeen", { display: "none.json" }),
    (err: unknown) =>
      err instanceof MissingInputError && /"none\.json": file not found/.test(err.message),
  );
  assert.equal(
    await readInternalJsonIfExists(`${dir.path}/none.json`, "trustSeen", { display: "n" }),
    undefined,
  );
});
