import assert from "node:assert/strict";
import semver from "semver";
import type { SymbolManifest } from "../config/mod.ts";
import { diagnose } from "./doctor.ts";
import { symbolHash } from "./manifest.ts";
import { buildSymbolTable } from "./symbol_table.ts";

function table(...ms: Array<Partial<SymbolManifest> & { saddr: string }>) {
  return buildSymbolTable(ms.map((m, i) => {
    const full = { kind: m.saddr.split("/")[3], version: "1.0.0", ...m } as SymbolManifest;
    return { file: `m${i}.json`, hash: symbolHash(full), manifest: full };
  }));
}

Deno.test("diagnose() finds nothing wrong in a healthy graph (exit 0)", () => {
  const r = diagnose(
    table(
      {
        saddr: "rtt://a/api/x",
        requires: [{ saddr: "rtt://a/api/y", version: "^1.0.0" }],
        type: { out: ["q"] },
        caps: { needs: ["y.read"] },
      },
      { saddr: "rtt://a/api/y", type: { in: ["q"] }, caps: { provides: ["y.read"] } },
    ),
    semver,
  );
  assert.equal(r.exitCode, 0);
  assert.deepEqual(r.findings, []);
});

Deno.test("diagnose() reports a missing dependency with exit 1", () => {
  const r = diagnose(
    table({ saddr: "rtt://a/api/x", requires: [{ saddr: "rtt://a/api/gone", version: "^1.0.0" }] }),
    semver,
  );
  assert.equal(r.exitCode, 1);
  assert.equal(r.findings[0].kind, "missing");
  assert.match(r.findings[0].message, /rtt:\/\/a\/api\/gone/);
});

Deno.test("diagnose() reports semver conflicts with exit 2", () => {
  const unsat = diagnose(
    table({ saddr: "rtt://a/api/x", requires: [{ saddr: "rtt://a/api/y", version: "^2.0.0" }] }, {
      saddr: "rtt://a/api/y",
      version: "1.4.0",
    }),
    semver,
  );
  assert.equal(unsat.exitCode, 2);
  assert.match(unsat.findings[0].message, /only 1\.4\.0 exist/);
  const diverging = diagnose(
    table(
      { saddr: "rtt://a/api/x", requires: [{ saddr: "rtt://a/api/z", version: "^1.0.0" }] },
      { saddr: "rtt://a/api/y", requires: [{ saddr: "rtt://a/api/z", version: "^2.0.0" }] },
      { saddr: "rtt://a/api/z", version: "1.0.0" },
      { saddr: "rtt://a/api/z", version: "2.0.0" },
    ),
    semver,
  );
  assert.equal(diverging.exitCode, 2);
  assert.match(diverging.findings[0].message, /satisfies every requirer/);
});

Deno.test("diagnose() prints the cycle path with exit 3", () => {
  const r = diagnose(
    table(
      { saddr: "rtt://a/api/x", requires: [{ saddr: "rtt://a/api/y", version: "*" }] },
      { saddr: "rtt://a/api/y", requires: [{ saddr: "rtt://a/api/z", version: "*" }] },
      { saddr: "rtt://a/api/z", requires: [{ saddr: "rtt://a/api/x", version: "*" }] },
    ),
    semver,
  );
  assert.equal(r.exitCode, 3);
  assert.deepEqual(r.findings[0].cycle, [
    "rtt://a/api/x",
    "rtt://a/api/y",
    "rtt://a/api/z",
    "rtt://a/api/x",
  ]);
});

Deno.test("diagnose() uses the first applicable of 1, 2, 3 when several kinds occur", () => {
  const r = diagnose(
    table(
      {
        saddr: "rtt://a/api/x",
        requires: [{ saddr: "rtt://a/api/y", version: "*" }, {
          saddr: "rtt://a/api/w",
          version: "^9.0.0",
        }],
      },
      {
        saddr: "rtt://a/api/y",
        requires: [{ saddr: "rtt://a/api/x", version: "*" }, {
          saddr: "rtt://a/api/nope",
          version: "*",
        }],
      },
      { saddr: "rtt://a/api/w" },
    ),
    semver,
  );
  assert.equal(r.exitCode, 1);
  assert.deepEqual(
    new Set(r.findings.map((f) => f.kind)),
    new Set(["missing", "conflict", "cycle"]),
  );
});

Deno.test("diagnose() reports contract mismatches and missing capabilities with a fix", () => {
  const r = diagnose(
    table(
      {
        saddr: "rtt://a/api/x",
        requires: [{ saddr: "rtt://a/api/y", version: "*" }],
        type: { out: ["a.v1"] },
        caps: { needs: ["y.write"] },
      },
      { saddr: "rtt://a/api/y", type: { in: ["b.v1"] }, caps: { provides: ["y.read"] } },
      { saddr: "rtt://a/api/w", caps: { provides: ["y.write"] } },
    ),
    semver,
  );
  assert.equal(r.exitCode, 1);
  const contract = r.findings.find((f) => f.kind === "contract")!;
  assert.match(contract.fix!, /add "b\.v1" to type\.out/);
  const cap = r.findings.find((f) => f.kind === "capability")!;
  assert.match(cap.fix!, /requires on rtt:\/\/a\/api\/w/);
});
