// The far end of the fabric benchmark: echoes ECHO frames, counts SINK frames, answers
// CONTROL "report" with what it counted. Runs as its own process (see bench.ts).
import { pinThread } from "../../ffi/mod.ts";
import type { Lane, LaneKind } from "./lane/mod.ts";
import { openShmLane } from "./shm/mod.ts";
import { connectUds } from "./uds/mod.ts";
import { connectTcp } from "./tcp/mod.ts";

export const ROUTE_ECHO = 1;
export const ROUTE_SINK = 2;
export const ROUTE_CONTROL = 3;

export interface BenchPeerSpec {
  kind: LaneKind;
  /** shm link name, uds path, or tcp port. */
  address: string;
  spinNs: number;
  maxPayload: number;
  pinCpu?: number;
}

export async function connectBenchLane(spec: BenchPeerSpec): Promise<Lane> {
  const opts = {
    maxPayload: spec.maxPayload,
    spinNs: spec.spinNs,
    capacityBytes: 4 << 20,
    reuseReceiveBuffer: true,
  };
  if (spec.kind === "shm") return await openShmLane(spec.address, { ...opts, role: "attach" });
  if (spec.kind === "uds") return await connectUds(spec.address, opts);
  return await connectTcp({ port: Number(spec.address) }, opts);
}

export async function runBenchPeer(spec: BenchPeerSpec): Promise<void> {
  if (spec.pinCpu !== undefined) {
    try {
      pinThread([spec.pinCpu]);
    } catch { /* pinning is an optimisation; without native it is skipped */ }
  }
  const lane = await connectBenchLane(spec);
  const enc = new TextEncoder();
  const dec = new TextDecoder();
  let frames = 0;
  let bytes = 0;
  try {
    for (;;) {
      const f = await lane.receive();
      if (f === null) break;
      if (f.routeId === ROUTE_ECHO) {
        await lane.write(f.payload, { routeId: ROUTE_ECHO, frameId: f.frameId });
      } else if (f.routeId === ROUTE_SINK) {
        frames++;
        bytes += f.payload.length;
      } else if (f.routeId === ROUTE_CONTROL) {
        const cmd = dec.decode(f.payload);
        if (cmd === "exit") break;
        if (cmd === "report") {
          const rep = enc.encode(JSON.stringify({ frames, bytes }));
          frames = 0;
          bytes = 0;
          await lane.write(rep, { routeId: ROUTE_CONTROL, frameId: f.frameId });
        }
      }
    }
  } finally {
    await lane.close();
  }
}

if (import.meta.main) {
  await runBenchPeer(JSON.parse(Deno.args[0]));
}
