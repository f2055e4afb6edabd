import assert from "node:assert/strict";
import { INTERNAL_SCHEMAS, type InternalSchemaName, SCHEMAS, validatorFor } from "./schemas.ts";

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

Deno.test("every schema is a valid draft-07 schema (the product skips this check at start)", async () => {
  const { default: Ajv } = await import("ajv");
  // deno-lint-ignore no-explicit-any
  const ajv = new (Ajv as any)({ strict: false });
  for (const [name, schema] of Object.entries({ ...SCHEMAS, ...INTERNAL_SCHEMAS })) {
    assert.equal(ajv.validateSchema(schema), true, `${name}: ${ajv.errorsText(ajv.errors)}`);
  }
  // And a broken one is caught, so the check is real.
  assert.equal(ajv.validateSchema({ type: "no-such-type" }), false);
});

Deno.test("an ahead-of-time validator reports the same problems as a runtime-compiled one", async () => {
  const { default: Ajv } = await import("ajv");
  const { AJV_OPTIONS, SCHEMAS } = await import("./schemas.ts");
  // deno-lint-ignore no-explicit-any
  const ajv = new (Ajv as any)(AJV_OPTIONS);
  for (const s of [...Object.values(SCHEMAS), ...Object.values(INTERNAL_SCHEMAS)]) ajv.addSchema(s);
  const bad = { state_version: 1, seq: "one", graph_hash: 7, graph: { routes: [{}] } };
  const aot = await validatorFor("state");
  const runtime = ajv.getSchema(INTERNAL_SCHEMAS.state.$id);
  assert.equal(aot(bad), false);
  assert.equal(runtime(bad), false);
  const brief = (errs: Array<{ instancePath: string; keyword: string }>) =>
    errs.map((e) => `${e.instancePath} ${e.keyword}`);
  assert.deepEqual(brief(aot.errors!), brief(runtime.errors));
});
