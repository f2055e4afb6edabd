/**
 * In-process lane pairs for fabric tests of behaviour that does not need
 * two processes.
 *
 * @module
 */
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
} from "../fabric/mod.ts";

/** Options for both ends of a pair. */
export type PairOptions = Omit<ShmLaneOptions, "role"> & StreamLaneOptions;

/** A shm/socket name no other test process uses. */
export function uniqueName(tag: string): string {
  return `t-${tag}-${Deno.pid}-${crypto.randomUUID().slice(0, 8)}`;
}

/** [sender side, receiver side]; options apply to both ends. */
export async function openPair(kind: LaneKind, options: PairOptions = {}): Promise<[Lane, Lane]> {
  if (kind === "shm") {
    const name = uniqueName("pair");
    const a = await openShmLane(name, { ...options, role: "create" });
    const b = await openShmLane(name, { ...options, role: "attach" });
    return [a, b];
  }
  if (kind === "uds") {
    const dir = await Deno.makeTempDir();
    const path = `${dir}/l.sock`;
    const l = listenUds(path, options);
    const [b, a] = await Promise.all([l.accept(), connectUds(path, options)]);
    l.close();
    await Deno.remove(dir, { recursive: true });
    return [a, b];
  }
  const l = listenTcp({ port: 0 }, options);
  const [b, a] = await Promise.all([l.accept(), connectTcp({ port: l.port }, options)]);
  l.close();
  return [a, b];
}
