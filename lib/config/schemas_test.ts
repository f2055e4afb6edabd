import assert from "node:assert/strict";
import { INTERNAL_SCHEMAS, type InternalSchemaName, validatorFor } from "./schemas.ts";

// Paths of properties without a description (a $ref to a described definition counts).
function undescribed(node: unknown, path: string, out: string[]): void {
  if (!node || typeof node !== "object") return;
  const n = node as Record<string, unknown>;
  for (const [key, child] of Object.entries((n.properties ?? {}) as Record<string, unknown>)) {
    const c = child as Record<string, unknown>;
    if (typeof c.description !== "string" || c.description === "") out.push(`${path}/${key}`);
    undescribed(c, `${path}/${key}`, out);
  }
  for (const key of ["items", "additionalProperties"]) undescribed(n[key], `${path}/${key}`, out);
  for (const [key, def] of Object.entries((n.definitions ?? {}) as Record<string, unknown>)) {
    undescribed(def, `${path}/definitions/${key}`, out);
  }
}

Deno.test("every internal schema compiles and describes every field", async () => {
  for (const name of Object.keys(INTERNAL_SCHEMAS) as InternalSchemaName[]) {
    const schema = INTERNAL_SCHEMAS[name];
    assert.ok(schema.description, `${name} has a description`);
    const missing: string[] = [];
    undescribed(schema, "", missing);
    assert.deepEqual(missing, [], `${name}: fields without a description`);
    assert.equal(typeof (await validatorFor(name)), "function");
  }
});
