import assert from "node:assert/strict";
import { InputError, MissingInputError } from "./errors.ts";
import { readInputText } from "./input_file.ts";

const opts = { what: "plan", maxBytes: 16 };

Deno.test("readInputText() refuses devices, FIFOs and folders before reading a byte", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const fifo = `${dir}/fifo`;
    const mk = await new Deno.Command("mkfifo", { args: [fifo] }).output();
    assert.ok(mk.success);
    for (const path of ["/dev/zero", fifo, dir]) {
      await assert.rejects(
        () => readInputText(path, opts),
        (e: unknown) =>
          e instanceof InputError && e.file === path && /not a regular file/.test(e.message),
      );
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("readInputText() refuses a file above its limit and names a missing one", async () => {
  const file = await Deno.makeTempFile();
  try {
    await Deno.writeTextFile(file, "x".repeat(16));
    assert.equal(await readInputText(file, opts), "x".repeat(16));
    await Deno.writeTextFile(file, "x".repeat(17));
    await assert.rejects(
      () => readInputText(file, opts),
      /17 bytes is more than the 16-byte limit/,
    );
  } finally {
    await Deno.remove(file);
  }
  await assert.rejects(
    () => readInputText("/nonexistent/x.plan.json", { ...opts, display: "x.plan.json" }),
    (e: unknown) =>
      e instanceof MissingInputError && /"x\.plan\.json": file not found/.test(e.message),
  );
});

Deno.test("readInputText() refuses invalid UTF-8 instead of replacing it", async () => {
  const file = await Deno.makeTempFile();
  try {
    await Deno.writeFile(file, new Uint8Array([0x7b, 0x22, 0xff, 0x22, 0x7d]));
    await assert.rejects(
      () => readInputText(file, { what: "manifest", maxBytes: 64 }),
      (e: unknown) => e instanceof InputError && /not valid UTF-8/.test(e.message),
    );
  } finally {
    await Deno.remove(file);
  }
});
