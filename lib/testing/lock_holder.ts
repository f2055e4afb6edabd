/**
 * A real second writer: a child process that takes a workspace's lock and
 * keeps it until disposed (SIGKILL, so the kernel releases it).
 *
 * @module
 */

/** A child process holding a workspace's lock, killed (SIGKILL) on dispose. */
export interface LockHolder extends AsyncDisposable {
  /** Pid of the holding process. */
  pid: number;
  /** Lock id in its owner record. */
  id: string;
}

/** Starts a process that takes the workspace lock of `root` for `command` and keeps it. */
export async function holdWorkspaceLock(root: string, command = "apply"): Promise<LockHolder> {
  const lockModule = new URL("../core/workspace_lock.ts", import.meta.url).href;
  const code = `import { acquireWorkspaceLock } from "${lockModule}";
    const lock = await acquireWorkspaceLock({ rtt: ${JSON.stringify(`${root}/.rtt`)} }, ${
    JSON.stringify(command)
  });
    console.log(lock.owner.id);
    setInterval(() => {}, 60_000);`;
  const child = new Deno.Command(Deno.execPath(), {
    args: ["eval", "-q", code],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = child.stdout.getReader();
  const { value } = await reader.read();
  reader.releaseLock();
  await child.stdout.cancel();
  return {
    pid: child.pid,
    id: new TextDecoder().decode(value).trim(),
    async [Symbol.asyncDispose]() {
      child.kill("SIGKILL");
      await child.status;
    },
  };
}
