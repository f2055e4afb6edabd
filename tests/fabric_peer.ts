// The second process of the cross-process fabric tests. Driven by a JSON spec (argv[0])
// and lines on stdin; reports JSON lines on stdout.
import { ShmRing } from "../ffi/mod.ts";
import { encodeFrame, FrameFlags, type Lane, SHM_PREFIX } from "../lib/fabric/mod.ts";
import { connect, payloadOf, type PeerSpec, sameBytes, sizeOf } from "./_fabric_harness.ts";

const spec: PeerSpec = JSON.parse(Deno.args[0]);
const out = (o: Record<string, unknown>) => console.log(JSON.stringify(o));

const stdinLines = Deno.stdin.readable.pipeThrough(new TextDecoderStream())[Symbol.asyncIterator]();
async function waitLine(): Promise<void> {
  await stdinLines.next();
}

async function receiveAll(lane: Lane, count: number): Promise<void> {
  let expected = 0;
  let errors = 0;
  let firstError = "";
  const marks: number[] = [];
  let received = 0;
  while (received < count) {
    const f = await lane.receive();
    if (f === null) break;
    received++;
    if (f.flags & FrameFlags.MARK) marks.push(f.frameId);
    // Frames may be missing under drop policies, never reordered or altered.
    const ok = f.frameId >= expected &&
      sameBytes(f.payload, payloadOf(f.frameId, spec.size ?? sizeOf(f.frameId))) &&
      f.routeId === 7;
    if (!ok) {
      errors++;
      firstError ||= `frame ${f.frameId} (expected >= ${expected}) len ${f.payload.length}`;
    }
    if (spec.mode === "receive" && f.frameId !== expected && !spec.opts?.policy) {
      errors++;
      firstError ||= `gap: got ${f.frameId}, expected ${expected}`;
    }
    expected = f.frameId + 1;
    if (received === 1000) out({ event: "progress", received });
  }
  out({ event: "done", received, errors, firstError, marks, counters: lane.counters() });
}

async function main(): Promise<void> {
  const ep = spec.endpoint;
  if (spec.mode === "create_and_die") {
    if (ep.kind !== "shm") throw new TypeError("create_and_die needs shm");
    await connect({ ...ep, role: "create" }, spec.opts);
    out({ event: "ready", pid: Deno.pid });
    await new Promise(() => {}); // wait to be killed
  }
  if (spec.mode === "corrupt") {
    // Writes: bad crc, bad magic, header length lying, then 3 good frames (ids 0..2).
    const good = (i: number) => encodeFrame(payloadOf(i, 32), { routeId: 7, frameId: i });
    const badCrc = good(100);
    badCrc[30] ^= 0xff;
    const badMagic = good(101);
    badMagic[0] = 0x58;
    const badLen = good(102);
    new DataView(badLen.buffer).setUint32(16, 31, true);
    const frames = [badCrc, badMagic, badLen, good(0), good(1), good(2)];
    if (ep.kind === "shm") {
      const lane = await connect({ ...ep, role: "create" }, spec.opts);
      using raw = ShmRing.open(`${SHM_PREFIX}${ep.name}.c2a`, { role: "producer" });
      for (const f of frames) raw.pushRaw(f);
      out({ event: "ready" });
      await waitLine();
      await lane.close();
    } else {
      const conn = ep.kind === "uds"
        ? await Deno.connect({ transport: "unix", path: ep.path })
        : await Deno.connect({ hostname: "127.0.0.1", port: ep.port });
      for (const f of frames) {
        const rec = new Uint8Array(4 + f.length);
        new DataView(rec.buffer).setUint32(0, f.length, true);
        rec.set(f, 4);
        await conn.write(rec);
      }
      out({ event: "ready" });
      await waitLine();
      conn.close();
    }
    return;
  }
  const lane = await connect(ep, spec.opts);
  out({ event: "ready" });
  if (spec.mode === "hold") {
    await waitLine(); // the test filled the link; now drain and report
    await receiveAll(lane, spec.count ?? Infinity);
  } else if (spec.mode === "receive") {
    await receiveAll(lane, spec.count ?? Infinity);
  } else {
    for (let i = 0; i < (spec.count ?? 0); i++) {
      await lane.write(payloadOf(i), { routeId: 7, frameId: i });
    }
    await lane.flush();
    out({ event: "done", sent: spec.count });
  }
  await lane.close();
}

await main();
