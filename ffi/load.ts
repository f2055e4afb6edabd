/**
 * Finds and loads `librtt_ffi.so` once per process: `RTT_FFI_PATH`, then the local
 * `ffi/target/release/` build, then a hash-keyed cached copy next to a compiled binary. The
 * library's ABI version must match the symbol table; `RTT_FFI_DISABLE=1` refuses to load it.
 *
 * @module
 */
import { sha256 } from "@noble/hashes/sha2.js";
import { ABI_VERSION, type NativeLibrary, symbols } from "./symbols.ts";
import { type LoadAttempt, NativeUnavailableError } from "./errors.ts";

const LIB_FILE = "librtt_ffi.so";

/** Where to look for the library; tests override these to exercise each step. */
export interface LoadOptions {
  /** Explicit path (defaults to the `RTT_FFI_PATH` environment variable). */
  envPath?: string | null;
  /** Library next to this module's `target/release` (the dev build). */
  localPath?: string;
  /** Folder for the hash-keyed copy used by compiled binaries. */
  cacheDir?: string;
  /** Refuse to load at all (defaults to `RTT_FFI_DISABLE=1`), so fallbacks can be tested. */
  disabled?: boolean;
}

/** An opened library plus where it came from. */
export interface LoadedNative {
  /** The bound symbols. */
  lib: NativeLibrary;
  /** File that was opened. */
  path: string;
  /** How it was found: env var, local build, or cached copy of an embedded file. */
  source: "env" | "local" | "cache";
}

function env(name: string): string | undefined {
  try {
    return Deno.env.get(name);
  } catch {
    // Without --allow-env the variable is simply not consulted.
    return undefined;
  }
}

function moduleLocalPath(): string {
  return decodeURIComponent(new URL(`./target/release/${LIB_FILE}`, import.meta.url).pathname);
}

function defaultCacheDir(): string {
  const exe = Deno.execPath();
  return `${exe.slice(0, exe.lastIndexOf("/"))}/.rtt-cache/ffi`;
}

function describe(e: unknown): string {
  return e instanceof Error ? e.message.split("\n")[0] : String(e);
}

function open(path: string): NativeLibrary {
  const lib = Deno.dlopen(path, symbols);
  const v = lib.symbols.rtt_version();
  if (v !== ABI_VERSION) {
    lib.close();
    throw new RangeError(`ABI version ${v}, this binding needs ${ABI_VERSION}`);
  }
  return lib;
}

/**
 * A compiled binary embeds the library in its virtual filesystem, which dlopen cannot
 * read: copy it out once to a folder named by its hash (so a new build never reuses a stale
 * copy), then open the real file.
 */
function openCachedCopy(source: string, cacheDir: string): string {
  const bytes = Deno.readFileSync(source);
  const hex = sha256(bytes).subarray(0, 12).toHex();
  const dir = `${cacheDir}/${hex}`;
  const dest = `${dir}/${LIB_FILE}`;
  try {
    if (Deno.statSync(dest).size === bytes.length) return dest;
  } catch {
    // not cached yet
  }
  Deno.mkdirSync(dir, { recursive: true });
  const tmp = `${dest}.${Deno.pid}.tmp`;
  Deno.writeFileSync(tmp, bytes, { mode: 0o755 });
  Deno.renameSync(tmp, dest);
  return dest;
}

/**
 * Opens librtt_ffi from, in order: `RTT_FFI_PATH`, the local `ffi/target/release` build, and
 * a hash-keyed cached copy of the embedded file. Throws {@linkcode NativeUnavailableError}
 * listing every path tried with its reason.
 */
export function loadNative(options: LoadOptions = {}): LoadedNative {
  const attempts: LoadAttempt[] = [];
  const disabled = options.disabled ?? env("RTT_FFI_DISABLE") === "1";
  if (disabled) {
    attempts.push({ path: "(all)", reason: "native library disabled by RTT_FFI_DISABLE=1" });
    throw new NativeUnavailableError(attempts);
  }
  const envPath = options.envPath === undefined ? env("RTT_FFI_PATH") : options.envPath;
  if (envPath) {
    try {
      return { lib: open(envPath), path: envPath, source: "env" };
    } catch (e) {
      attempts.push({ path: envPath, reason: `RTT_FFI_PATH: ${describe(e)}` });
    }
  } else {
    attempts.push({ path: "$RTT_FFI_PATH", reason: "not set" });
  }
  const local = options.localPath ?? moduleLocalPath();
  try {
    return { lib: open(local), path: local, source: "local" };
  } catch (e) {
    attempts.push({ path: local, reason: describe(e) });
  }
  const cacheDir = options.cacheDir ?? defaultCacheDir();
  try {
    const copy = openCachedCopy(local, cacheDir);
    try {
      return { lib: open(copy), path: copy, source: "cache" };
    } catch (e) {
      attempts.push({ path: copy, reason: describe(e) });
    }
  } catch (e) {
    attempts.push({ path: `${cacheDir}/<sha256>/${LIB_FILE}`, reason: describe(e) });
  }
  throw new NativeUnavailableError(attempts);
}

let cached: { loaded: LoadedNative } | { error: NativeUnavailableError } | undefined;

/**
 * The process-wide library, loaded on first use; null when unavailable. Callers that have a
 * pure-TS path use this and fall back, so a missing library never breaks them.
 */
export function native(): NativeLibrary | null {
  if (cached === undefined) nativeStatus();
  return cached !== undefined && "loaded" in cached ? cached.loaded.lib : null;
}

/** Whether the native library is usable, and why not when it is not. */
export type NativeAvailability =
  | { available: true; path: string; source: LoadedNative["source"] }
  | { available: false; reason: string; error: NativeUnavailableError };

/** Loads (once) and reports availability; the reason lists every path tried. */
export function nativeStatus(): NativeAvailability {
  if (cached === undefined) {
    try {
      cached = { loaded: loadNative() };
    } catch (e) {
      cached = {
        error: e instanceof NativeUnavailableError
          ? e
          : new NativeUnavailableError([{ path: "(loader)", reason: describe(e) }], { cause: e }),
      };
    }
  }
  if ("loaded" in cached) {
    return { available: true, path: cached.loaded.path, source: cached.loaded.source };
  }
  return { available: false, reason: cached.error.message, error: cached.error };
}

/** Reads the library's last error message (empty when there is none). */
export function lastNativeError(lib: NativeLibrary): string {
  const buf = new Uint8Array(1024);
  const n = lib.symbols.rtt_last_error(buf, buf.length);
  return new TextDecoder().decode(buf.subarray(0, Math.min(n, buf.length)));
}
