/**
 * The measurements themselves, each over one connected lane to a running peer.
 *
 * @module
 */
import * as hdr from "hdr-histogram-js";
import { crc32c } from "../../../ffi/mod.ts";
import { FailureError } from "../../core/mod.ts";
import type { Lane } from "../lane/mod.ts";
import { ROUTE_CONTROL, ROUTE_ECHO, ROUTE_SINK } from "./_peer.ts";
import type { EchoStats, ThroughputStats } from "./types.ts";

/**
 * crc32c GB/s on 64 KiB: the median of many short windows, so one noisy window (a timer
 * tick, a neighbour on the shared host) does not decide the figure.
 */
export function measureCrc(seconds: number): number {
  const buf = crypto.getRandomValues(new Uint8Array(65536));
  for (let i = 0; i < 200; i++) crc32c(buf); // JIT warm-up
  const rates: number[] = [];
  const end = performance.now() + seconds * 1000;
  while (performance.now() < end) {
    const t0 = performance.now();
    for (let i = 0; i < 100; i++) crc32c(buf);
    rates.push((100 * buf.length) / ((performance.now() - t0) / 1000) / 1e9);
  }
  rates.sort((a, b) => a - b);
  return rates[Math.floor(rates.length / 2)];
}

// getRandomValues fills at most 64 KiB per call; payloads go up to 1 MiB.
function randomBytes(size: number): Uint8Array {
  const out = new Uint8Array(size);
  for (let at = 0; at < size; at += 65536) crypto.getRandomValues(out.subarray(at, at + 65536));
  return out;
}

function histogram(): hdr.Histogram {
  try {
    hdr.initWebAssemblySync();
    return hdr.build({ useWebAssembly: true, numberOfSignificantValueDigits: 3 });
  } catch {
    return hdr.build({ numberOfSignificantValueDigits: 3 });
  }
}

function summary(h: hdr.Histogram): EchoStats {
  const us = (ns: number) => ns / 1000;
  return {
    count: h.totalCount,
    p50Us: us(h.getValueAtPercentile(50)),
    p99Us: us(h.getValueAtPercentile(99)),
    p999Us: us(h.getValueAtPercentile(99.9)),
    maxUs: us(h.maxValue),
    meanUs: us(h.mean),
  };
}

/** Echo round trips of `size`-byte frames for `seconds`, after a short unrecorded warm-up. */
export async function echo(lane: Lane, size: number, seconds: number): Promise<EchoStats> {
  const payload = randomBytes(size);
  const h = histogram();
  try {
    let id = 0;
    let recorded = 0;
    const warmEnd = performance.now() + Math.min(200, seconds * 200);
    const end = warmEnd + seconds * 1000;
    for (;;) {
      const t0 = performance.now();
      await lane.write(payload, { routeId: ROUTE_ECHO, frameId: id });
      const f = await lane.receive({ timeoutMs: 10_000 });
      const t1 = performance.now();
      if (f === null || f.frameId !== id || f.payload.length !== size) {
        throw new FailureError(
          `Cannot run fabric bench: echo ${id} on ${lane.kind} came back wrong or not at all`,
        );
      }
      id = (id + 1) >>> 0;
      if (t0 >= warmEnd) {
        h.recordValue(Math.max(1, Math.round((t1 - t0) * 1e6)));
        recorded++;
      }
      // At least one recorded trip, or a large payload in a short window has no figure.
      if (t1 >= end && recorded > 0) break;
    }
    return summary(h);
  } finally {
    h.destroy();
  }
}

// Asks the peer for what it counted since the last report (which also zeroes its counters).
async function report(lane: Lane): Promise<{ frames: number; bytes: number }> {
  await lane.write(new TextEncoder().encode("report"), { routeId: ROUTE_CONTROL, frameId: 0 });
  for (;;) {
    const f = await lane.receive({ timeoutMs: 30_000 });
    if (f === null) {
      throw new FailureError(
        `Cannot run fabric bench: the ${lane.kind} peer left before reporting`,
      );
    }
    if (f.routeId === ROUTE_CONTROL) return JSON.parse(new TextDecoder().decode(f.payload));
  }
}

/** One-way throughput of `size`-byte frames for `seconds`, until the peer confirmed them all. */
export async function throughput(
  lane: Lane,
  size: number,
  seconds: number,
): Promise<ThroughputStats> {
  const payload = randomBytes(size);
  await report(lane); // zero the peer's counters
  let frames = 0;
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  while (performance.now() < end) {
    for (let i = 0; i < 32; i++) {
      await lane.write(payload, { routeId: ROUTE_SINK, frameId: frames++ });
    }
  }
  await lane.flush();
  const got = await report(lane);
  const secs = (performance.now() - t0) / 1000;
  if (got.frames !== frames) {
    throw new FailureError(
      `Cannot run fabric bench: the ${lane.kind} peer got ${got.frames} of ${frames} frames`,
    );
  }
  return {
    frames,
    bytes: got.bytes,
    seconds: secs,
    gbPerSec: got.bytes / secs / 1e9,
    framesPerSec: frames / secs,
  };
}
