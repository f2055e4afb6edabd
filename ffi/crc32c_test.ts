import assert from "node:assert/strict";
import fc from "fast-check";
import { crc32c, crc32cImplementation, crc32cPortable } from "./crc32c.ts";

Deno.test("crc32cPortable() matches the standard check value", () => {
  assert.equal(crc32cPortable(new TextEncoder().encode("123456789")), 0xe3069283);
  assert.equal(crc32cPortable(new Uint8Array(0)), 0);
});

Deno.test("crc32c() matches the standard check value on the active path", () => {
  assert.equal(crc32c(new TextEncoder().encode("123456789")), 0xe3069283);
});

Deno.test("crc32c() agrees with crc32cPortable() on random data, offsets and seeds", () => {
  fc.assert(
    fc.property(
      fc.uint8Array({ maxLength: 30_000 }),
      fc.nat(7),
      fc.nat(),
      (data, off, seed) => {
        const v = data.subarray(Math.min(off, data.length));
        assert.equal(crc32c(v, seed >>> 0), crc32cPortable(v, seed >>> 0));
      },
    ),
    { numRuns: 200 },
  );
});

Deno.test("crc32c() continues from a seed like one pass over the whole input", () => {
  const data = crypto.getRandomValues(new Uint8Array(65536));
  assert.equal(crc32c(data.subarray(1000), crc32c(data.subarray(0, 1000))), crc32c(data));
  assert.equal(
    crc32cPortable(data.subarray(1000), crc32cPortable(data.subarray(0, 1000))),
    crc32cPortable(data),
  );
});

Deno.test("crc32cImplementation() reports portable when RTT_FFI_DISABLE=1", () => {
  const impl = crc32cImplementation();
  if (Deno.env.get("RTT_FFI_DISABLE") === "1") assert.equal(impl, "portable");
  else assert.ok(["sse4.2", "native-table", "portable"].includes(impl));
});
