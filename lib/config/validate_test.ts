import assert from "node:assert/strict";
import { SchemaError } from "../core/mod.ts";
import { parseSource, validateDocument } from "./validate.ts";
import { DEFAULT_PANEL_YAML, DEFAULT_POLICY } from "./defaults.ts";

async function problems(
  schema: "panel" | "routes" | "policy" | "symbol",
  file: string,
  text: string,
) {
  try {
    await validateDocument(schema, parseSource(file, text));
  } catch (err) {
    assert.ok(err instanceof SchemaError, String(err));
    return err.problems;
  }
  return [];
}

Deno.test("validateDocument() accepts the default configuration", async () => {
  assert.deepEqual(await problems("panel", "panel.yaml", DEFAULT_PANEL_YAML), []);
  assert.deepEqual(await problems("policy", "policy.json", JSON.stringify(DEFAULT_POLICY)), []);
});

Deno.test("validateDocument() reports a missing field with its parent's position", async () => {
  const p = await problems(
    "routes",
    "r.json",
    '{\n  "routes": [\n    { "from": "rtt://a/b/c" }\n  ]\n}',
  );
  assert.equal(p.length, 1);
  assert.deepEqual({ ...p[0] }, {
    file: "r.json",
    pointer: "/routes/0",
    line: 3,
    column: 5,
    message: 'missing field "to"',
  });
});

Deno.test("validateDocument() reports a wrong type at the value's line and column", async () => {
  const p = await problems(
    "panel",
    "p.yaml",
    DEFAULT_PANEL_YAML.replace("heartbeat_ms: 250", "heartbeat_ms: fast"),
  );
  assert.equal(p[0].pointer, "/health/heartbeat_ms");
  assert.equal(p[0].message, "expected integer");
  const line = DEFAULT_PANEL_YAML.split("\n").findIndex((l) => l.includes("heartbeat_ms")) + 1;
  assert.equal(p[0].line, line);
});

Deno.test("validateDocument() reports out-of-range numbers, enums, patterns and unknown fields", async () => {
  const yaml = DEFAULT_PANEL_YAML
    .replace("heartbeat_ms: 250", "heartbeat_ms: 50")
    .replace("prefer: [shm, uds, tcp]", "prefer: [shm, pigeon]")
    .replace("unix: ./.rtt/sockets/panel.sock", "unix: /tmp/panel.sock")
    .replace("rewire_atomic: true", "rewire_atomic: true\n  turbo: on");
  const p = await problems("panel", "p.yaml", yaml);
  const byPointer = Object.fromEntries(p.map((x) => [x.pointer, x.message]));
  assert.equal(byPointer["/health/heartbeat_ms"], "expected a number >= 100");
  assert.equal(byPointer["/routing/prefer/1"], 'expected one of "shm", "uds", "tcp"');
  assert.match(byPointer["/api/listen/unix"], /^expected a string matching/);
  assert.equal(byPointer["/routing/turbo"], 'unknown field "turbo"');
  for (const x of p) assert.ok(x.line && x.column, `position for ${x.pointer}`);
});

Deno.test("validateDocument() refuses duplicate lanes in routing.prefer", async () => {
  const p = await problems(
    "panel",
    "p.yaml",
    DEFAULT_PANEL_YAML.replace("prefer: [shm, uds, tcp]", "prefer: [shm, shm]"),
  );
  assert.match(p[0].message, /unique/);
});

Deno.test("parseSource() reports malformed JSON and YAML with a position", () => {
  assert.throws(() => parseSource("x.json", '{\n  "a": 1,\n}'), (err: unknown) => {
    assert.ok(err instanceof SchemaError);
    assert.equal(err.problems[0].line, 3);
    assert.match(err.message, /^Invalid "x\.json:3:1" at \/: malformed JSON/);
    return true;
  });
  assert.throws(() => parseSource("x.yaml", "a: [1, 2\nb: 3\n"), (err: unknown) => {
    assert.ok(err instanceof SchemaError);
    assert.ok(err.problems[0].line! >= 1);
    assert.match(err.message, /malformed YAML/);
    return true;
  });
});

Deno.test("validateDocument() checks symbol manifests' semver and saddr", async () => {
  const p = await problems(
    "symbol",
    "m.json",
    JSON.stringify({ saddr: "rtt://x/api", kind: "api", version: "1.0" }, null, 2),
  );
  const pointers = p.map((x) => x.pointer).sort();
  assert.deepEqual(pointers, ["/saddr", "/version"]);
});
