import assert from "node:assert/strict";
import { rtt, rttJson } from "./_helpers.ts";

interface BenchJson {
  rows: {
    lane: string;
    size: number;
    echo: { count: number; p50Us: number; p99Us: number; p999Us: number };
    throughput: { frames: number; bytes: number; gbPerSec: number };
    p50SpeedupVsUds: number | null;
  }[];
  skipped: { lane: string; reason: string }[];
  crc32c: { implementation: string; gbPerSec64KiB: number };
}

Deno.test("rtt-deno bench fabric --json measures each requested lane and size across processes", async () => {
  const r = await rttJson<BenchJson>([
    "bench",
    "fabric",
    "--lanes",
    "uds,tcp",
    "--sizes",
    "64,4096",
    "--seconds",
    "0.2",
  ]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.json.rows.map((x) => `${x.lane}/${x.size}`), [
    "uds/64",
    "uds/4096",
    "tcp/64",
    "tcp/4096",
  ]);
  for (const row of r.json.rows) {
    assert.ok(row.echo.count > 0);
    assert.ok(row.echo.p50Us > 0 && row.echo.p50Us <= row.echo.p99Us);
    assert.ok(row.echo.p99Us <= row.echo.p999Us);
    assert.equal(row.throughput.bytes, row.throughput.frames * row.size);
    assert.ok(row.p50SpeedupVsUds !== null);
  }
  assert.equal(r.json.rows[0].p50SpeedupVsUds, 1);
});

Deno.test("rtt-deno bench fabric prints a table with the ratio to uds", async () => {
  const r = await rtt(["bench", "fabric", "--lanes", "tcp", "--sizes", "64", "--seconds", "0.2"]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /lane\s+size\s+echo p50 us\s+p99 us\s+p99\.9 us\s+vs uds p50/);
  assert.match(r.stdout, /^tcp\s+64\s/m);
  assert.match(r.stdout, /crc32c \(.+\) on 64 KiB: [\d.]+ GB\/s/);
});

Deno.test("rtt-deno bench fabric reports shm as skipped with the reason when native is off", async () => {
  const r = await rttJson<BenchJson>(
    ["bench", "fabric", "--lanes", "shm", "--sizes", "64", "--seconds", "0.1"],
    { env: { RTT_FFI_DISABLE: "1" } },
  );
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.json.rows, []);
  assert.equal(r.json.skipped[0].lane, "shm");
  assert.match(r.json.skipped[0].reason, /RTT_FFI_DISABLE=1/);
  assert.equal(r.json.crc32c.implementation, "portable");
});

Deno.test("rtt-deno bench fabric refuses an unknown lane with exit 64", async () => {
  const r = await rtt(["bench", "fabric", "--lanes", "shm,pigeon"]);
  assert.equal(r.code, 64);
  assert.match(r.stderr, /unknown lane "pigeon"/);
});

Deno.test("rtt-deno bench fabric refuses a payload size above 1 MiB with exit 64, as the library does", async () => {
  const r = await rtt(["bench", "fabric", "--sizes", "64,2097152"]);
  assert.equal(r.code, 64);
  assert.match(r.stderr, /payload size 2097152 is not a whole number of bytes from 1 to 1048576/);
});

Deno.test("rtt-deno bench fabric refuses an unknown pin mode and a non-number with exit 64", async () => {
  const pin = await rtt(["bench", "fabric", "--pin", "some"]);
  assert.equal(pin.code, 64);
  assert.match(pin.stderr, /Allowed choices are shm, all, none/);
  const secs = await rtt(["bench", "fabric", "--seconds", "soon"]);
  assert.equal(secs.code, 64);
  assert.match(secs.stderr, /'soon' is invalid/);
});
