import assert from "node:assert/strict";
import { copySample, rtt, rttJson, tempDir } from "./_helpers.ts";

// deno-lint-ignore no-explicit-any
type Json = any;

async function sampleWorkspace(path: string): Promise<void> {
  await copySample(path);
  const init = await rtt(["init", path]);
  assert.equal(init.code, 0, init.stderr);
}

async function readJson(path: string): Promise<Record<string, unknown>> {
  return JSON.parse(await Deno.readTextFile(path));
}

Deno.test("rtt-deno plan --explain plans the sample workspace and plan verify accepts the result", async () => {
  await using dir = await tempDir();
  await sampleWorkspace(dir.path);
  const r = await rtt(["-w", dir.path, "plan", "--explain"]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /Planned 5 route\(s\) with the exact solver: \+5 added/);
  assert.match(r.stdout, /ROUTE\s+LANE\s+NODE\s+P99_MS\s+BUDGET_MS\s+CHANGE\s+WHY/);
  assert.match(
    r.stdout,
    /ui\/hook\/refresh -> core\/api\/metrics\s+shm\s+\d+\s+0\.021\s+1\s+add\s+pinned shm by policy pins\[0\]/,
  );
  // idp/api/auth only speaks uds and tcp.
  assert.match(r.stdout, /idp\/api\/auth -> core\/bus\/events\s+uds\s/);
  const name = (await Deno.readTextFile(`${dir.path}/plans/LATEST`)).trim();
  assert.match(name, /^sha256-[0-9a-f]{64}\.plan\.json$/);
  const plan = await readJson(`${dir.path}/plans/${name}`);
  assert.equal(`${plan.plan_id}.plan.json`, name);
  assert.equal(plan.created_at, "1970-01-01T00:00:00Z");
  assert.equal((plan.routes_add as unknown[]).length, 5);

  const v = await rttJson<{ ok: boolean; plan_id: string }>([
    "-w",
    dir.path,
    "plan",
    "verify",
    `${dir.path}/plans/${name}`,
  ]);
  assert.equal(v.code, 0, v.stderr);
  assert.equal(v.json.plan_id, plan.plan_id);

  // Planning again with nothing changed writes the identical file.
  const before = await Deno.readTextFile(`${dir.path}/plans/${name}`);
  const again = await rttJson<{ plan_id: string; solver: string }>(["-w", dir.path, "plan"]);
  assert.equal(again.code, 0);
  assert.equal(again.json.plan_id, plan.plan_id);
  assert.equal(await Deno.readTextFile(`${dir.path}/plans/${name}`), before);
});

Deno.test("rtt-deno plan verify exits 77 on a tampered route, id or signature and 65 on a malformed plan", async () => {
  await using dir = await tempDir();
  await sampleWorkspace(dir.path);
  const made = await rttJson<{ file: string }>(["-w", dir.path, "plan", "--solver", "greedy"]);
  assert.equal(made.code, 0, made.stderr);
  const file = `${dir.path}/${made.json.file}`;
  const orig = await readJson(file);
  const cases: Array<[string, (p: Record<string, Json>) => void, number, RegExp]> = [
    ["lane", (p) => (p.routes_add[0].lane = "tcp"), 77, /content hashes to/],
    ["plan_id", (p) => (p.plan_id = `sha256-${"0".repeat(64)}`), 77, /content hashes to/],
    [
      "signature",
      (p) => (p.sign.sig = p.sign.sig.replace(/^./, (c: string) => c === "A" ? "B" : "A")),
      77,
      /signature/i,
    ],
    ["schema", (p) => (p.routes_add[0].lane = "carrier-pigeon"), 65, /lane/],
  ];
  for (const [what, tamper, code, re] of cases) {
    const p = structuredClone(orig) as Record<string, Json>;
    tamper(p);
    const bad = `${dir.path}/plans/tampered-${what}.plan.json`;
    await Deno.writeTextFile(bad, JSON.stringify(p, null, 2));
    const r = await rtt(["-w", dir.path, "plan", "verify", bad]);
    assert.equal(r.code, code, `${what}: ${r.stderr}`);
    assert.match(r.stderr, re, what);
  }
  assert.equal((await rtt(["-w", dir.path, "plan", "verify", file])).code, 0);
});

