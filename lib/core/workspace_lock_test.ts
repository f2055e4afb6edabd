import assert from "node:assert/strict";
import { IoError } from "./errors.ts";
import { workspaceAt } from "./workspace.ts";
import { holdWorkspaceLock } from "../testing/mod.ts";
import {
  acquireWorkspaceLock,
  readWorkspaceLock,
  type Workspace,
  workspaceLockPath,
} from "./mod.ts";

async function lockedWorkspace(): Promise<{ ws: Workspace } & AsyncDisposable> {
  const root = await Deno.makeTempDir({ prefix: "rtt-lock-" });
  const ws = workspaceAt(root);
  await Deno.mkdir(ws.rtt);
  return { ws, [Symbol.asyncDispose]: () => Deno.remove(root, { recursive: true }) };
}

Deno.test("acquireWorkspaceLock() writes the owner record and release() removes the file", async () => {
  await using t = await lockedWorkspace();
  const lock = await acquireWorkspaceLock(t.ws, "registry ingest");
  assert.equal(lock.owner.pid, Deno.pid);
  assert.deepEqual(await readWorkspaceLock(t.ws), lock.owner);
  assert.deepEqual(JSON.parse(await Deno.readTextFile(workspaceLockPath(t.ws))), lock.owner);
  await lock.release();
  await lock.release();
  assert.equal(await readWorkspaceLock(t.ws), null);
  await assert.rejects(() => Deno.stat(workspaceLockPath(t.ws)), Deno.errors.NotFound);
});

Deno.test("acquireWorkspaceLock() waits for a holder that lets go, and names one that does not (74)", async () => {
  await using t = await lockedWorkspace();
  const first = await acquireWorkspaceLock(t.ws, "apply");
  await assert.rejects(
    () => acquireWorkspaceLock(t.ws, "gc", { waitMs: 30 }),
    (e: unknown) =>
      e instanceof IoError && e.exitCode === 74 &&
      e.message.includes(`rtt-deno apply (pid ${Deno.pid}, lock id ${first.owner.id}, since`),
  );
  const waiting = acquireWorkspaceLock(t.ws, "gc", { waitMs: 5000 });
  setTimeout(() => first.release(), 50);
  const second = await waiting;
  assert.equal((await readWorkspaceLock(t.ws))?.command, "gc");
  await second.release();
});

Deno.test({
  name: "a holder killed with SIGKILL leaves no lock: the next writer takes it at once",
  sanitizeResources: false,
  fn: async () => {
    await using t = await lockedWorkspace();
    {
      await using held = await holdWorkspaceLock(t.ws.root);
      assert.equal((await readWorkspaceLock(t.ws))?.pid, held.pid);
      await assert.rejects(() => acquireWorkspaceLock(t.ws, "apply", { waitMs: 0 }), IoError);
    }
    assert.ok(await Deno.stat(workspaceLockPath(t.ws)), "the dead holder's record is still there");
    assert.equal(await readWorkspaceLock(t.ws), null);
    const lock = await acquireWorkspaceLock(t.ws, "apply", { waitMs: 0 });
    assert.equal((await readWorkspaceLock(t.ws))?.id, lock.owner.id);
    await lock.release();
  },
});

Deno.test("acquireWorkspaceLock() outside a workspace is a missing input (66)", async () => {
  await assert.rejects(
    () => acquireWorkspaceLock(workspaceAt("/nonexistent-rtt-root"), "apply"),
    (e: unknown) => e instanceof Error && "exitCode" in e && e.exitCode === 66,
  );
});
