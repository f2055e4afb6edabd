import assert from "node:assert/strict";
import { Output } from "./output.ts";
import { stageLine, stageReporter } from "./stage_reporter.ts";

function capture(options: { quiet?: boolean; json?: boolean } = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const o = new Output(options, { out: (s) => out.push(s), err: (s) => err.push(s) });
  return { o, out, err };
}

Deno.test("stageLine() formats [NN] [LEVEL] text", () => {
  assert.equal(stageLine("40", "ERROR", "no plan written"), "[40] [ERROR] no plan written");
});

Deno.test("stageReporter() prints results always, progress and notes unless --quiet, warnings on stderr", () => {
  const loud = capture();
  const s = stageReporter(loud.o, "50");
  s.info("done");
  s.progress("batch 1");
  s.note("recovery: nothing");
  s.error("failed");
  s.onEvent({ level: "info", message: "batch 2" });
  s.onEvent({ level: "note", message: "heads up" });
  s.onEvent({ level: "warn", message: "careful" });
  assert.deepEqual(loud.out, [
    "[50] [INFO] done\n",
    "[50] [INFO] batch 1\n",
    "[50] [NOTE] recovery: nothing\n",
    "[50] [ERROR] failed\n",
    "[50] [INFO] batch 2\n",
    "[50] [NOTE] heads up\n",
  ]);
  assert.deepEqual(loud.err, ["warning: careful\n"]);

  const quiet = capture({ quiet: true });
  const q = stageReporter(quiet.o, "50");
  q.info("done");
  q.progress("batch 1");
  q.note("n");
  q.onEvent({ level: "warn", message: "careful" });
  assert.deepEqual(quiet.out, ["[50] [INFO] done\n"]);
  assert.deepEqual(quiet.err, []);

  const json = capture({ json: true });
  stageReporter(json.o, "40").info("done");
  assert.deepEqual(json.out, []);
});
