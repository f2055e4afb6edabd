import assert from "node:assert/strict";
import fc from "fast-check";
import canonicalizeRef from "canonicalize";
import { canonicalize } from "./canonical_json.ts";
import { hashJson } from "./hash.ts";

Deno.test("canonicalize() sorts keys by UTF-16 code units and drops whitespace", () => {
  assert.equal(
    canonicalize({ b: 1, a: [true, null, "x"], "é": 0, "Z": { d: 2, c: 1 } }),
    '{"Z":{"c":1,"d":2},"a":[true,null,"x"],"b":1,"é":0}',
  );
});

Deno.test("canonicalize() formats numbers as ECMAScript shortest form", () => {
  assert.equal(canonicalize([1e21, 0.1, -0, 1.5e-7, 100]), "[1e+21,0.1,0,1.5e-7,100]");
});

Deno.test("canonicalize() refuses values JSON cannot hold", () => {
  assert.throws(() => canonicalize({ a: NaN }), TypeError);
  assert.throws(() => canonicalize({ a: 1n }), TypeError);
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  assert.throws(() => canonicalize(cyclic), /cyclic/);
});

Deno.test("canonicalize() matches the reference RFC 8785 implementation on random JSON", () => {
  fc.assert(
    fc.property(fc.jsonValue(), (v) => {
      assert.equal(canonicalize(v), canonicalizeRef(v));
    }),
    { numRuns: 500 },
  );
});

Deno.test("canonicalize() is stable under key reordering and unicode keys", () => {
  fc.assert(
    fc.property(fc.dictionary(fc.string({ unit: "grapheme" }), fc.jsonValue()), (obj) => {
      const reversed = Object.fromEntries(Object.entries(obj).reverse());
      assert.equal(canonicalize(reversed), canonicalize(obj));
      assert.equal(hashJson(reversed), hashJson(obj));
    }),
    { numRuns: 300 },
  );
});
