import assert from "node:assert/strict";
import { processAlive } from "./process.ts";

Deno.test("processAlive() tells a running child from an exited one and refuses bad pids", async () => {
  const child = new Deno.Command("sleep", { args: ["30"] }).spawn();
  try {
    assert.equal(processAlive(child.pid), true);
  } finally {
    child.kill("SIGKILL");
    await child.status;
  }
  assert.equal(processAlive(child.pid), false);
  assert.equal(processAlive(Deno.pid), true);
  assert.equal(processAlive(0), false);
  assert.equal(processAlive(-1), false);
});

Deno.test({
  name: "processAlive() works without the native library",
  async fn() {
    const child = new Deno.Command("sleep", { args: ["30"] }).spawn();
    try {
      const probe = `import { processAlive } from "${new URL("./process.ts", import.meta.url)}";
        console.log(processAlive(${child.pid}), processAlive(${2 ** 31 - 2}));`;
      const out = await new Deno.Command(Deno.execPath(), {
        args: ["eval", "-q", probe],
        env: { RTT_FFI_DISABLE: "1" },
        stdout: "piped",
      }).output();
      assert.equal(new TextDecoder().decode(out.stdout).trim(), "true false");
    } finally {
      child.kill("SIGKILL");
      await child.status;
    }
  },
});
