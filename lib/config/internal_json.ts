/**
 * The one way RTT reads its own files (trust roots, the registry index, CAS
 * objects, the committed state, stored graphs, key files, bundle indexes,
 * `last_applied.json`): parse JSON, check it against its schema in
 * `schemas/`, and report damage the way user files are reported, as a
 * {@linkcode SchemaError} (exit 65) naming file, line, column and JSON
 * pointer. Callers then check what a schema cannot (hashes, signatures),
 * which stays a `VerificationError` (exit 77).
 *
 * Light on purpose: the happy path loads only Ajv (on first use); the
 * position machinery (JSON source maps, YAML) is imported only to describe a
 * damaged file.
 *
 * @example
 * ```ts
 * import { readInternalJson } from "./internal_json.ts";
 * const seen = await readInternalJson<{ highest_version: number }>(
 *   ".rtt/registry/trust/seen.json",
 *   "trustSeen",
 *   { display: ".rtt/registry/trust/seen.json" },
 * );
 * ```
 *
 * @module
 */
import { asFileError, InputError, isNotFound } from "../core/mod.ts";
import { type InternalSchemaName, validatorFor } from "./schemas.ts";

/** How an internal file is named in messages. */
export interface InternalJsonOptions {
  /** The file as the user would name it: workspace-relative, or `<bundle>:<entry>`. */
  display: string;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * Parses and validates internal JSON held in memory (e.g. a bundle entry).
 * @throws {SchemaError} (exit 65) naming `display` with the position of the
 * syntax error or of every schema mismatch; {InputError} when not UTF-8.
 */
export async function parseInternalJson<T>(
  data: string | Uint8Array,
  schema: InternalSchemaName,
  options: InternalJsonOptions,
): Promise<T> {
  const { display } = options;
  let text: string;
  try {
    text = typeof data === "string" ? data : utf8.decode(data);
  } catch (cause) {
    throw new InputError(`Cannot parse "${display}": not valid UTF-8`, { file: display, cause });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return await rejectDocument(schema, display, text);
  }
  if (!(await validatorFor(schema))(value)) return await rejectDocument(schema, display, text);
  return value as T;
}

/**
 * Reads, parses and validates an internal file.
 * @throws {SchemaError} (65) when damaged; {MissingInputError} (66) when
 * absent; {IoError} (74) when it cannot be read.
 */
export async function readInternalJson<T>(
  path: string,
  schema: InternalSchemaName,
  options: InternalJsonOptions,
): Promise<T> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (err) {
    throw asFileError(err, options.display, "Cannot read");
  }
  return await parseInternalJson<T>(text, schema, options);
}

/**
 * {@linkcode readInternalJson}, or undefined when the file does not exist
 * (for files whose absence has a meaning: nothing applied yet, no index yet).
 */
export async function readInternalJsonIfExists<T>(
  path: string,
  schema: InternalSchemaName,
  options: InternalJsonOptions,
): Promise<T | undefined> {
  try {
    return await readInternalJson<T>(path, schema, options);
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

// Only on the error path: builds the positioned SchemaError user files get.
async function rejectDocument(
  schema: InternalSchemaName,
  display: string,
  text: string,
): Promise<never> {
  const { parseSource, validateDocument } = await import("./validate.ts");
  await validateDocument(schema, parseSource(display, text, { format: "json" }));
  throw new InputError(`Cannot parse "${display}": it does not match its schema`, {
    file: display,
  });
}
