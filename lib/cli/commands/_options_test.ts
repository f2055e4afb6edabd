import assert from "node:assert/strict";
import { InvalidArgumentError } from "commander";
import { listOf, wholeNumber } from "./_options.ts";

Deno.test("listOf() splits commas, accumulates repeats once and checks allowed values", () => {
  const any = listOf();
  assert.deepEqual(any(" b ,a", any("a", undefined)), ["a", "b"]);
  const roles = listOf(["root", "plans"]);
  assert.deepEqual(roles("plans,root", undefined), ["plans", "root"]);
  assert.throws(() => roles("admin", undefined), InvalidArgumentError);
  assert.throws(() => roles(",", undefined), InvalidArgumentError);
});

Deno.test("wholeNumber() accepts integers only", () => {
  assert.equal(wholeNumber("3"), 3);
  for (const bad of ["", " ", "x", "2.5"]) {
    assert.throws(() => wholeNumber(bad), InvalidArgumentError);
  }
});
