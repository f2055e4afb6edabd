import assert from "node:assert/strict";
import { unzipSync, zipSync } from "fflate";
import {
  canonicalBytes,
  generateKeyPair,
  SchemaError,
  sha256Hex,
  workspaceAt,
} from "../core/mod.ts";
import { manifest, tempDir } from "../testing/mod.ts";
import { encodeBundle, frameBundle, openBundle } from "./bundle.ts";
import { encodePack } from "./build_pack.ts";
import { encodeObject, readObject } from "./object.ts";
import { readIndexFile } from "./registry_index.ts";

function positioned(file: string, pointer: string, message: RegExp) {
  return (err: unknown) => {
    assert.ok(err instanceof SchemaError, String(err));
    assert.equal(err.exitCode, 65);
    const p = err.problems[0];
    assert.equal(p.file, file);
    assert.equal(p.pointer, pointer);
    assert.ok(p.line && p.column, "has a position");
    assert.match(p.message, message);
    return true;
  };
}

Deno.test("readIndexFile() reports a damaged index.json at its position (65)", async () => {
  await using dir = await tempDir();
  const ws = workspaceAt(dir.path);
  await Deno.mkdir(ws.registry, { recursive: true });
  await Deno.writeTextFile(
    `${ws.registry}/index.json`,
    '{\n  "index_version": 1,\n  "symbols": { "rtt://a/api/b": { "1.0.0": 7 } }\n}\n',
  );
  await assert.rejects(
    () => readIndexFile(ws),
    positioned(".rtt/registry/index.json", "/symbols/rtt:~1~1a~1api~1b/1.0.0", /expected string/),
  );
});

Deno.test("readObject() reports a damaged CAS object at its position (65)", async () => {
  await using dir = await tempDir();
  const ws = workspaceAt(dir.path);
  await Deno.mkdir(ws.cas, { recursive: true });
  const m = manifest("rtt://a/api/b", "1.0.0");
  const hex = await sha256Hex(canonicalBytes(m));
  await Deno.writeTextFile(`${ws.cas}/${hex}.json`, JSON.stringify({ manifest: m }, null, 2));
  await assert.rejects(
    () => readObject(ws, `sha256:${hex}`),
    positioned(`.rtt/registry/cas/sha256/${hex}.json`, "", /missing field "signatures"/),
  );
});

Deno.test("openBundle() reports a damaged bundle index at its position (65)", async () => {
  const m = manifest("rtt://a/api/b", "1.0.0");
  const object = encodeObject({ manifest: m as never, signatures: [] });
  const { pack, lut } = await encodePack([
    { hash: `sha256:${await sha256Hex(canonicalBytes(m))}`, bytes: object },
  ]);
  const good = await encodeBundle(
    new Map([
      ["registry/pack/agents.pack", pack],
      ["registry/pack/index.lut", lut],
      ["registry/index.json", canonicalBytes({ index_version: 1, symbols: {} })],
    ]),
    await generateKeyPair(),
  );
  const entries = unzipSync(good.subarray(8, good.length - 32));
  const index = JSON.parse(new TextDecoder().decode(entries["bundle.json"]));
  index.signed.bundle_version = 2;
  const bad = await frameBundle(
    zipSync({ ...entries, "bundle.json": new TextEncoder().encode(JSON.stringify(index)) }),
  );
  await assert.rejects(
    () => openBundle(bad, "x.rttb"),
    positioned("x.rttb:bundle.json", "/signed/bundle_version", /expected 1/),
  );
});
