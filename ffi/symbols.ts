/**
 * The one typed symbol table of librtt_ffi, its ABI version and status codes, mirrored from
 * `ffi/src/lib.rs` and `ffi/src/ring.rs`.
 *
 * @module
 */

/**
 * The symbol table. Each entry carries the Rust signature it binds. Hot entry points take
 * u32 lengths and buffers/pointers only: on the machine this was measured on, Deno's FFI
 * passed u32/pointer arguments in ~5-8 ns but usize/u64 ones in ~100 ns.
 * Statuses are i32: >= 0 success values, negative codes listed in {@linkcode NativeStatus}.
 */
export const symbols = {
  /** `extern "C" fn rtt_version() -> u32` */
  rtt_version: { parameters: [], result: "u32" },
  /** `extern "C" fn rtt_last_error(out: *mut u8, cap: u32) -> u32` */
  rtt_last_error: { parameters: ["buffer", "u32"], result: "u32" },
  /** `extern "C" fn rtt_crc32c(ptr: *const u8, len: u32, seed: u32) -> u32` */
  rtt_crc32c: { parameters: ["buffer", "u32", "u32"], result: "u32" },
  /** `extern "C" fn rtt_crc32c_hw() -> u32` */
  rtt_crc32c_hw: { parameters: [], result: "u32" },
  /** `extern "C" fn rtt_ring_create(name: *const u8, name_len: u32, capacity: u32, max_frame: u32, role: u32) -> i32` */
  rtt_ring_create: { parameters: ["buffer", "u32", "u32", "u32", "u32"], result: "i32" },
  /** `extern "C" fn rtt_ring_open(name: *const u8, name_len: u32, role: u32) -> i32` */
  rtt_ring_open: { parameters: ["buffer", "u32", "u32"], result: "i32" },
  /** `extern "C" fn rtt_ring_close(h: u32) -> i32` */
  rtt_ring_close: { parameters: ["u32"], result: "i32" },
  /** `extern "C" fn rtt_ring_unlink(name: *const u8, name_len: u32) -> i32` */
  rtt_ring_unlink: { parameters: ["buffer", "u32"], result: "i32" },
  /** `extern "C" fn rtt_shm_sweep(prefix: *const u8, prefix_len: u32) -> i32` */
  rtt_shm_sweep: { parameters: ["buffer", "u32"], result: "i32" },
  /** `extern "C" fn rtt_ring_push(h: u32, payload: *const u8, len: u32, route_id: u32, frame_id: u32, flags: u32) -> i32` */
  rtt_ring_push: { parameters: ["u32", "buffer", "u32", "u32", "u32", "u32"], result: "i32" },
  /** `extern "C" fn rtt_ring_push_batch(h: u32, buf: *const u8, len: u32, flags: u32) -> i32` */
  rtt_ring_push_batch: { parameters: ["u32", "buffer", "u32", "u32"], result: "i32" },
  /** `extern "C" fn rtt_ring_push_raw(h: u32, buf: *const u8, len: u32) -> i32` */
  rtt_ring_push_raw: { parameters: ["u32", "buffer", "u32"], result: "i32" },
  /** `extern "C" fn rtt_ring_peek(h: u32) -> i32` */
  rtt_ring_peek: { parameters: ["u32"], result: "i32" },
  /** `extern "C" fn rtt_ring_pop(h: u32, out: *mut u8, cap: u32) -> i32` */
  rtt_ring_pop: { parameters: ["u32", "buffer", "u32"], result: "i32" },
  /** `extern "C" fn rtt_ring_pop_batch(h: u32, out: *mut u8, cap: u32, max: u32) -> i32` */
  rtt_ring_pop_batch: { parameters: ["u32", "buffer", "u32", "u32"], result: "i32" },
  /** `extern "C" fn rtt_ring_wait_data(h: u32, spin_ns: u32, timeout_ms: u32) -> i32` (blocks the caller) */
  rtt_ring_wait_data: { parameters: ["u32", "u32", "u32"], result: "i32" },
  /** Same function as `rtt_ring_wait_data`, run off the JS thread so the event loop keeps going. */
  rtt_ring_wait_data_async: {
    name: "rtt_ring_wait_data",
    parameters: ["u32", "u32", "u32"],
    result: "i32",
    nonblocking: true,
  },
  /** `extern "C" fn rtt_ring_wait_space(h: u32, payload_len: u32, spin_ns: u32, timeout_ms: u32) -> i32` */
  rtt_ring_wait_space: { parameters: ["u32", "u32", "u32", "u32"], result: "i32" },
  /** Same function as `rtt_ring_wait_space`, off the JS thread. */
  rtt_ring_wait_space_async: {
    name: "rtt_ring_wait_space",
    parameters: ["u32", "u32", "u32", "u32"],
    result: "i32",
    nonblocking: true,
  },
  /** `extern "C" fn rtt_ring_peer_state(h: u32) -> i32` */
  rtt_ring_peer_state: { parameters: ["u32"], result: "i32" },
  /** `extern "C" fn rtt_ring_used(h: u32) -> i32` */
  rtt_ring_used: { parameters: ["u32"], result: "i32" },
  /** `extern "C" fn rtt_ring_info(h: u32, out: *mut u32) -> i32` (writes 2 x u32) */
  rtt_ring_info: { parameters: ["u32", "buffer"], result: "i32" },
  /** `extern "C" fn rtt_ring_stats(h: u32, out: *mut u64) -> i32` (writes 8 x u64) */
  rtt_ring_stats: { parameters: ["u32", "buffer"], result: "i32" },
  /** `extern "C" fn rtt_topology_json(out: *mut u8, cap: u32) -> i32` */
  rtt_topology_json: { parameters: ["buffer", "u32"], result: "i32" },
  /** `extern "C" fn rtt_fingerprint_json(out: *mut u8, cap: u32) -> i32` */
  rtt_fingerprint_json: { parameters: ["buffer", "u32"], result: "i32" },
  /** `extern "C" fn rtt_pin_thread(cpus: *const u32, count: u32) -> i32` */
  rtt_pin_thread: { parameters: ["buffer", "u32"], result: "i32" },
  /** `extern "C" fn rtt_thread_affinity(out: *mut u32, cap: u32) -> i32` */
  rtt_thread_affinity: { parameters: ["buffer", "u32"], result: "i32" },
} as const satisfies Deno.ForeignLibraryInterface;

/** ABI version this table binds; a library reporting another version is refused. */
export const ABI_VERSION = 2;

/** Type of the opened library, for code that receives it from the loader. */
export type NativeLibrary = Deno.DynamicLibrary<typeof symbols>;

/**
 * Negative status codes returned by the library (mirrors `ring::code` in ffi/src/ring.rs).
 * Kept as a plain object so error mapping can name a code without a lookup table drift.
 */
export const NativeStatus = {
  INVALID: -1,
  BAD_HANDLE: -2,
  TOO_LARGE: -3,
  OS: -4,
  NOT_FOUND: -5,
  EXISTS: -6,
  CORRUPT: -7,
  PEER_GONE: -8,
  PEER_CLOSED: -9,
  BUFFER_TOO_SMALL: -10,
  NOT_READY: -11,
  UNSUPPORTED: -12,
  CLOSED: -13,
  DROP_MAGIC: -20,
  DROP_LENGTH: -21,
  DROP_CRC: -22,
} as const;
