/**
 * The uds lane: {@linkcode streamLane} over a Unix-domain socket, one peer
 * per listening socket file.
 *
 * @module
 */
import type { Lane, LaneListener } from "../lane/mod.ts";
import { streamLane, type StreamLaneOptions } from "../stream/mod.ts";
import { IoError } from "../../core/mod.ts";

function checkPath(path: string, ctx: string): void {
  if (typeof path !== "string" || path.length === 0 || path.length > 107) {
    throw new TypeError(`${ctx}: socket path must be 1..107 bytes (sun_path limit)`);
  }
}

/**
 * Listens on a Unix socket for the one peer of a link. A socket file left by a dead
 * listener is removed first; any other existing file is refused.
 */
export function listenUds(path: string, options: StreamLaneOptions = {}): LaneListener {
  const ctx = `Cannot listen on uds lane "${path}"`;
  checkPath(path, ctx);
  try {
    const st = Deno.lstatSync(path);
    if (!st.isSocket) throw new IoError(`${ctx}: a non-socket file is there`);
    Deno.removeSync(path);
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  const listener = Deno.listen({ transport: "unix", path });
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    listener.close();
    try {
      Deno.removeSync(path);
    } catch { /* already gone */ }
  };
  return {
    address: path,
    port: 0,
    async accept(): Promise<Lane> {
      const conn = await listener.accept();
      return streamLane(conn, "uds", { ...options, label: `"${path}"` });
    },
    close,
    [Symbol.asyncDispose]() {
      close();
      return Promise.resolve();
    },
  };
}

/** Connects to a uds lane listener. */
export async function connectUds(path: string, options: StreamLaneOptions = {}): Promise<Lane> {
  checkPath(path, `Cannot connect uds lane "${path}"`);
  const conn = await Deno.connect({ transport: "unix", path });
  return streamLane(conn, "uds", { ...options, label: `"${path}"` });
}
