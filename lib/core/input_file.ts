/**
 * Reading a file a user named (or a workspace holds) without trusting it to
 * be a file: `/dev/zero` would be read without end and a FIFO would block
 * forever, so the path is stat-ed first and anything but a regular file of
 * at most `maxBytes` is refused before a byte is read, naming the file.
 *
 * @example
 * ```ts
 * import { INPUT_LIMITS, readInputText } from "./input_file.ts";
 * const text = await readInputText("plans/x.plan.json", {
 *   what: "plan",
 *   maxBytes: INPUT_LIMITS.plan,
 * });
 * ```
 *
 * @module
 */
import { asFileError, InputError, isNotFound, MissingInputError } from "./errors.ts";

/** Size limits of the inputs RTT reads (bytes). Documented in ARCHITECTURE.md, "Input limits". */
export const INPUT_LIMITS = {
  /** A symbol, agent or skill manifest. */
  manifest: 1 << 20,
  /** `policy.json`, `routes.json` (20,000 routes are a few MiB). */
  config: 16 << 20,
  /**
   * `panel.yaml`, `providers.yaml`: YAML parsing is slow and memory-hungry on
   * hostile input (2 MB of flow lists took 13 s and 1.9 GB), and real files are a few KiB.
   */
  yaml: 256 << 10,
  /** A plan file (a 20,000-route plan is about 16 MiB). */
  plan: 64 << 20,
  /** A public key file. */
  publicKey: 64 << 10,
} as const;

/** Options of {@linkcode readInputFile}. */
export interface ReadInputOptions {
  /** What the file is, for messages ("plan", "public key", ...). */
  what: string;
  /** Refuse files larger than this. */
  maxBytes: number;
  /** The name to show (default: `path`). */
  display?: string;
  /** Extra words for the missing-file message (e.g. what to run). */
  missingHint?: string;
}

/**
 * The bytes of `path`, refused unless it is a regular file of at most
 * `maxBytes`.
 * @throws {MissingInputError} when it does not exist (66)
 * @throws {InputError} when it is not a regular file or is too large (65)
 */
export async function readInputFile(path: string, options: ReadInputOptions): Promise<Uint8Array> {
  const file = options.display ?? path;
  let st: Deno.FileInfo;
  try {
    st = await Deno.stat(path);
  } catch (err) {
    if (isNotFound(err)) {
      throw new MissingInputError(
        `Cannot read ${options.what} "${file}": file not found${
          options.missingHint ? ` (${options.missingHint})` : ""
        }`,
        { file, cause: err },
      );
    }
    throw asFileError(err, file, `Cannot read ${options.what}`);
  }
  if (!st.isFile) {
    throw new InputError(
      `Cannot read ${options.what} "${file}": not a regular file (a ${kindOf(st)})`,
      { file },
    );
  }
  tooLarge(st.size, options, file);
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (err) {
    throw asFileError(err, file, `Cannot read ${options.what}`);
  }
  tooLarge(bytes.length, options, file); // it grew between stat and read
  return bytes;
}

/**
 * {@linkcode readInputFile} decoded as UTF-8. Invalid UTF-8 is refused rather
 * than replaced by U+FFFD: a manifest must be signed as it is on disk.
 * @throws {InputError} when the bytes are not valid UTF-8 (65)
 */
export async function readInputText(path: string, options: ReadInputOptions): Promise<string> {
  const bytes = await readInputFile(path, options);
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch (cause) {
    const file = options.display ?? path;
    throw new InputError(`Cannot read ${options.what} "${file}": not valid UTF-8`, { file, cause });
  }
}

function tooLarge(size: number, options: ReadInputOptions, file: string): void {
  if (size > options.maxBytes) {
    throw new InputError(
      `Cannot read ${options.what} "${file}": ${size} bytes is more than the ${options.maxBytes}-byte limit`,
      { file },
    );
  }
}

function kindOf(st: Deno.FileInfo): string {
  if (st.isDirectory) return "folder";
  if (st.isSymlink) return "symlink";
  return "device, FIFO or socket";
}
