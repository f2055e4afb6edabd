// Shared by the cross-process fabric tests and their peer script: endpoints, the frame
// size mix, payload patterns, and spawning the peer as a real second Deno process.
import { Buffer } from "node:buffer";
import {
  connectTcp,
  connectUds,
  type Lane,
  type LaneKind,
  listenTcp,
  listenUds,
  openShmLane,
  type ShmLaneOptions,
  type StreamLaneOptions,
} from "../lib/fabric/mod.ts";

export type Endpoint =
  | { kind: "shm"; name: string; role: "create" | "attach"; capacity?: number }
  | { kind: "uds"; path: string }
  | { kind: "tcp"; port: number };

export type LaneOpts = Omit<ShmLaneOptions, "role" | "capacity"> & StreamLaneOptions;

/** Frame i's payload length: mostly small, some 8 KiB, a few near 64 KiB. */
export function sizeOf(i: number): number {
  if (i % 1000 === 999) return 65_000;
  if (i % 100 === 50) return 8192;
  return (i * 7919) % 257;
}

const PATTERN = (() => {
  const p = new Uint8Array(65_536 + 256);
  for (let k = 0; k < p.length; k++) p[k] = (k * 13 + (k >> 8)) & 0xff;
  return p;
})();

/** Deterministic payload of frame i (a view: cheap to send 1M of them). */
export function payloadOf(i: number, len = sizeOf(i)): Uint8Array {
  const off = i % 251;
  return PATTERN.subarray(off, off + len);
}

/** Byte-exact comparison at memcmp speed. */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length &&
    Buffer.from(a.buffer, a.byteOffset, a.length).equals(
      Buffer.from(b.buffer, b.byteOffset, b.length),
    );
}

/** Opens the connecting / attaching side of an endpoint (the peer's side). */
export function connect(ep: Endpoint, opts: LaneOpts = {}): Promise<Lane> {
  if (ep.kind === "shm") {
    return openShmLane(ep.name, { ...opts, role: ep.role, capacity: ep.capacity });
  }
  if (ep.kind === "uds") return connectUds(ep.path, opts);
  return connectTcp({ port: ep.port }, opts);
}

/**
 * Opens the local side and tells how the peer reaches it. For shm the local side creates
 * the rings; for sockets it listens and `accept` must be awaited after the peer starts.
 */
export async function serve(
  kind: LaneKind,
  opts: LaneOpts & { capacity?: number } = {},
): Promise<{ peer: Endpoint; accept: () => Promise<Lane>; cleanup: () => Promise<void> }> {
  if (kind === "shm") {
    const name = `x-${Deno.pid}-${crypto.randomUUID().slice(0, 8)}`;
    const lane = await openShmLane(name, { ...opts, role: "create" });
    return {
      peer: { kind, name, role: "attach" },
      accept: () => Promise.resolve(lane),
      cleanup: () => Promise.resolve(),
    };
  }
  if (kind === "uds") {
    const dir = await Deno.makeTempDir();
    const path = `${dir}/fabric.sock`;
    const l = listenUds(path, opts);
    return {
      peer: { kind, path },
      accept: () => l.accept(),
      cleanup: async () => {
        l.close();
        await Deno.remove(dir, { recursive: true }).catch(() => {});
      },
    };
  }
  const l = listenTcp({ port: 0 }, opts);
  return {
    peer: { kind, port: l.port },
    accept: () => l.accept(),
    cleanup: () => Promise.resolve(l.close()),
  };
}

/** What the test tells the peer to do. */
export interface PeerSpec {
  mode: "receive" | "send" | "hold" | "corrupt" | "create_and_die";
  endpoint: Endpoint;
  count?: number;
  /** Fixed payload size the sender uses (default: the {@link sizeOf} mix). */
  size?: number;
  opts?: LaneOpts;
}

/** A running peer process: JSON lines from its stdout, a line-based stdin, and kill(). */
export class Peer {
  readonly child: Deno.ChildProcess;
  #lines: AsyncIterator<string>;
  #stdin: WritableStreamDefaultWriter<Uint8Array>;

  constructor(spec: PeerSpec, env: Record<string, string> = {}) {
    const script = new URL("./fabric_peer.ts", import.meta.url).pathname;
    const config = new URL("../deno.json", import.meta.url).pathname;
    this.child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-q", "--config", config, "-P=rtt", script, JSON.stringify(spec)],
      stdin: "piped",
      stdout: "piped",
      stderr: "inherit",
      env,
    }).spawn();
    this.#stdin = this.child.stdin.getWriter();
    this.#lines = this.child.stdout.pipeThrough(new TextDecoderStream()).pipeThrough(
      new TransformStream<string, string>(
        {
          buffer: "",
          transform(chunk, ctl) {
            const parts = (this.buffer + chunk).split("\n");
            this.buffer = parts.pop()!;
            for (const p of parts) if (p.trim()) ctl.enqueue(p);
          },
          flush(ctl) {
            if (this.buffer.trim()) ctl.enqueue(this.buffer);
          },
        } as Transformer<string, string> & { buffer: string },
      ),
    )[Symbol.asyncIterator]();
  }

  /** Next JSON event from the peer; throws if it exits first. */
  async next(): Promise<Record<string, unknown>> {
    const r = await this.#lines.next();
    if (r.done) throw new Error("peer exited without reporting");
    return JSON.parse(r.value);
  }

  /** Sends one line to the peer's stdin. */
  async tell(line: string): Promise<void> {
    await this.#stdin.write(new TextEncoder().encode(line + "\n"));
  }

  /** Waits for exit (closing stdin first) and returns the exit code. */
  async finish(): Promise<number> {
    await this.#stdin.close().catch(() => {});
    for (;;) {
      const r = await this.#lines.next().catch(() => ({ done: true }));
      if (r.done) break;
    }
    return (await this.child.status).code;
  }

  /** SIGKILL, as a crash would. */
  kill(): void {
    try {
      this.child.kill("SIGKILL");
    } catch { /* already exited */ }
  }
}

/** Events the peer reports when done receiving. */
export interface DoneEvent {
  received: number;
  errors: number;
  firstError: string;
  marks: number[];
  counters: import("../lib/fabric/mod.ts").LinkCounters;
}

/** Waits for the peer's event named `name`, skipping others. */
export async function until(peer: Peer, name: string): Promise<Record<string, unknown>> {
  for (;;) {
    const e = await peer.next();
    if (e.event === name) return e;
  }
}
