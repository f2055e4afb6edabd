import assert from "node:assert/strict";
import {
  canonicalize,
  type Hooks,
  IoError,
  NO_HOOKS,
  VerificationError,
  type Workspace,
  workspaceAt,
} from "../core/mod.ts";
import { tempDir } from "../testing/mod.ts";
import {
  checkpointPath,
  type EndPayload,
  lastTxnFinished,
  legacyWalPath,
  openWal,
  parseWal,
  readCheckpoint,
  readWalTail,
  scanWal,
  segmentPath,
  tailRecord,
  WAL_GENESIS,
  type WalEntry,
  type WalLimits,
} from "./wal.ts";

const H = "sha256:" + "1".repeat(64);

/** A small finished transaction: BEGIN, PREPARE, VOTE, BATCH-COMMIT, COMMIT, END. */
function txnEntries(txn: string, seqOfCommit: number): WalEntry[] {
  const base = { kind: "apply" as const, plan_id: null, base_seq: 0, base_graph: H };
  return [
    {
      type: "begin",
      txn,
      payload: { ...base, target_graph: H, batches: 1, participants: ["state"] },
    },
    { type: "prepare", txn, payload: { batch: 0, add: ["r-1"], del: [] } },
    { type: "vote", txn, payload: { batch: 0, participant: "state", vote: "ready", ms: 1 } },
    { type: "batch-commit", txn, payload: { batch: 0 } },
    { type: "commit", txn, payload: { ...base, graph_hash: H, routes: 1 } },
    { type: "end", txn, payload: { seq: seqOfCommit, graph_hash: H } },
  ];
}

/** Appends `n` finished transactions (6 records each) through one writer. */
async function writeTxns(
  ws: Workspace,
  n: number,
  options: { limits?: Partial<WalLimits>; hooks?: Hooks } = {},
): Promise<void> {
  const wal = await openWal(ws, options);
  try {
    for (let i = 0; i < n; i++) {
      const entries = txnEntries(`t-${i}`, wal.seq + 5);
      for (const e of entries) await wal.append(e, { sync: e.type === "end" });
    }
  } finally {
    wal.close();
  }
}

async function sampleWal(root: string, n = 4): Promise<Uint8Array> {
  const ws = workspaceAt(root);
  const wal = await openWal(ws);
  for (let i = 0; i < n; i++) {
    await wal.append({
      type: "vote",
      txn: "t-1",
      payload: { batch: i, participant: "x".repeat(i * 7), vote: "ready", ms: 0 },
    }, { sync: i === n - 1 });
  }
  wal.close();
  return await Deno.readFile(segmentPath(ws, 1));
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
  await Deno.writeFile(segmentPath(ws, 1), bytes.subarray(0, bytes.length - 5));
  assert.equal(await tailRecord(ws), "unknown");
  const scan = await scanWal(ws);
  assert.ok(scan.torn);
  const wal = await openWal(ws);
  await wal.append({ type: "end", txn: "t-1", payload: { seq: 1, graph_hash: H } }, {
    sync: true,
  });
  wal.close();
  const after = await scanWal(ws);
  assert.equal(after.torn, null);
  assert.deepEqual(after.records.map((r) => r.seq), [1, 2, 3, 4]);
  assert.equal(after.records[3].type, "end");
  assert.equal(after.records[3].prev, after.records[2].sum);
});

Deno.test("a failed WAL fsync poisons the writer: that append and every later one throw IoError naming it", async () => {
  await using dir = await tempDir();
  const ws = workspaceAt(dir.path);
  const hooks: Hooks = {
    ...NO_HOOKS,
    beforeSync(label) {
      if (label === "wal:commit:fsync") throw new IoError(`fsync failed (injected at ${label})`);
    },
  };
  const wal = await openWal(ws, { hooks });
  const [begin, , , , commit, end] = txnEntries("t-1", 2);
  await wal.append(begin, { sync: true });
  await assert.rejects(
    () => wal.append(commit, { sync: true }),
    (e: unknown) => e instanceof IoError && /injected at wal:commit:fsync/.test(e.message),
  );
  for (const sync of [false, true]) {
    await assert.rejects(
      () => wal.append(end, { sync }),
      (e: unknown) =>
        e instanceof IoError && /refuses further records/.test(e.message) &&
        /injected at wal:commit:fsync/.test(e.message),
    );
  }
  wal.close();
  // The record whose fsync failed is complete on disk here, so recovery keeps
  // it; nothing after it was written.
  const scan = await readWalTail(ws);
  assert.deepEqual(scan.records.map((r) => r.type), ["begin", "commit"]);
  assert.equal(scan.torn, null);
  assert.equal(scan.finished, false);
});

