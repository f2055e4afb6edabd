/**
 * How commands name a plan: a file, a plan_id, or nothing (the plan named in
 * `plans/LATEST`).
 *
 * @module
 */
import {
  asFileError,
  InputError,
  isNotFound,
  MissingInputError,
  relativePath,
  type Workspace,
} from "../core/mod.ts";
import { resolve } from "node:path";

const PLAN_ID = /^sha256-[0-9a-f]{64}$/;

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
    name = (await Deno.readTextFile(latest)).trim();
  } catch (err) {
    if (isNotFound(err)) {
      throw new MissingInputError(
        `No plan given and "${shown}" does not exist: run "rtt-deno plan" ` +
          `or pass a plan file or plan_id`,
        { file: shown, cause: err },
      );
    }
    throw asFileError(err, shown, "Cannot read");
  }
  if (!name || name.includes("/") && !name.startsWith("plans/")) {
    throw new InputError(
      `Cannot use "${shown}": expected the file name of a plan in plans/`,
      { file: shown },
    );
  }
  return `${ws.plans}/${name.replace(/^plans\//, "")}`;
}
