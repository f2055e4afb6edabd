import assert from "node:assert/strict";
import { canonicalize, VerificationError, workspaceAt } from "../core/mod.ts";
import { tempDir } from "../../tests/_helpers.ts";
import { testHooks } from "../testing/mod.ts";
import { openWal, parseWal, scanWal, tailRecord, WAL_GENESIS, walPath } from "./wal.ts";

async function sampleWal(root: string, n = 4): Promise<Uint8Array> {
  const ws = workspaceAt(root);
  const wal = await openWal(ws);
  for (let i = 0; i < n; i++) {
    await wal.append({
      type: i === 0 ? "begin" : "vote",
      txn: "t-1",
      payload: { i, note: "x".repeat(i * 7) },
    }, {
      sync: i === n - 1,
    });
  }
  wal.close();
  return await Deno.readFile(walPath(ws));
}

function lineStarts(bytes: Uint8Array): number[] {
  const starts = [0];
  for (let i = 0; i < bytes.length - 1; i++) if (bytes[i] === 0x0a) starts.push(i + 1);
  return starts;
}

Deno.test("WalWriter.append() chains records by checksum and scanWal() reads them back", async () => {
  await using dir = await tempDir();
  const bytes = await sampleWal(dir.path);
  const { records, torn, end } = parseWal(bytes);
  assert.equal(records.length, 4);
  assert.equal(torn, null);
  assert.equal(end, bytes.length);
  assert.equal(records[0].prev, WAL_GENESIS);
  for (let i = 1; i < 4; i++) assert.equal(records[i].prev, records[i - 1].sum);
  assert.deepEqual(records.map((r) => r.seq), [1, 2, 3, 4]);
  const tail = await tailRecord(workspaceAt(dir.path));
  assert.notEqual(tail, "unknown");
  assert.equal((tail as { seq: number }).seq, 4);
});

Deno.test("parseWal() drops a last record truncated at every byte offset, keeping the rest", async () => {
  await using dir = await tempDir();
  const bytes = await sampleWal(dir.path);
  const lastStart = lineStarts(bytes).at(-1)!;
  for (let cut = lastStart; cut < bytes.length; cut++) {
    const r = parseWal(bytes.subarray(0, cut));
    assert.equal(r.records.length, 3, `cut at ${cut}`);
    assert.equal(r.end, lastStart);
    if (cut > lastStart) assert.equal(r.torn?.offset, lastStart, `cut at ${cut}`);
    else assert.equal(r.torn, null);
  }
});

Deno.test("parseWal() names the seq of an earlier record with any single bit flipped", async () => {
  await using dir = await tempDir();
  const bytes = await sampleWal(dir.path);
  const starts = lineStarts(bytes);
  // Every bit of every byte of record 2 (its newline included).
  for (let off = starts[1]; off < starts[2]; off++) {
    for (let bit = 0; bit < 8; bit++) {
      const bad = bytes.slice();
      bad[off] ^= 1 << bit;
      assert.throws(
        () => parseWal(bad),
        (e: unknown) => e instanceof VerificationError && /corrupt at seq 2 /.test(e.message),
        `byte ${off} bit ${bit}`,
      );
    }
  }
});

Deno.test("WalWriter.open() cuts a torn tail durably so new records chain to the last valid one", async () => {
  await using dir = await tempDir();
  const ws = workspaceAt(dir.path);
  const bytes = await sampleWal(dir.path);
  await Deno.writeFile(walPath(ws), bytes.subarray(0, bytes.length - 5));
  assert.equal(await tailRecord(ws), "unknown");
  const scan = await scanWal(ws);
  assert.ok(scan.torn);
  const wal = await openWal(ws);
  await wal.append({ type: "end", txn: "t-1", payload: {} }, { sync: true });
  wal.close();
  const after = await scanWal(ws);
  assert.equal(after.torn, null);
  assert.deepEqual(after.records.map((r) => r.seq), [1, 2, 3, 4]);
  assert.equal(after.records[3].type, "end");
  assert.equal(after.records[3].prev, after.records[2].sum);
});

Deno.test("a failed WAL fsync removes the record and throws instead of reporting success", async () => {
  await using dir = await tempDir();
  const ws = workspaceAt(dir.path);
  const wal = await openWal(ws, { hooks: testHooks({ failSync: "wal:commit:fsync" }) });
  await wal.append({ type: "begin", txn: "t-1", payload: {} }, { sync: true });
  await assert.rejects(
    () => wal.append({ type: "commit", txn: "t-1", payload: {} }, { sync: true }),
    (e: unknown) => e instanceof Error && /injected at wal:commit:fsync/.test(e.message),
  );
  await wal.append({ type: "abort", txn: "t-1", payload: {} }, { sync: true });
  wal.close();
  const scan = await scanWal(ws);
  assert.deepEqual(scan.records.map((r) => r.type), ["begin", "abort"]);
  assert.equal(scan.torn, null);
});

Deno.test("parseWal() property: any cut keeps exactly the complete records; any bit flip before the last record names its seq", async () => {
  const fc = (await import("fast-check")).default;
  const { recordSum } = await import("./wal.ts");
  const build = (payloads: Array<Record<string, unknown>>) => {
    let prev = WAL_GENESIS;
    const lines = payloads.map((payload, i) => {
      const body = { seq: i + 1, prev, at: "t", txn: "t-1", type: "vote" as const, payload };
      const rec = { ...body, sum: recordSum(body) };
      prev = rec.sum;
      return canonicalize(rec) + "\n";
    });
    return { bytes: new TextEncoder().encode(lines.join("")), lines };
  };
  const payloads = fc.array(
    fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 2 })),
    {
      minLength: 2,
      maxLength: 8,
    },
  );
  fc.assert(
    fc.property(payloads, fc.nat(), (ps, cutSeed) => {
      const { bytes } = build(ps);
      const cut = cutSeed % (bytes.length + 1);
      const r = parseWal(bytes.subarray(0, cut));
      const complete = bytes.subarray(0, cut).filter((b) => b === 0x0a).length;
      assert.equal(r.records.length, complete);
      assert.equal(r.torn === null, cut === r.end);
    }),
    { numRuns: 200 },
  );
  fc.assert(
    fc.property(payloads, fc.nat(), fc.integer({ min: 0, max: 7 }), (ps, offSeed, bit) => {
      const { bytes, lines } = build(ps);
      const beforeLast = bytes.length - new TextEncoder().encode(lines.at(-1)!).length;
      const off = offSeed % beforeLast;
      const bad = bytes.slice();
      bad[off] ^= 1 << bit;
      let seq = 1;
      for (let i = 0, acc = 0; i < lines.length; i++) {
        acc += new TextEncoder().encode(lines[i]).length;
        if (off < acc) {
          seq = i + 1;
          break;
        }
      }
      assert.throws(
        () => parseWal(bad),
        (e: unknown) =>
          e instanceof VerificationError && e.message.includes(`corrupt at seq ${seq} `),
      );
    }),
    { numRuns: 300, seed: 827546616 },
  );
});
