/**
 * The CLI's error boundary: the one place that maps errors to exit codes.
 * Only the {@linkcode RttError} family carries a code; anything else is a bug
 * and exits 1 with its message (and its stack with `--debug`).
 *
 * @module
 */
import { EXIT, RttError, SchemaError, UsageError } from "../core/mod.ts";

export { EXIT, UsageError };

/** Maps any thrown value to the documented exit code. */
export function exitCodeFor(err: unknown): number {
  return err instanceof RttError ? err.exitCode : EXIT.failure;
}

/** JSON form of an error for `--json` consumers. */
export function errorJson(err: unknown, code: number): Record<string, unknown> {
  const e = err instanceof Error ? err : new Error(String(err));
  const out: Record<string, unknown> = { name: e.name, message: e.message, exit_code: code };
  if (err instanceof RttError && err.file !== undefined) out.file = err.file;
  if (err instanceof SchemaError) out.problems = err.problems;
  return { error: out };
}
