/**
 * The lane latency model the planner predicts p99 with. Built-in defaults
 * are planning assumptions (documented in plans/README.md), not
 * measurements; a tuned profile in `.rtt/tuned/profile.json` (written by
 * autotune on this machine) replaces them lane by lane.
 *
 * Every figure is kept in integer microseconds inside the solver so that
 * comparisons and sums are exact and identical on every platform.
 *
 * @module
 */
import { type Lane, LANES } from "../config/mod.ts";
import { relativePath, type Workspace } from "../core/mod.ts";
import { InputError } from "../core/mod.ts";
import { isNotFound } from "../core/mod.ts";

/** p99 of one lane: `base_p99_ms + per_kib_ms * message_kib`. */
export interface LaneFigures {
  /** p99 of a message of no size, in milliseconds. */
  base_p99_ms: number;
  /** p99 added per KiB of message, in milliseconds. */
  per_kib_ms: number;
}

/** Model used to predict the p99 of a route on a lane and node. */
export interface LatencyModel {
  /** `defaults` or the file the figures came from. */
  source: string;
  /** Figures of every lane. */
  lanes: Record<Lane, LaneFigures>;
  /** Added once for each route endpoint whose home node differs from the route's node. */
  cross_numa_ms: number;
  /** Message size the per-KiB cost is charged for. */
  message_kib: number;
}

/** Built-in figures (assumptions; see plans/README.md). */
export const DEFAULT_LATENCY_MODEL: LatencyModel = Object.freeze({
  source: "defaults",
  lanes: {
    shm: { base_p99_ms: 0.02, per_kib_ms: 0.001 },
    uds: { base_p99_ms: 0.06, per_kib_ms: 0.004 },
    tcp: { base_p99_ms: 0.12, per_kib_ms: 0.008 },
  },
  cross_numa_ms: 0.03,
  message_kib: 1,
}) as LatencyModel;

/** Predicted p99 in integer microseconds. */
export function predictP99Us(model: LatencyModel, lane: Lane, crossings: number): number {
  const f = model.lanes[lane];
  return Math.round(
    (f.base_p99_ms + f.per_kib_ms * model.message_kib + model.cross_numa_ms * crossings) * 1000,
  );
}

/** Path of the tuned profile. */
export function tunedProfilePath(ws: Workspace): string {
  return `${ws.tuned}/profile.json`;
}

/**
 * Validates a tuned profile document:
 * `{profile_version: 1, lanes: {<lane>: {base_p99_ms, per_kib_ms}}, cross_numa_ms?, message_kib?}`.
 * Lanes it leaves out keep their defaults.
 * @throws {SyntaxError} naming the file and JSON pointer of the first problem.
 */
export function parseTunedProfile(file: string, value: unknown): LatencyModel {
  const bad = (pointer: string, expected: string): never => {
    throw new InputError(`Invalid tuned profile "${file}" at ${pointer}: expected ${expected}`);
  };
  const isObj = (v: unknown): v is Record<string, unknown> =>
    typeof v === "object" && v !== null && !Array.isArray(v);
  const num = (v: unknown, pointer: string, positive: boolean): number => {
    if (typeof v !== "number" || !Number.isFinite(v) || v < 0 || (positive && v === 0)) {
      bad(pointer, positive ? "a number > 0" : "a number >= 0");
    }
    return v as number;
  };
  if (!isObj(value)) bad("/", "an object");
  const doc = value as Record<string, unknown>;
  if (doc.profile_version !== 1) bad("/profile_version", "1");
  if (!isObj(doc.lanes)) bad("/lanes", "an object keyed by lane (shm, uds, tcp)");
  const lanes = { ...DEFAULT_LATENCY_MODEL.lanes };
  for (const [name, fig] of Object.entries(doc.lanes as Record<string, unknown>)) {
    if (!(LANES as readonly string[]).includes(name)) {
      bad(`/lanes/${name}`, "a lane: shm, uds or tcp");
    }
    if (!isObj(fig)) bad(`/lanes/${name}`, "{base_p99_ms, per_kib_ms}");
    const f = fig as Record<string, unknown>;
    lanes[name as Lane] = {
      base_p99_ms: num(f.base_p99_ms, `/lanes/${name}/base_p99_ms`, false),
      per_kib_ms: num(f.per_kib_ms ?? 0, `/lanes/${name}/per_kib_ms`, false),
    };
  }
  return {
    source: file,
    lanes,
    cross_numa_ms: doc.cross_numa_ms === undefined
      ? DEFAULT_LATENCY_MODEL.cross_numa_ms
      : num(doc.cross_numa_ms, "/cross_numa_ms", false),
    message_kib: doc.message_kib === undefined
      ? DEFAULT_LATENCY_MODEL.message_kib
      : num(doc.message_kib, "/message_kib", true),
  };
}

/**
 * The workspace's model: the tuned profile when it exists, else the
 * defaults.
 * @throws {SyntaxError} when the profile is malformed (a bad profile is never silently ignored).
 */
export async function loadLatencyModel(ws: Workspace): Promise<LatencyModel> {
  const path = tunedProfilePath(ws);
  const file = relativePath(ws.root, path);
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (err) {
    if (isNotFound(err)) return DEFAULT_LATENCY_MODEL;
    throw err;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new InputError(`Cannot parse tuned profile "${file}": malformed JSON`, { cause });
  }
  return parseTunedProfile(file, value);
}
