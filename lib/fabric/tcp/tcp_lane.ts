/**
 * The tcp lane: {@linkcode streamLane} over a 127.0.0.1 connection; any other
 * address is refused, since the fabric is local by design.
 *
 * @module
 */
import type { Lane, LaneListener } from "../lane/mod.ts";
import { streamLane, type StreamLaneOptions } from "../stream/mod.ts";

/** The only address the tcp lane accepts: the fabric is local by design. */
export const TCP_LOOPBACK = "127.0.0.1";

/** Where a tcp lane listens or connects. */
export interface TcpAddress {
  /** Port (0 lets the OS pick when listening). */
  port: number;
  /** Must be 127.0.0.1 (the default). */
  hostname?: string;
}

function checkAddress(addr: TcpAddress, ctx: string): number {
  const host = addr?.hostname ?? TCP_LOOPBACK;
  if (host !== TCP_LOOPBACK) {
    throw new RangeError(`${ctx}: address "${host}" is refused, only ${TCP_LOOPBACK} is allowed`);
  }
  const port = addr.port;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new RangeError(`${ctx}: port ${port} is not in 0..65535`);
  }
  return port;
}

/** Listens on 127.0.0.1 for the one peer of a link; any other address is a RangeError. */
export function listenTcp(addr: TcpAddress, options: StreamLaneOptions = {}): LaneListener {
  const port = checkAddress(
    addr,
    `Cannot listen on tcp lane ${addr?.hostname ?? ""}:${addr?.port}`,
  );
  const listener = Deno.listen({ transport: "tcp", hostname: TCP_LOOPBACK, port });
  const bound = (listener.addr as Deno.NetAddr).port;
  let closed = false;
  const close = () => {
    if (!closed) {
      closed = true;
      listener.close();
    }
  };
  return {
    address: `${TCP_LOOPBACK}:${bound}`,
    port: bound,
    async accept(): Promise<Lane> {
      const conn = await listener.accept();
      conn.setNoDelay(true);
      return streamLane(conn, "tcp", { ...options, label: `${TCP_LOOPBACK}:${bound}` });
    },
    close,
    [Symbol.asyncDispose]() {
      close();
      return Promise.resolve();
    },
  };
}

/** Connects to a tcp lane on 127.0.0.1; any other address is a RangeError. */
export async function connectTcp(addr: TcpAddress, options: StreamLaneOptions = {}): Promise<Lane> {
  const port = checkAddress(addr, `Cannot connect tcp lane ${addr?.hostname ?? ""}:${addr?.port}`);
  const conn = await Deno.connect({ transport: "tcp", hostname: TCP_LOOPBACK, port });
  conn.setNoDelay(true);
  return streamLane(conn, "tcp", { ...options, label: `${TCP_LOOPBACK}:${port}` });
}
