import assert from "node:assert/strict";
import { UsageError } from "../../core/mod.ts";
import { listOf } from "./_options.ts";

Deno.test("listOf() splits commas, accumulates repeats once and checks allowed values", () => {
  const any = listOf("key");
  assert.deepEqual(any(" b ,a", any("a", undefined)), ["a", "b"]);
  const roles = listOf("role", ["root", "plans"]);
  assert.deepEqual(roles("plans,root", undefined), ["plans", "root"]);
  assert.throws(() => roles("admin", undefined), UsageError, 'Unknown role "admin"');
  assert.throws(() => roles(",", undefined), UsageError, "No role given");
});