Deno.test("segments roll over before a BEGIN; the chain continues across them and readWalTail() starts at the checkpoint", async () => {
  await using dir = await tempDir();
  const ws = workspaceAt(dir.path);
  // Tiny segments: every transaction after the first starts a new one.
  await writeTxns(ws, 4, { limits: { segmentBytes: 1 } });
  await writeTxns(ws, 1, { limits: { segmentBytes: 1 } });
  const full = await scanWal(ws);
  assert.deepEqual(full.segments.map((s) => [s.firstSeq, s.records]), [
    [1, 6],
    [7, 6],
    [13, 6],
    [19, 6],
    [25, 6],
  ]);
  assert.equal(full.path, segmentPath(ws, 5));
  for (let i = 1; i < full.records.length; i++) {
    assert.equal(full.records[i].prev, full.records[i - 1].sum, `seq ${i + 1}`);
  }
  const cp = (await readCheckpoint(ws))!;
  assert.deepEqual([cp.seq, cp.segment, cp.finished], [24, 4, true]);
  assert.deepEqual(cp.committed, { seq: 23, graph_hash: H } satisfies EndPayload);
  const tail = await readWalTail(ws);
  assert.deepEqual(tail.records.map((r) => r.seq), [24, 25, 26, 27, 28, 29, 30]);
  assert.equal(tail.finished, true);
  assert.equal(tail.committed?.seq, 29);
  assert.equal(lastTxnFinished(full.records), true);
});

Deno.test("a checkpoint every N records keeps readWalTail() short within one segment", async () => {
  await using dir = await tempDir();
  const ws = workspaceAt(dir.path);
  await writeTxns(ws, 10, { limits: { checkpointEvery: 12 } });
  const tail = await readWalTail(ws);
  assert.ok(tail.records.length <= 12 + 6 + 1, `${tail.records.length} records read`);
  assert.equal(tail.records.at(-1)?.seq, 60);
  assert.equal((await scanWal(ws)).records.length, 60);
});

Deno.test("missing, shortened or older WAL history stops with the seq; only the newest segment may end torn", async () => {
  const cases: Array<[string, (ws: Workspace) => Promise<void>, RegExp]> = [
    [
      "missing middle segment",
      (ws) => Deno.remove(segmentPath(ws, 2)),
      /rtt\.000002\.wal is absent/,
    ],
    [
      "segment cut at a record boundary",
      async (ws) => {
        const b = await Deno.readFile(segmentPath(ws, 2));
        await Deno.writeFile(segmentPath(ws, 2), b.subarray(0, lineStarts(b)[3]));
      },
      /corrupt at seq 10 .*expected seq 10, found 13/,
    ],
    [
      "torn record in an older segment",
      async (ws) => {
        const b = await Deno.readFile(segmentPath(ws, 2));
        await Deno.writeFile(segmentPath(ws, 2), b.subarray(0, b.length - 4));
      },
      /corrupt at seq 12 .*no terminating newline/,
    ],
    [
      "newest segment replaced by an older copy",
      async (ws) => {
        const b = await Deno.readFile(segmentPath(ws, 3));
        await Deno.writeFile(segmentPath(ws, 3), b.subarray(0, lineStarts(b)[2]));
      },
      /corrupt at seq 18: the checkpoint names this record .* log ends at seq 14/,
    ],
  ];
  for (const [name, damage, message] of cases) {
    await using dir = await tempDir();
    const ws = workspaceAt(dir.path);
    await writeTxns(ws, 3, { limits: { segmentBytes: 1 } });
    // The fourth transaction stays in segment 3 and checkpoints seq 18 there.
    await writeTxns(ws, 1, { limits: { segmentBytes: 1 << 20, checkpointEvery: 1 } });
    await damage(ws);
    await assert.rejects(
      () => scanWal(ws),
      (e: unknown) => e instanceof VerificationError && message.test(e.message),
      name,
    );
  }
});

