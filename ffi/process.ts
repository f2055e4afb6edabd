/**
 * Process liveness, the one question lock and ring owners need answered about another pid.
 *
 * @module
 */
import { readText } from "./_sysfs.ts";
import { native } from "./load.ts";

/**
 * Whether `pid` names a live process (a zombie counts as dead: it will never
 * release what it holds). Lock owners are checked with it.
 *
 * Deno refuses to stat `/proc/<pid>` without `--allow-all`, so the check is a
 * native `kill(pid, 0)` plus the state in `/proc/<pid>/stat`, or without the
 * native library the same stat file read by the sysfs fallback reader.
 */
export function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0 || pid > 0x7fffffff) return false;
  if (pid === Deno.pid) return true;
  const lib = native();
  if (lib !== null) return lib.symbols.rtt_pid_alive(pid) === 1;
  const stat = readText(`/proc/${pid}/stat`);
  if (stat === null) return false;
  const state = stat.slice(stat.lastIndexOf(")") + 1).trim()[0];
  return state !== "Z" && state !== "X";
}
