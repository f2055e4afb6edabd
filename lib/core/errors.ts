/**
 * The one error family of RTT. Every failure a user can cause or meet is an
 * {@linkcode RttError} that carries, as data, the exit code the CLI returns and
 * the file it concerns. The CLI maps only these classes (see ARCHITECTURE.md,
 * "Exit codes"); any other thrown value is a bug and exits 1.
 *
 * Built-in `TypeError` / `RangeError` stay for programming errors (a caller
 * passing a value the API documents as impossible).
 *
 * @example
 * ```ts
 * import { InputError } from "./errors.ts";
 * throw new InputError('Cannot parse manifest "x.json": missing field "saddr"', {
 *   file: "x.json",
 * });
 * ```
 *
 * @module
 */

/** Documented exit codes (ARCHITECTURE.md "Exit codes"). */
export const EXIT = {
  ok: 0,
  failure: 1,
  usage: 64,
  dataErr: 65,
  noInput: 66,
  ioErr: 74,
  refused: 77,
} as const;

/** Options of every {@linkcode RttError}. */
export interface RttErrorOptions extends ErrorOptions {
  /** The file the error concerns (as the user would name it), when there is one. */
  file?: string;
}

/** Base of the family: a user-facing failure with its exit code and file. */
export abstract class RttError extends Error {
  /** Exit code the CLI returns for this error. */
  abstract readonly exitCode: number;
  /** The file the error concerns, when there is one. */
  readonly file?: string;
  /**
   * Creates the error.
   *
   * @param message one line for the user
   * @param options cause and file
   */
  constructor(message: string, options: RttErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    if (options.file !== undefined) this.file = options.file;
  }
}

/** A command line or argument that cannot be acted on (exit 64). */
export class UsageError extends RttError {
  /** Exit 64. */
  readonly exitCode: number = EXIT.usage;
}

/** Malformed or schema-violating input data: manifest, config, plan, stored file (exit 65). */
export class InputError extends RttError {
  /** Exit 65. */
  readonly exitCode: number = EXIT.dataErr;
}

/** Input that should exist does not: a file, a plan, a committed graph (exit 66). */
export class MissingInputError extends RttError {
  /** Exit 66. */
  readonly exitCode: number = EXIT.noInput;
}

/** The machine failed an operation: fsync, a busy lock, a refused write (exit 74). */
export class IoError extends RttError {
  /** Exit 74. */
  readonly exitCode: number = EXIT.ioErr;
}

/**
 * A signature, hash, trust or policy check refused the input (exit 77).
 */
export class VerificationError extends RttError {
  /** Exit 77. */
  readonly exitCode: number = EXIT.refused;
}

/**
 * The operation ran to its end and the answer is "no": an aborted transaction,
 * an infeasible plan, a breached verify window (exit 1).
 */
export class FailureError extends RttError {
  /** Exit 1. */
  readonly exitCode: number = EXIT.failure;
}

/** Where in a document a problem sits. Lines and columns are 1-based. */
export interface SourcePosition {
  /** File path as given by the caller. */
  file: string;
  /** JSON pointer of the offending value ("" for the document root). */
  pointer: string;
  /** 1-based line, when known. */
  line?: number;
  /** 1-based column, when known. */
  column?: number;
}

/**
 * A document does not match its schema or format (exit 65). Named because
 * scan catches it to report the file and carry on with the others.
 */
export class SchemaError extends InputError {
  /** Every problem found, each with its position. */
  readonly problems: ReadonlyArray<SourcePosition & { message: string }>;
  /**
   * Creates the error from its problems.
   *
   * @param problems at least one problem; the first one becomes the message
   */
  constructor(problems: Array<SourcePosition & { message: string }>, options?: ErrorOptions) {
    super(
      problems.length
        ? formatProblem(problems[0]) +
          (problems.length > 1 ? ` (and ${problems.length - 1} more)` : "")
        : "invalid document",
      { ...options, file: problems[0]?.file },
    );
    this.problems = problems;
  }
}

/** `file:line:col at /pointer: message`, the one-line form used everywhere. */
export function formatProblem(p: SourcePosition & { message: string }): string {
  const where = p.line ? `${p.file}:${p.line}:${p.column ?? 1}` : p.file;
  return `Invalid "${where}" at ${p.pointer === "" ? "/" : p.pointer}: ${p.message}`;
}

/** Message of any thrown value. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Turns an error the runtime raised while touching `file` into the family:
 * a missing file becomes {@linkcode MissingInputError}, any other runtime
 * I/O failure an {@linkcode IoError}; family errors pass through unchanged.
 *
 * @example
 * ```ts
 * import { asFileError } from "./errors.ts";
 * try {
 *   await Deno.readTextFile("plan.json");
 * } catch (err) {
 *   throw asFileError(err, "plan.json", "Cannot read plan");
 * }
 * ```
 */
export function asFileError(err: unknown, file: string, what: string): Error {
  if (err instanceof RttError) return err;
  if (err instanceof Deno.errors.NotFound) {
    return new MissingInputError(`${what} "${file}": file not found`, { file, cause: err });
  }
  if (isRuntimeIoError(err)) {
    return new IoError(`${what} "${file}": ${errorMessage(err)}`, { file, cause: err });
  }
  return err instanceof Error ? err : new Error(String(err));
}

/** Whether `err` is one of the runtime's own I/O errors (`Deno.errors.*`). */
export function isRuntimeIoError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  for (const cls of Object.values(Deno.errors)) {
    if (typeof cls === "function" && err instanceof cls) return true;
  }
  return false;
}

/**
 * Whether `err` means "not there": the runtime's `NotFound` or a
 * {@linkcode MissingInputError} a lower layer raised for it.
 */
export function isNotFound(err: unknown): boolean {
  return err instanceof Deno.errors.NotFound || err instanceof MissingInputError;
}
