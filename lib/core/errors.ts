/**
 * The few named errors callers catch. Everything else uses the built-ins:
 * TypeError/RangeError for bad arguments, SyntaxError for malformed input,
 * Deno.errors.NotFound for missing input.
 *
 * @module
 */

/**
 * A signature, hash, trust or policy check refused the input. The CLI maps
 * it to exit code 77.
 */
export class VerificationError extends Error {
  /** @param message what was refused and why */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "VerificationError";
  }
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
 * A document does not match its schema or format. Subclass of SyntaxError so
 * it maps to exit 65 like any malformed input, but named because scan catches
 * it to report the file and carry on with the others.
 */
export class SchemaError extends SyntaxError {
  /** Every problem found, each with its position. */
  readonly problems: ReadonlyArray<SourcePosition & { message: string }>;
  /** @param problems at least one problem; the first one becomes the message */
  constructor(problems: Array<SourcePosition & { message: string }>, options?: ErrorOptions) {
    super(
      problems.length
        ? formatProblem(problems[0]) +
          (problems.length > 1 ? ` (and ${problems.length - 1} more)` : "")
        : "invalid document",
      options,
    );
    this.name = "SchemaError";
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