Deno.test("rtt-deno plan exits 1 with one explanation per infeasible route and writes nothing", async () => {
  await using dir = await tempDir();
  await sampleWorkspace(dir.path);
  const routes = await readJson(`${dir.path}/.rtt/routes.json`) as { routes: Json[] };
  routes.routes[0].qos = { latency_budget_ms: 0.01 };
  routes.routes.push({ from: "rtt://agents/agent/summarize", to: "rtt://idp/api/auth" });
  await Deno.writeTextFile(`${dir.path}/.rtt/routes.json`, JSON.stringify(routes, null, 2));
  const r = await rtt(["-w", dir.path, "plan"]);
  assert.equal(r.code, 1, r.stderr);
  const lines = r.stderr.trim().split("\n").filter((l) => l.startsWith("error:"));
  assert.match(r.stderr, /warning: the registry is empty: planning from the scanned manifests/);
  assert.deepEqual(lines, [
    "error: agents/agent/summarize -> idp/api/auth: acl: denied by policy acl.rules[0] (agents never call the identity provider directly)",
    "error: ui/hook/refresh -> core/api/metrics: no lane meets latency_budget_ms=0.01 (route qos); best is shm at predicted p99 0.021 ms",
  ]);
  assert.match(r.stdout, /2 of 6 route\(s\) infeasible; no plan written/);
  const j = await rttJson<{ ok: boolean; infeasible: Array<{ constraint: string }> }>([
    "-w",
    dir.path,
    "plan",
  ]);
  assert.equal(j.code, 1);
  assert.deepEqual(j.json.infeasible.map((b) => b.constraint), ["acl", "latency"]);
  await assert.rejects(Deno.stat(`${dir.path}/plans/LATEST`), Deno.errors.NotFound);
});

Deno.test("rtt-deno plan exits 65 naming file, line and pointer for an unknown symbol or a bad policy", async () => {
  await using dir = await tempDir();
  await sampleWorkspace(dir.path);
  await Deno.writeTextFile(
    `${dir.path}/.rtt/routes.json`,
    '{\n  "routes": [\n    { "from": "rtt://ui/hook/refresh", "to": "rtt://core/api/nope" }\n  ]\n}\n',
  );
  const r = await rtt(["-w", dir.path, "plan"]);
  assert.equal(r.code, 65);
  assert.match(
    r.stderr,
    /Invalid "\.rtt\/routes\.json:3:\d+" at \/routes\/0\/to: unknown symbol "rtt:\/\/core\/api\/nope"/,
  );
  await copySample(dir.path);
  const policy = await readJson(`${dir.path}/.rtt/policy.json`) as Record<string, Json>;
  policy.pins[0].lane = "rdma";
  await Deno.writeTextFile(`${dir.path}/.rtt/policy.json`, JSON.stringify(policy, null, 2));
  const p = await rtt(["-w", dir.path, "plan"]);
  assert.equal(p.code, 65);
  assert.match(p.stderr, /Invalid "\.rtt\/policy\.json:\d+:\d+" at \/pins\/0\/lane/);
  const u = await rtt(["-w", dir.path, "plan", "--solver", "magic"]);
  assert.equal(u.code, 64);
  assert.match(u.stderr, /Unknown solver "magic"/);
});

Deno.test("rtt-deno plan exits 77 and writes nothing when the signing key is not trusted for plans", async () => {
  await using dir = await tempDir();
  await sampleWorkspace(dir.path);
  // A new default key that the existing trust root (v1) does not know.
  for (const f of ["default.key.json", "default.pub.json"]) {
    await Deno.remove(`${dir.path}/.rtt/keys/${f}`);
  }
  assert.equal((await rtt(["init", dir.path])).code, 0);
  const r = await rtt(["-w", dir.path, "plan"]);
  assert.equal(r.code, 77, r.stderr);
  assert.match(r.stderr, /default key ed25519:[0-9a-f]+ is not trusted for role "plans"/);
  await assert.rejects(Deno.stat(`${dir.path}/plans/LATEST`), Deno.errors.NotFound);
});

Deno.test("rtt-deno plan groups many routes blocked by one constraint; --json lists every route", async () => {
  await using dir = await tempDir();
  await sampleWorkspace(dir.path);
  const routes = await readJson(`${dir.path}/.rtt/routes.json`) as { routes: Json[] };
  for (const route of routes.routes) route.qos = { latency_budget_ms: 0.001 };
  routes.routes.push({ from: "rtt://agents/agent/summarize", to: "rtt://idp/api/auth" });
  await Deno.writeTextFile(`${dir.path}/.rtt/routes.json`, JSON.stringify(routes, null, 2));
  const r = await rtt(["-w", dir.path, "plan"]);
  assert.equal(r.code, 1, r.stderr);
  const lines = r.stderr.trim().split("\n").filter((l) => l.startsWith("error:"));
  assert.equal(lines.length, 6, r.stderr);
  assert.equal(lines[0], 'error: 5 route(s) infeasible by constraint "latency", the first 3:');
  assert.ok(lines.slice(1, 4).every((l) => /^error: {3}\S.* no lane meets latency_budget/.test(l)));
  assert.match(lines[4], /^error: {3}\.\.\. and 2 more/);
  assert.match(lines[5], /^error: agents\/agent\/summarize -> idp\/api\/auth: acl: /);
  assert.match(r.stdout, /\[40\] \[ERROR\] 6 of 6 route\(s\) infeasible; no plan written/);
  const j = await rttJson<{ infeasible: Array<{ constraint: string }> }>(["-w", dir.path, "plan"]);
  assert.equal(j.code, 1);
  assert.equal(j.json.infeasible.length, 6);
});
