/**
 * The bench side of a two-process lane: listen (or create the shm ring), start the peer
 * process, accept its connection, and tear both down again.
 *
 * @module
 */
import { FailureError } from "../../core/mod.ts";
import type { Lane, LaneKind } from "../lane/mod.ts";
import { openShmLane } from "../shm/mod.ts";
import { listenUds } from "../uds/mod.ts";
import { listenTcp } from "../tcp/mod.ts";
import { benchLaneOptions, type BenchPeerSpec, ROUTE_CONTROL } from "./_peer.ts";
import type { PeerCommand } from "./types.ts";

/** A connected lane to a running peer. */
export interface Served {
  lane: Lane;
  /** Tells the peer to exit, waits for it (killing it after 5 s) and closes the lane. */
  close: () => Promise<void>;
}

/** Runs `_peer.ts` with this Deno, or re-enters a compiled binary in peer mode. */
export function defaultPeerCommand(specJson: string): { command: string; args: string[] } {
  const exe = Deno.execPath();
  const peer = new URL("./_peer.ts", import.meta.url);
  const base = exe.slice(exe.lastIndexOf("/") + 1);
  if (peer.protocol === "file:" && base.startsWith("deno")) {
    const config = decodeURIComponent(new URL("../../../deno.json", import.meta.url).pathname);
    return {
      command: exe,
      args: [
        "run",
        "-q",
        "--config",
        config,
        "-P=rtt",
        decodeURIComponent(peer.pathname),
        specJson,
      ],
    };
  }
  // A compiled binary cannot run a script: it re-enters itself in peer mode.
  return { command: exe, args: ["bench", "fabric", "--peer", specJson] };
}

interface Endpoint {
  address: string;
  accept: () => Promise<Lane>;
  stopListening: () => void;
  cleanUp: () => Promise<void>;
}

async function listen(
  kind: LaneKind,
  opts: { spinNs: number; maxPayload: number },
): Promise<Endpoint> {
  const laneOpts = benchLaneOptions(opts);
  const none = { stopListening: () => {}, cleanUp: () => Promise.resolve() };
  if (kind === "shm") {
    const address = `bench-${Deno.pid}-${crypto.randomUUID().slice(0, 8)}`;
    // Room for four of the largest frames, so throughput never waits on one slot.
    const capacity = Math.max(4 << 20, 2 ** Math.ceil(Math.log2((opts.maxPayload + 64) * 4)));
    const lane = await openShmLane(address, { ...laneOpts, role: "create", capacity });
    return { ...none, address, accept: () => Promise.resolve(lane) };
  }
  if (kind === "uds") {
    const tmp = await Deno.makeTempDir({ prefix: "rtt-bench-" });
    const l = listenUds(`${tmp}/bench.sock`, laneOpts);
    return {
      address: l.address,
      accept: () => l.accept(),
      stopListening: () => l.close(),
      cleanUp: () => Deno.remove(tmp, { recursive: true }).catch(() => {}),
    };
  }
  const l = listenTcp({ port: 0 }, laneOpts);
  return {
    ...none,
    address: String(l.port),
    accept: () => l.accept(),
    stopListening: () => l.close(),
  };
}

function kill(child: Deno.ChildProcess): void {
  try {
    child.kill("SIGKILL");
  } catch { /* exited */ }
}

/** Opens a `kind` lane and starts a peer process on its far end. */
export async function serveWithPeer(
  kind: LaneKind,
  opts: { spinNs: number; maxPayload: number; pinCpu?: number },
  peerCommand: PeerCommand,
): Promise<Served> {
  const endpoint = await listen(kind, opts);
  const spec: BenchPeerSpec = {
    kind,
    address: endpoint.address,
    spinNs: opts.spinNs,
    maxPayload: opts.maxPayload,
    pinCpu: opts.pinCpu,
  };
  const { command, args } = peerCommand(JSON.stringify(spec));
  const child = new Deno.Command(command, { args, stdin: "null", stdout: "null", stderr: "piped" })
    .spawn();
  const stderr = new Response(child.stderr).text();
  let lane: Lane;
  try {
    lane = await Promise.race([
      endpoint.accept(),
      child.status.then(async (s) => {
        const why = (await stderr).trim();
        throw new FailureError(
          `Cannot run fabric bench: the ${kind} peer exited (${s.code}): ${why}`,
        );
      }),
    ]);
  } catch (e) {
    endpoint.stopListening();
    kill(child);
    await endpoint.cleanUp();
    throw e;
  }
  endpoint.stopListening();
  return {
    lane,
    close: async () => {
      try {
        await lane.write(new TextEncoder().encode("exit"), { routeId: ROUTE_CONTROL, frameId: 0 });
        await lane.flush();
      } catch { /* peer already gone */ }
      const timer = setTimeout(() => kill(child), 5000);
      await child.status;
      clearTimeout(timer);
      await stderr;
      await lane.close();
      await endpoint.cleanUp();
    },
  };
}
