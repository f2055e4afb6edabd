import assert from "node:assert/strict";
import { GENERATED, generateValidators } from "./gen_validators.ts";

Deno.test("generateValidators() matches the committed file: the ahead-of-time internal validators match the schemas (run scripts/gen_validators.ts)", async () => {
  const root = new URL("..", import.meta.url).pathname;
  const onDisk = await Deno.readTextFile(`${root}${GENERATED}`);
  assert.ok(onDisk === await generateValidators(), `${GENERATED} is stale`);
});
