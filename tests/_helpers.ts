/**
 * Helpers for CLI integration tests: run the real `rtt-deno` command (from
 * source, with the same permission set as the compiled binary) on temporary
 * workspaces.
 *
 * @module
 */

export {
  copyDir,
  copySample,
  holdWorkspaceLock,
  type LockHolder,
  manifest,
  tempDir,
  writeTree,
} from "../lib/testing/mod.ts";

const ROOT = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
const decoder = new TextDecoder();

/** Repository root. */
export const REPO = ROOT;

/** Result of one CLI run. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** How {@linkcode rtt} runs the command. */
export interface RttOptions {
  cwd?: string;
  env?: Record<string, string>;
  /**
   * Run the test entry point `tests/_entry.ts` instead of `main.ts`: the same
   * CLI, with crash and fault hooks built from `RTT_CRASH_AT`, `RTT_CRASH_TRACE`,
   * `RTT_TEST_PARTICIPANT` and `RTT_FAIL_FSYNC` in `env`.
   */
  testEntry?: boolean;
}

/** Path of the entry point a run uses. */
export function entryPoint(options: { testEntry?: boolean } = {}): string {
  return options.testEntry ? `${ROOT}/tests/_entry.ts` : `${ROOT}/main.ts`;
}

/** Runs `rtt-deno <args>` in a child process. */
export async function rtt(args: string[], options: RttOptions = {}): Promise<CliResult> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-q", "-P=rtt", "--config", `${ROOT}/deno.json`, entryPoint(options), ...args],
    cwd: options.cwd ?? ROOT,
    env: { NO_COLOR: "1", ...options.env },
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code: out.code, stdout: decoder.decode(out.stdout), stderr: decoder.decode(out.stderr) };
}

/** Runs the CLI with --json and parses stdout. */
export async function rttJson<T = Record<string, unknown>>(
  args: string[],
  options: RttOptions = {},
): Promise<{ code: number; json: T; stderr: string }> {
  const r = await rtt(["--json", ...args], options);
  let json: T;
  try {
    json = JSON.parse(r.stdout);
  } catch (err) {
    throw new Error(
      `stdout of "rtt-deno --json ${
        args.join(" ")
      }" is not JSON (exit ${r.code}):\n${r.stdout}\n${r.stderr}`,
      { cause: err },
    );
  }
  return { code: r.code, json, stderr: r.stderr };
}

/**
 * Every file under `dir` (recursively) mapped to the sha256 of its bytes, to
 * assert that a refused command changed nothing on disk.
 */
export async function snapshotTree(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  async function walk(d: string, rel: string): Promise<void> {
    let entries: Deno.DirEntry[];
    try {
      entries = [...Deno.readDirSync(d)];
    } catch (err) {
      if (err instanceof Deno.errors.NotFound) return;
      throw err;
    }
    for (const e of entries) {
      const p = `${d}/${e.name}`;
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory) await walk(p, r);
      else if (e.isFile) {
        const digest = await crypto.subtle.digest("SHA-256", await Deno.readFile(p));
        out[r] = new Uint8Array(digest).toHex();
      }
    }
  }
  await walk(dir, "");
  return out;
}
