/**
 * The exit-code contract as a table: (command, situation) -> exit code, run
 * against the real CLI on temporary workspaces. Every code README documents
 * appears at least once, and every non-zero exit prints one error or a
 * specific report.
 *
 * @module
 */
import assert from "node:assert/strict";
import { copySample, manifest, rtt, tempDir, writeTree } from "./_helpers.ts";

/** One row: how to set the workspace up, what to run, what must come out. */
interface Row {
  situation: string;
  setup?: (dir: string) => Promise<void>;
  args: (dir: string) => string[];
  code: number;
  /** Must match stderr + stdout. */
  says?: RegExp;
}

async function run(dir: string, args: string[]): Promise<void> {
  const r = await rtt(["-w", dir, ...args]);
  assert.equal(r.code, 0, `setup step "${args.join(" ")}" failed: ${r.stderr}`);
}

async function sample(dir: string): Promise<void> {
  await copySample(dir);
  await run(dir, ["init"]);
}

async function planned(dir: string): Promise<void> {
  await sample(dir);
  await run(dir, ["scan"]);
  await run(dir, ["registry", "ingest", "--sign"]);
  await run(dir, ["plan"]);
}

async function applied(dir: string): Promise<void> {
  await planned(dir);
  await run(dir, ["apply"]);
}

async function latestPlan(dir: string): Promise<string> {
  return `${dir}/plans/${(await Deno.readTextFile(`${dir}/plans/LATEST`)).trim()}`;
}

async function editJson(path: string, edit: (v: Record<string, unknown>) => void): Promise<void> {
  const v = JSON.parse(await Deno.readTextFile(path));
  edit(v);
  await Deno.writeTextFile(path, JSON.stringify(v, null, 2));
}

const missingDep = {
  ".rtt/manifests/x.json": manifest("rtt://a/api/x", "1.0.0", {
    requires: [{ saddr: "rtt://a/api/none", version: "*" }],
  }),
};
const conflict = {
  ".rtt/manifests/x.json": manifest("rtt://a/api/x", "1.0.0", {
    requires: [{ saddr: "rtt://a/api/y", version: "^2.0.0" }],
  }),
  ".rtt/manifests/y.json": manifest("rtt://a/api/y", "1.0.0"),
};
const cycle = {
  ".rtt/manifests/x.json": manifest("rtt://a/api/x", "1.0.0", {
    requires: [{ saddr: "rtt://a/api/y", version: "*" }],
  }),
  ".rtt/manifests/y.json": manifest("rtt://a/api/y", "1.0.0", {
    requires: [{ saddr: "rtt://a/api/x", version: "*" }],
  }),
};

