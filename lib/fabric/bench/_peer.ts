/**
 * The far end of the fabric benchmark: echoes ECHO frames, counts SINK frames, answers
 * CONTROL "report" with what it counted. Runs as its own process, started by _spawn.ts.
 *
 * @module
 */
import { pinThread } from "../../../ffi/mod.ts";
import type { Lane, LaneKind } from "../lane/mod.ts";
import { openShmLane } from "../shm/mod.ts";
import { connectUds } from "../uds/mod.ts";
import { connectTcp } from "../tcp/mod.ts";

export const ROUTE_ECHO = 1;
export const ROUTE_SINK = 2;
export const ROUTE_CONTROL = 3;

/** What the bench tells its peer on the command line (as JSON). */
export interface BenchPeerSpec {
  kind: LaneKind;
  /** shm link name, uds path, or tcp port. */
  address: string;
  spinNs: number;
  maxPayload: number;
  pinCpu?: number;
}

/** Lane settings both ends use: a reused receive buffer keeps the GC out of the figures. */
export function benchLaneOptions(spec: { maxPayload: number; spinNs: number }) {
  return {
    maxPayload: spec.maxPayload,
    spinNs: spec.spinNs,
    capacityBytes: 4 << 20,
    reuseReceiveBuffer: true,
  };
}

function connectBenchLane(spec: BenchPeerSpec): Promise<Lane> {
  const opts = benchLaneOptions(spec);
  if (spec.kind === "shm") return openShmLane(spec.address, { ...opts, role: "attach" });
  if (spec.kind === "uds") return connectUds(spec.address, opts);
  return connectTcp({ port: Number(spec.address) }, opts);
}

/** Serves one bench connection until the bench says "exit" or goes away. */
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