Deno.test("readWalTail() refuses a checkpoint whose record is gone or different", async () => {
  await using dir = await tempDir();
  const ws = workspaceAt(dir.path);
  await writeTxns(ws, 3, { limits: { segmentBytes: 1 } });
  const cp = (await readCheckpoint(ws))!;
  const bytes = await Deno.readFile(segmentPath(ws, cp.segment));
  await Deno.writeFile(segmentPath(ws, cp.segment), bytes.subarray(0, cp.offset));
  await assert.rejects(
    () => readWalTail(ws),
    (e: unknown) =>
      e instanceof VerificationError &&
      new RegExp(`corrupt at seq ${cp.seq}: the checkpoint names`).test(e.message),
  );
  await Deno.writeTextFile(checkpointPath(ws), "{");
  await assert.rejects(() => readWalTail(ws), /checkpoint .* is damaged/);
});

Deno.test("an old single-file rtt.wal is read as segment 1 and renamed by the first writer", async () => {
  await using dir = await tempDir();
  const ws = workspaceAt(dir.path);
  await writeTxns(ws, 2);
  await Deno.rename(segmentPath(ws, 1), legacyWalPath(ws));
  const legacy = await scanWal(ws);
  assert.equal(legacy.legacy, true);
  assert.equal(legacy.records.length, 12);
  await writeTxns(ws, 1);
  await assert.rejects(() => Deno.stat(legacyWalPath(ws)), Deno.errors.NotFound);
  const after = await scanWal(ws);
  assert.equal(after.legacy, false);
  assert.equal(after.records.length, 18);
  await Deno.writeTextFile(legacyWalPath(ws), "");
  await assert.rejects(() => scanWal(ws), /both the old single-file log/);
});

Deno.test("a writer stopped at any roll-over or checkpoint point leaves a log the next writer continues", async () => {
  class Stop extends Error {}
  const points: string[] = [];
  {
    await using dir = await tempDir();
    const ws = workspaceAt(dir.path);
    const trace: Hooks = { ...NO_HOOKS, crashPoint: (p) => void points.push(p) };
    await writeTxns(ws, 2, { limits: { segmentBytes: 1 }, hooks: trace });
  }
  const boundary = points.filter((p) => !/^wal:[a-z-]+:(write|fsync)$/.test(p));
  // The checkpoint file is written atomically before the roll-over (its own write/fsync points too).
  assert.deepEqual(boundary, [
    "wal:create:dirsync",
    "wal:checkpoint:rename",
    "wal:checkpoint:dirsync",
    "wal:segment:create",
    "wal:create:dirsync",
  ]);
  assert.ok(points.includes("wal:checkpoint:write") && points.includes("wal:checkpoint:fsync"));
  // Every point of the second transaction (after the first 8), roll-over included.
  for (let n = 9; n <= points.length; n++) {
    await using dir = await tempDir();
    const ws = workspaceAt(dir.path);
    let hit = 0;
    const hooks: Hooks = {
      ...NO_HOOKS,
      crashPoint() {
        if (++hit === n) throw new Stop(`stopped at point ${n}`);
      },
    };
    await assert.rejects(() => writeTxns(ws, 2, { limits: { segmentBytes: 1 }, hooks }), Stop);
    const stopped = await scanWal(ws);
    assert.ok(stopped.records.length >= 6, `point ${n}: the first transaction is intact`);
    await writeTxns(ws, 1, { limits: { segmentBytes: 1 } });
    const full = await scanWal(ws);
    assert.equal(full.torn, null, `point ${n}`);
    assert.equal(full.records.at(-1)?.type, "end", `point ${n}`);
  }
});

Deno.test("parseWal() property: any cut keeps exactly the complete records; any bit flip before the last record names its seq", async () => {
  const fc = (await import("fast-check")).default;
  const { recordSum } = await import("./wal.ts");
  const build = (payloads: Array<Record<string, unknown>>) => {
    let prev = WAL_GENESIS;
    const lines = payloads.map((payload, i) => {
      const body = { seq: i + 1, prev, at: "t", txn: "t-1", type: "vote" as const, payload };
      const rec = { ...body, sum: recordSum(body as never) };
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