const TABLE: Row[] = [
  { situation: "init on an empty folder", args: (d) => ["init", d], code: 0 },
  {
    situation: "doctor finds a missing dependency",
    setup: (d) => writeTree(d, missingDep),
    args: () => ["doctor"],
    code: 1,
  },
  {
    situation: "plan finds an infeasible route",
    setup: async (d) => {
      await sample(d);
      await editJson(`${d}/.rtt/routes.json`, (r) => {
        (r.routes as Array<Record<string, unknown>>)[0].qos = { latency_budget_ms: 0.0001 };
      });
    },
    args: () => ["plan"],
    code: 1,
    says: /infeasible/,
  },
  {
    situation: "doctor finds a semver conflict",
    setup: (d) => writeTree(d, conflict),
    args: () => ["doctor"],
    code: 2,
  },
  {
    situation: "doctor finds a dependency cycle",
    setup: (d) => writeTree(d, cycle),
    args: () => ["doctor"],
    code: 3,
  },
  { situation: "an unknown command", args: () => ["sacn"], code: 64, says: /unknown command/ },
  {
    situation: "an unknown option",
    args: () => ["scan", "--jsno"],
    code: 64,
    says: /unknown option/,
  },
  {
    situation: "rollback to a seq that is not a number",
    setup: sample,
    args: () => ["rollback", "abc"],
    code: 64,
  },
  {
    situation: "rollback to a seq that is not a COMMIT record",
    setup: applied,
    args: () => ["rollback", "999"],
    code: 64,
    says: /not a COMMIT record/,
  },
  {
    situation: "apply with a canary share out of range",
    setup: planned,
    args: () => ["apply", "--canary", "0"],
    code: 64,
    says: /--canary/,
  },
  {
    situation: "bench fabric with an unknown lane",
    args: () => ["bench", "fabric", "--lanes", "udp"],
    code: 64,
    says: /udp/,
  },
  {
    situation: "a malformed manifest on scan",
    setup: (d) =>
      writeTree(d, {
        ".rtt/manifests/bad.json": '{\n  "saddr": "rtt://core/api/bad",\n  "kind": "api",\n' +
          '  "version": 2\n}',
      }),
    args: () => ["scan"],
    code: 65,
    says: /bad\.json:4:3/,
  },
  {
    situation: "a malformed panel.yaml",
    setup: (d) => writeTree(d, { ".rtt/panel.yaml": "routing: {prefer: [udp]}\n" }),
    args: () => ["scan"],
    code: 65,
    says: /panel\.yaml/,
  },
  {
    situation: "plan verify of a file that is not JSON",
    setup: (d) => writeTree(d, { "x.plan.json": "{ not json" }),
    args: (d) => ["plan", "verify", `${d}/x.plan.json`],
    code: 65,
  },
  {
    situation: "wal verify with a damaged committed state file",
    setup: async (d) => {
      await applied(d);
      await Deno.writeTextFile(`${d}/.rtt/state/current.json`, "{ damaged");
    },
    args: () => ["wal", "verify"],
    code: 65,
    says: /current\.json/,
  },
  {
    situation: "rollback to a damaged stored graph (same code as a damaged state file)",
    setup: async (d) => {
      await applied(d);
      await editJson(`${d}/.rtt/routes.json`, (r) => {
        (r.routes as unknown[]).pop();
      });
      await run(d, ["plan"]);
      await run(d, ["apply"]);
      for (const e of Deno.readDirSync(`${d}/.rtt/state/graphs`)) {
        await Deno.writeTextFile(`${d}/.rtt/state/graphs/${e.name}`, "{ damaged");
      }
    },
    args: () => ["rollback"],
    code: 65,
    says: /graphs\//,
  },
  {
    situation: "apply with no plan and no plans/LATEST",
    setup: sample,
    args: () => ["apply"],
    code: 66,
    says: /LATEST/,
  },
  {
    situation: "plan verify of a file that does not exist",
    setup: sample,
    args: (d) => ["plan", "verify", `${d}/none.plan.json`],
    code: 66,
    says: /none\.plan\.json/,
  },
  {
    situation: "registry cat of a symbol nobody registered",
    setup: sample,
    args: () => ["registry", "cat", "rtt://nope/api/x"],
    code: 66,
    says: /rtt:\/\/nope\/api\/x/,
  },
  {
    situation: "rollback when nothing was ever committed",
    setup: sample,
    args: () => ["rollback"],
    code: 66,
    says: /Nothing to roll back/,
  },
  {
    situation: "status in a folder that is not a workspace",
    args: () => ["status"],
    code: 66,
    says: /not an RTT workspace/,
  },
  {
    situation: "keys gen over an existing key",
    setup: sample,
    args: () => ["keys", "gen"],
    code: 74,
    says: /already exists/,
  },
  {
    situation: "plan verify of a tampered plan",
    setup: async (d) => {
      await planned(d);
      await editJson(await latestPlan(d), (p) => {
        (p.routes_add as Array<Record<string, unknown>>)[0].lane = "tcp";
      });
    },
    args: (
      d,
    ) => ["plan", "verify", `${d}/plans/${Deno.readTextFileSync(`${d}/plans/LATEST`).trim()}`],
    code: 77,
  },
  {
    situation: "apply of a stale plan",
    setup: async (d) => {
      await planned(d);
      const stale = await Deno.readTextFile(await latestPlan(d));
      await run(d, ["apply"]);
      await editJson(`${d}/.rtt/routes.json`, (r) => {
        (r.routes as unknown[]).pop();
      });
      await run(d, ["plan"]);
      await run(d, ["apply"]);
      await Deno.writeTextFile(`${d}/stale.plan.json`, stale);
    },
    args: (d) => ["apply", `${d}/stale.plan.json`],
    code: 77,
    says: /stale|base/i,
  },
];

for (const row of TABLE) {
  Deno.test(`exit ${row.code}: ${row.situation}`, async () => {
    await using dir = await tempDir();
    await row.setup?.(dir.path);
    const args = row.args(dir.path);
    const r = await rtt(["-w", dir.path, ...args]);
    const said = r.stderr + r.stdout;
    assert.equal(r.code, row.code, `rtt-deno ${args.join(" ")}: ${said}`);
    if (row.says) assert.match(said, row.says);
    if (row.code >= 64) assert.match(r.stderr, /^error: .+/m, "one error line on stderr");
  });
}

Deno.test("the exit-code table covers every documented code", () => {
  const documented = [0, 1, 2, 3, 64, 65, 66, 74, 77];
  assert.deepEqual([...new Set(TABLE.map((r) => r.code))].sort((a, b) => a - b), documented);
});
