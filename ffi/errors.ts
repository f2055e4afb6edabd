/**
 * Errors of the native binding: a negative status from the library becomes a
 * {@linkcode NativeError} (or one of its named subclasses), and a library that cannot be
 * loaded a {@linkcode NativeUnavailableError} listing every path tried.
 *
 * @module
 */
import { NativeStatus } from "./symbols.ts";

const STATUS_NAMES: Record<number, string> = Object.fromEntries(
  Object.entries(NativeStatus).map(([k, v]) => [v, k]),
);

/** A failure reported by the native library; carries the status code and native message. */
export class NativeError extends Error {
  /** Negative status code from the library. */
  readonly status: number;
  /** Status name, e.g. `BAD_HANDLE`. */
  readonly statusName: string;

  /** Wraps a native status; `message` is the caller's context plus the native text. */
  constructor(message: string, status: number, options?: ErrorOptions) {
    super(message, options);
    this.name = "NativeError";
    this.status = status;
    this.statusName = STATUS_NAMES[status] ?? `STATUS_${status}`;
  }
}

/**
 * The other end of a link went away (its process died or it closed its end). Lanes catch
 * this to turn a broken link into a clean close instead of a crash.
 */
export class PeerGoneError extends NativeError {
  /** See {@linkcode NativeError}. */
  constructor(message: string, status: number, options?: ErrorOptions) {
    super(message, status, options);
    this.name = "PeerGoneError";
  }
}

/** The ring exists but its creator has not finished initialising it; callers retry. */
export class RingNotReadyError extends NativeError {
  /** See {@linkcode NativeError}. */
  constructor(message: string, status: number, options?: ErrorOptions) {
    super(message, status, options);
    this.name = "RingNotReadyError";
  }
}

/** One loader attempt and why it failed. */
export interface LoadAttempt {
  /** Path tried (or a description of the source when there is no path). */
  path: string;
  /** Why this path was not used. */
  reason: string;
}

/**
 * The native library could not be loaded from any location. Callers catch it to fall back
 * to the pure-TS paths; `attempts` lists every path tried with its reason.
 */
export class NativeUnavailableError extends Error {
  /** Every location tried, in order. */
  readonly attempts: readonly LoadAttempt[];

  /** Builds the message from the attempts so the user sees all of them. */
  constructor(attempts: readonly LoadAttempt[], options?: ErrorOptions) {
    const lines = attempts.map((a) => `  - ${a.path}: ${a.reason}`).join("\n");
    super(`Cannot load librtt_ffi; tried:\n${lines}`, options);
    this.name = "NativeUnavailableError";
    this.attempts = attempts;
  }
}

/**
 * Maps a native status to the error a caller should see: argument problems become
 * TypeError/RangeError, missing/existing objects Deno's NotFound/AlreadyExists, a vanished
 * peer PeerGoneError; the native error is attached as `cause`.
 */
export function statusError(context: string, status: number, nativeMessage: string): Error {
  const msg = `${context}: ${nativeMessage}`;
  const native = new NativeError(msg, status);
  switch (status) {
    case NativeStatus.INVALID:
      return new TypeError(msg, { cause: native });
    case NativeStatus.TOO_LARGE:
    case NativeStatus.BUFFER_TOO_SMALL:
      return new RangeError(msg, { cause: native });
    case NativeStatus.NOT_FOUND:
      return new Deno.errors.NotFound(msg, { cause: native });
    case NativeStatus.EXISTS:
      return new Deno.errors.AlreadyExists(msg, { cause: native });
    case NativeStatus.PEER_GONE:
    case NativeStatus.PEER_CLOSED:
      return new PeerGoneError(msg, status);
    case NativeStatus.NOT_READY:
      return new RingNotReadyError(msg, status);
    default:
      return native;
  }
}
