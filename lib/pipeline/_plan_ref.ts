/**
 * How commands name a plan: a file, a plan_id, or nothing (the plan named in
 * `plans/LATEST`).
 *
 * @module
 */
import {
  InputError,
  MissingInputError,
  readInputText,
  relativePath,
  type Workspace,
} from "../core/mod.ts";
import { resolve } from "node:path";

const PLAN_ID = /^sha256-[0-9a-f]{64}$/;
const LATEST_NAME = /^(?:plans\/)?(sha256-[0-9a-f]{64}\.plan\.json)$/;

/**
 * Absolute path of the plan `ref` names (a path is taken relative to the
 * current folder); without `ref`, the plan named in `plans/LATEST`.
 * @throws {MissingInputError} when `plans/LATEST` is needed and absent
 * @throws {InputError} when `plans/LATEST` does not name a plan file in plans/
 */
export async function resolvePlanRef(ws: Workspace, ref: string | undefined): Promise<string> {
  if (ref && PLAN_ID.test(ref)) return `${ws.plans}/${ref}.plan.json`;
  if (ref) return resolve(ref);
  const latest = `${ws.plans}/LATEST`;
  const shown = relativePath(ws.root, latest);
  let name: string;
  try {
    name = (await readInputText(latest, { what: "plan pointer", display: shown, maxBytes: 4096 }))
      .trim();
  } catch (err) {
    if (err instanceof MissingInputError) {
      throw new MissingInputError(
        `No plan given and "${shown}" does not exist: run "rtt-deno plan" ` +
          `or pass a plan file or plan_id`,
        { file: shown, cause: err },
      );
    }
    throw err;
  }
  // Only a plan file directly in plans/: LATEST must never lead a reader out of the folder.
  const m = LATEST_NAME.exec(name);
  if (!m) {
    throw new InputError(
      `Cannot use "${shown}": expected the file name of a plan in plans/ ` +
        `(sha256-<64 hex>.plan.json), got ${JSON.stringify(name.slice(0, 120))}`,
      { file: shown },
    );
  }
  return `${ws.plans}/${m[1]}`;
}
