import assert from "node:assert/strict";
import { SchemaError } from "../core/mod.ts";
import { parseSource } from "./validate.ts";

function problem(file: string, text: string) {
  try {
    parseSource(file, text);
  } catch (err) {
    assert.ok(err instanceof SchemaError, String(err));
    return err.problems[0];
  }
  assert.fail(`${file} was accepted: ${text}`);
}

Deno.test("parseSource() refuses a key given twice in one object, naming its position", () => {
  const p = problem(
    "policy.json",
    '{\n  "acl": {"default": "deny"},\n  "acl": {"default": "allow"}\n}',
  );
  assert.deepEqual([p.pointer, p.line, p.column], ["/acl", 3, 3]);
  assert.match(p.message, /duplicate key "acl"/);
  const nested = problem("x.json", '{"a": [{"k": 1, "k": 2}]}');
  assert.equal(nested.pointer, "/a/0/k");
  // The same key in two different objects is fine.
  assert.deepEqual(parseSource("x.json", '{"a": {"k": 1}, "b": {"k": 1}}').value, {
    a: { k: 1 },
    b: { k: 1 },
  });
});

Deno.test("parseSource() refuses numbers JSON.parse would round or overflow", () => {
  assert.match(problem("m.json", '{"qos": {"burst": 1e999}}').message, /1e999 is out of range/);
  const big = problem("m.json", '{"n": 9007199254740993}');
  assert.deepEqual([big.pointer, big.line], ["/n", 1]);
  assert.match(big.message, /beyond 2\^53/);
  assert.equal(
    (parseSource("m.json", '{"n": 9007199254740991, "f": 1.5e3}').value as { n: number }).n,
    9007199254740991,
  );
  assert.match(
    problem("panel.yaml", "health: {heartbeat_ms: .inf}\n").message,
    /not a finite number/,
  );
});
