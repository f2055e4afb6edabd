/**
 * `deno bench` entry for the fabric: per-call costs in one process (the
 * two-process lane figures come from {@linkcode runFabricBench}, run by
 * `rtt-deno bench fabric`).
 *
 * @module
 */
import { crc32c, crc32cPortable } from "../../ffi/mod.ts";
import { decodeFrame, encodeFrame } from "./frame/mod.ts";
import { openShmLane, shmAvailability } from "./shm/mod.ts";
import { runFabricBench } from "./bench/mod.ts";

const buf64k = crypto.getRandomValues(new Uint8Array(65536));
const buf64 = crypto.getRandomValues(new Uint8Array(64));
const frame4k = encodeFrame(crypto.getRandomValues(new Uint8Array(4096)), {
  routeId: 1,
  frameId: 1,
});

Deno.bench("crc32c 64 KiB (native when loaded)", { group: "crc", baseline: true }, () => {
  crc32c(buf64k);
});
Deno.bench("crc32c 64 KiB portable TS", { group: "crc" }, () => {
  crc32cPortable(buf64k);
});
Deno.bench("encodeFrame 64 B", () => {
  encodeFrame(buf64, { routeId: 1, frameId: 2 });
});
Deno.bench("decodeFrame 4 KiB (verifies crc)", () => {
  decodeFrame(frame4k);
});

const shm = shmAvailability();
if (shm.available) {
  const name = `fb-${Deno.pid}`;
  const a = await openShmLane(name, { role: "create", capacity: 1 << 20 });
  const b = await openShmLane(name, { role: "attach" });
  Deno.bench("shm lane send+tryReceive 64 B, one process", () => {
    a.send(buf64, { routeId: 1, frameId: 1 });
    b.tryReceive();
  });
  Deno.bench("shm lane send+tryReceive 64 KiB, one process", () => {
    a.send(buf64k, { routeId: 1, frameId: 1 });
    b.tryReceive();
  });
  globalThis.addEventListener("unload", () => {
    a.close();
    b.close();
  });
}

// Two processes, all lanes: one sample is a whole short run; the printed table is the figure.
Deno.bench({
  name: "runFabricBench (2 processes, 64 B and 64 KiB, 0.3 s each)",
  n: 1,
  warmup: 0,
  async fn() {
    const r = await runFabricBench({ sizes: [64, 65536], seconds: 0.3 });
    for (const row of r.rows) {
      console.log(
        `${row.lane} ${row.size} B: p50 ${row.echo.p50Us.toFixed(2)} us, p99 ${
          row.echo.p99Us.toFixed(2)
        } us, ${row.throughput.gbPerSec.toFixed(3)} GB/s`,
      );
    }
  },
});
