import assert from "node:assert/strict";
import { UsageError } from "../core/mod.ts";
import { nonNegativeInteger, oneOf, percentage } from "./arguments.ts";

Deno.test("oneOf() accepts a listed value and names the others otherwise", () => {
  const solver = oneOf("solver", ["exact", "greedy"] as const);
  assert.equal(solver("greedy"), "greedy");
  assert.throws(
    () => solver("magic"),
    (e) =>
      e instanceof UsageError &&
      e.message === 'Unknown solver "magic": expected one of exact, greedy',
  );
});

Deno.test("nonNegativeInteger() accepts 0 and up, nothing else", () => {
  const seq = nonNegativeInteger("expects a seq");
  assert.equal(seq("0"), 0);
  assert.equal(seq("12"), 12);
  for (const bad of ["", " ", "-1", "1.5", "abc", "1e400"]) {
    assert.throws(() => seq(bad), UsageError, bad);
  }
  assert.throws(() => seq("x"), { message: 'expects a seq, got "x"' });
});

Deno.test("percentage() accepts (0, 100]", () => {
  const canary = percentage("--canary");
  assert.equal(canary("100"), 100);
  assert.equal(canary("12.5"), 12.5);
  for (const bad of ["0", "150", "", "abc", "-5"]) {
    assert.throws(() => canary(bad), UsageError, bad);
  }
});
