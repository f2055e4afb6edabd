/**
 * The CLI's error boundary: one place that maps errors to exit codes.
 *
 * @module
 */
import { SchemaError, VerificationError } from "../core/mod.ts";

/** Documented exit codes (README "Exit codes"). */
export const EXIT = {
  ok: 0,
  failure: 1,
  usage: 64,
  dataErr: 65,
  noInput: 66,
  ioErr: 74,
  refused: 77,
} as const;

/** A command line that cannot be acted on (exit 64). */
export class UsageError extends TypeError {
  /** @param message what is wrong with the command line */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "UsageError";
  }
}

/** An error that carries its own exit code (doctor's 1/2/3, infeasible plans). */
export class ExitError extends Error {
  /** Exit code to use. */
  readonly exitCode: number;
  /** @param message one line for the user */
  constructor(message: string, exitCode: number, options?: ErrorOptions) {
    super(message, options);
    this.name = "ExitError";
    this.exitCode = exitCode;
  }
}

/** Maps any thrown value to the documented exit code. */
export function exitCodeFor(err: unknown): number {
  if (err instanceof ExitError) return err.exitCode;
  if (err instanceof UsageError || err instanceof RangeError) return EXIT.usage;
  if (err instanceof VerificationError) return EXIT.refused;
  if (err instanceof SchemaError || err instanceof SyntaxError) return EXIT.dataErr;
  if (err instanceof Deno.errors.NotFound) return EXIT.noInput;
  if (
    err instanceof Deno.errors.PermissionDenied || err instanceof Deno.errors.AlreadyExists ||
    err instanceof Deno.errors.IsADirectory || err instanceof Deno.errors.NotADirectory ||
    err instanceof Deno.errors.WriteZero || err instanceof Deno.errors.UnexpectedEof ||
    err instanceof Deno.errors.Busy || err instanceof Deno.errors.NotCapable ||
    (err instanceof Error && "code" in err && typeof err.code === "string" &&
      /^E[A-Z]+$/.test(err.code))
  ) return EXIT.ioErr;
  return EXIT.failure;
}

/** JSON form of an error for `--json` consumers. */
export function errorJson(err: unknown, code: number): Record<string, unknown> {
  const e = err instanceof Error ? err : new Error(String(err));
  const out: Record<string, unknown> = { name: e.name, message: e.message, exit_code: code };
  if (err instanceof SchemaError) out.problems = err.problems;
  return { error: out };
}
