//! rtt_ffi: the native half of the RTT fabric, loaded by Deno through `Deno.dlopen`.
//!
//! Every exported function validates its arguments, returns a status (negative codes are
//! listed in `ring::code`, mirrored in ffi/symbols.ts) and records a message readable with
//! `rtt_last_error`. Panics are caught at the boundary so a bug surfaces as a status code,
//! never as unwinding into Deno. Ring handles are generation-tagged table slots, so a stale
//! or double-closed handle is reported as BAD_HANDLE instead of touching freed memory.
//! Lengths on hot entry points are u32 because Deno's FFI passes 32-bit integers an order of
//! magnitude faster than 64-bit ones.

pub mod crc;
pub mod ring;
mod sys;
pub mod topo;

use ring::{code, Error, Ring, Role};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Arc, Mutex};

/// ABI version; the loader refuses a library whose version differs from the symbol table.
pub const ABI_VERSION: u32 = 2;

static LAST_ERROR: Mutex<String> = Mutex::new(String::new());

struct Slot {
    gen: u32,
    ring: Option<Arc<Ring>>,
}

static TABLE: Mutex<Vec<Slot>> = Mutex::new(Vec::new());
const MAX_SLOTS: usize = 0xffff;

fn set_error(msg: &str) {
    if let Ok(mut g) = LAST_ERROR.lock() {
        g.clear();
        g.push_str(msg);
    }
}

/// Runs an entry point: maps errors and panics to status codes.
fn guard(f: impl FnOnce() -> ring::Result<i32>) -> i32 {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(v)) => v,
        Ok(Err(Error { code, msg })) => {
            set_error(&msg);
            code
        }
        Err(_) => {
            set_error("internal panic in rtt_ffi (bug)");
            code::INVALID
        }
    }
}

fn insert(r: Ring) -> ring::Result<i32> {
    let mut t = TABLE.lock().unwrap_or_else(|p| p.into_inner());
    let idx = match t.iter().position(|s| s.ring.is_none()) {
        Some(i) => i,
        None => {
            if t.len() >= MAX_SLOTS {
                return ring::err(
                    code::INVALID,
                    format!(
                        "Cannot register ring \"{}\": {MAX_SLOTS} rings already open",
                        r.name
                    ),
                );
            }
            t.push(Slot { gen: 0, ring: None });
            t.len() - 1
        }
    };
    let s = &mut t[idx];
    s.gen = if s.gen >= 0x7fff { 1 } else { s.gen + 1 };
    s.ring = Some(Arc::new(r));
    Ok(((s.gen << 16) | (idx as u32 + 1)) as i32)
}

fn lookup(h: u32, remove: bool) -> ring::Result<Arc<Ring>> {
    let idx = (h & 0xffff) as usize;
    let gen = h >> 16;
    let mut t = TABLE.lock().unwrap_or_else(|p| p.into_inner());
    if idx == 0 || idx > t.len() || t[idx - 1].gen != gen || t[idx - 1].ring.is_none() {
        return ring::err(
            code::BAD_HANDLE,
            format!("ring handle {h} is not open (never opened, or already closed)"),
        );
    }
    let s = &mut t[idx - 1];
    Ok(if remove {
        s.ring.take().unwrap()
    } else {
        s.ring.clone().unwrap()
    })
}

unsafe fn bytes<'a>(ptr: *const u8, len: u32, what: &str) -> ring::Result<&'a [u8]> {
    if len == 0 {
        return Ok(&[]);
    }
    if ptr.is_null() {
        return ring::err(
            code::INVALID,
            format!("{what}: null pointer with length {len}"),
        );
    }
    Ok(std::slice::from_raw_parts(ptr, len as usize))
}

unsafe fn bytes_mut<'a>(ptr: *mut u8, len: u32, what: &str) -> ring::Result<&'a mut [u8]> {
    if len == 0 {
        return Ok(&mut []);
    }
    if ptr.is_null() {
        return ring::err(
            code::INVALID,
            format!("{what}: null pointer with capacity {len}"),
        );
    }
    Ok(std::slice::from_raw_parts_mut(ptr, len as usize))
}

unsafe fn name_arg(ptr: *const u8, len: u32) -> ring::Result<String> {
    let b = bytes(ptr, len, "ring name")?;
    match std::str::from_utf8(b) {
        Ok(s) => {
            ring::validate_name(s)?;
            Ok(s.to_string())
        }
        Err(_) => ring::err(code::INVALID, "ring name is not UTF-8"),
    }
}

fn role_arg(role: u32) -> ring::Result<Role> {
    match role {
        0 => Ok(Role::Producer),
        1 => Ok(Role::Consumer),
        _ => ring::err(
            code::INVALID,
            format!("role must be 0 (producer) or 1 (consumer), got {role}"),
        ),
    }
}

fn write_out(s: &str, out: *mut u8, cap: u32) -> i32 {
    let b = s.as_bytes();
    if !out.is_null() && b.len() <= cap as usize {
        unsafe { std::ptr::copy_nonoverlapping(b.as_ptr(), out, b.len()) };
    }
    b.len() as i32
}

/// `rtt_version() -> u32`
#[no_mangle]
pub extern "C" fn rtt_version() -> u32 {
    ABI_VERSION
}

/// Copies the last error message into `out` (up to `cap` bytes); returns its full length.
#[no_mangle]
pub extern "C" fn rtt_last_error(out: *mut u8, cap: u32) -> u32 {
    let g = LAST_ERROR.lock().unwrap_or_else(|p| p.into_inner());
    let b = g.as_bytes();
    let n = b.len().min(cap as usize);
    if !out.is_null() && n > 0 {
        unsafe { std::ptr::copy_nonoverlapping(b.as_ptr(), out, n) };
    }
    b.len() as u32
}

/// crc32c of `len` bytes continuing from `seed` (0 for a fresh checksum). A null pointer
/// with a non-zero length returns `seed` unchanged and records an error.
#[no_mangle]
pub extern "C" fn rtt_crc32c(ptr: *const u8, len: u32, seed: u32) -> u32 {
    match unsafe { bytes(ptr, len, "crc32c input") } {
        Ok(b) => crc::crc32c(seed, b),
        Err(e) => {
            set_error(&e.msg);
            seed
        }
    }
}

/// 1 when the SSE4.2 path is used, 0 for the table path.
#[no_mangle]
pub extern "C" fn rtt_crc32c_hw() -> u32 {
    crc::has_hw() as u32
}

/// Creates a ring; returns a handle (> 0) or a negative status.
#[no_mangle]
pub extern "C" fn rtt_ring_create(
    name: *const u8,
    name_len: u32,
    capacity: u32,
    max_frame: u32,
    role: u32,
) -> i32 {
    guard(|| {
        let n = unsafe { name_arg(name, name_len)? };
        let r = Ring::create(&n, capacity, max_frame, role_arg(role)?)?;
        insert(r)
    })
}

/// Opens an existing ring for the given role; returns a handle or a negative status
/// (NOT_READY while the creator is still initialising it).
#[no_mangle]
pub extern "C" fn rtt_ring_open(name: *const u8, name_len: u32, role: u32) -> i32 {
    guard(|| {
        let n = unsafe { name_arg(name, name_len)? };
        let r = Ring::open(&n, role_arg(role)?)?;
        insert(r)
    })
}

/// Closes a handle: marks this end closed in the shared header and unmaps once no call
/// is using it. A second close returns BAD_HANDLE and does nothing else.
#[no_mangle]
pub extern "C" fn rtt_ring_close(h: u32) -> i32 {
    guard(|| {
        let r = lookup(h, true)?;
        r.close();
        Ok(0)
    })
}

/// Removes the shared-memory name (existing mappings stay valid).
#[no_mangle]
pub extern "C" fn rtt_ring_unlink(name: *const u8, name_len: u32) -> i32 {
    guard(|| {
        let n = unsafe { name_arg(name, name_len)? };
        ring::unlink(&n)?;
        Ok(0)
    })
}

/// Unlinks rings named `prefix*` whose creator process is dead; returns how many.
#[no_mangle]
pub extern "C" fn rtt_shm_sweep(prefix: *const u8, prefix_len: u32) -> i32 {
    guard(|| {
        let b = unsafe { bytes(prefix, prefix_len, "sweep prefix")? };
        let p = std::str::from_utf8(b).map_err(|_| Error {
            code: code::INVALID,
            msg: "sweep prefix is not UTF-8".into(),
        })?;
        Ok(ring::sweep(p)? as i32)
    })
}

/// Pushes one frame; returns bytes queued afterwards (> 0), 0 when full, or a status.
#[no_mangle]
pub extern "C" fn rtt_ring_push(
    h: u32,
    payload: *const u8,
    len: u32,
    route_id: u32,
    frame_id: u32,
    flags: u32,
) -> i32 {
    guard(|| {
        let r = lookup(h, false)?;
        let p = unsafe { bytes(payload, len, "push payload")? };
        if flags > 0xffff {
            return ring::err(
                code::INVALID,
                format!("frame flags {flags} do not fit in 16 bits"),
            );
        }
        Ok(r.push(p, route_id, frame_id, flags as u16)? as i32)
    })
}

/// Pushes encoded frames end to end (bit 0 of `flags`: compute crc); returns frames queued.
#[no_mangle]
pub extern "C" fn rtt_ring_push_batch(h: u32, buf: *const u8, len: u32, flags: u32) -> i32 {
    guard(|| {
        let r = lookup(h, false)?;
        let b = unsafe { bytes(buf, len, "push batch")? };
        Ok(r.push_batch(b, flags & 1 != 0)? as i32)
    })
}

/// Queues bytes as one record without inspecting them; 1 queued, 0 full.
#[no_mangle]
pub extern "C" fn rtt_ring_push_raw(h: u32, buf: *const u8, len: u32) -> i32 {
    guard(|| {
        let r = lookup(h, false)?;
        let b = unsafe { bytes(buf, len, "raw record")? };
        Ok(r.push_raw(b)? as i32)
    })
}

/// Length of the next frame (header included), 0 when empty.
#[no_mangle]
pub extern "C" fn rtt_ring_peek(h: u32) -> i32 {
    guard(|| Ok(lookup(h, false)?.peek()? as i32))
}

/// Pops one frame into `out`; returns its length, 0 when empty, or a DROP_* code (-20..-22)
/// when the frame was consumed but failed verification.
#[no_mangle]
pub extern "C" fn rtt_ring_pop(h: u32, out: *mut u8, cap: u32) -> i32 {
    guard(|| {
        let r = lookup(h, false)?;
        let o = unsafe { bytes_mut(out, cap, "pop buffer")? };
        r.pop(o)
    })
}

/// Pops up to `max` frames end to end into `out`; returns how many.
#[no_mangle]
pub extern "C" fn rtt_ring_pop_batch(h: u32, out: *mut u8, cap: u32, max: u32) -> i32 {
    guard(|| {
        let r = lookup(h, false)?;
        let o = unsafe { bytes_mut(out, cap, "pop buffer")? };
        Ok(r.pop_batch(o, max)? as i32)
    })
}

/// Spins up to `spin_ns`, then parks until data arrives or `timeout_ms` passes.
/// 1 data, 0 timeout, PEER_GONE / PEER_CLOSED when the producer left and nothing remains.
#[no_mangle]
pub extern "C" fn rtt_ring_wait_data(h: u32, spin_ns: u32, timeout_ms: u32) -> i32 {
    guard(|| lookup(h, false)?.wait_data(spin_ns, timeout_ms))
}

/// Spins then parks until a frame of `payload_len` fits. 1 room, 0 timeout, or peer status.
#[no_mangle]
pub extern "C" fn rtt_ring_wait_space(
    h: u32,
    payload_len: u32,
    spin_ns: u32,
    timeout_ms: u32,
) -> i32 {
    guard(|| lookup(h, false)?.wait_space(payload_len, spin_ns, timeout_ms))
}

/// 1 peer alive, 0 peer process gone, 2 peer not attached yet, 3 peer closed its end.
#[no_mangle]
pub extern "C" fn rtt_ring_peer_state(h: u32) -> i32 {
    guard(|| Ok(lookup(h, false)?.peer_state()))
}

/// Bytes queued in the ring.
#[no_mangle]
pub extern "C" fn rtt_ring_used(h: u32) -> i32 {
    guard(|| Ok(lookup(h, false)?.used() as i32))
}

/// Writes `[capacity, max_payload]` to `out` (2 x u32).
#[no_mangle]
pub extern "C" fn rtt_ring_info(h: u32, out: *mut u32) -> i32 {
    guard(|| {
        let r = lookup(h, false)?;
        if out.is_null() {
            return ring::err(code::INVALID, "ring info: null output pointer");
        }
        unsafe {
            out.write_unaligned(r.capacity());
            out.add(1).write_unaligned(r.max_frame());
        }
        Ok(0)
    })
}

/// Writes 8 x u64 counters: pushed, popped, bytes pushed, bytes popped, drops (magic,
/// length, crc), full events.
#[no_mangle]
pub extern "C" fn rtt_ring_stats(h: u32, out: *mut u64) -> i32 {
    use std::sync::atomic::Ordering::Relaxed;
    guard(|| {
        let r = lookup(h, false)?;
        if out.is_null() {
            return ring::err(code::INVALID, "ring stats: null output pointer");
        }
        let s = &r.stats;
        let v = [
            s.pushed.load(Relaxed),
            s.popped.load(Relaxed),
            s.bytes_pushed.load(Relaxed),
            s.bytes_popped.load(Relaxed),
            s.drop_magic.load(Relaxed),
            s.drop_length.load(Relaxed),
            s.drop_crc.load(Relaxed),
            s.full.load(Relaxed),
        ];
        for (i, x) in v.iter().enumerate() {
            unsafe { out.add(i).write_unaligned(*x) };
        }
        Ok(0)
    })
}

/// Topology JSON `{nodes:[{id,cpus,distances}]}`; returns its length and writes it only
/// when it fits in `cap` (call again with a larger buffer otherwise).
#[no_mangle]
pub extern "C" fn rtt_topology_json(out: *mut u8, cap: u32) -> i32 {
    guard(|| Ok(write_out(&topo::topology_json(), out, cap)))
}

/// Machine fingerprint JSON; same length protocol as `rtt_topology_json`.
#[no_mangle]
pub extern "C" fn rtt_fingerprint_json(out: *mut u8, cap: u32) -> i32 {
    guard(|| Ok(write_out(&topo::fingerprint_json(), out, cap)))
}

/// Pins the calling thread to the `count` CPU ids at `cpus`.
#[no_mangle]
pub extern "C" fn rtt_pin_thread(cpus: *const u32, count: u32) -> i32 {
    guard(|| {
        if count > 1024 {
            return ring::err(
                code::INVALID,
                format!("Cannot pin thread: {count} CPUs given, at most 1024"),
            );
        }
        if count > 0 && cpus.is_null() {
            return ring::err(code::INVALID, "Cannot pin thread: null CPU list");
        }
        let list = if count == 0 {
            &[][..]
        } else {
            unsafe { std::slice::from_raw_parts(cpus, count as usize) }
        };
        topo::pin(list)?;
        Ok(0)
    })
}

/// Writes the calling thread's CPU set into `out` (up to `cap` ids); returns the count.
#[no_mangle]
pub extern "C" fn rtt_thread_affinity(out: *mut u32, cap: u32) -> i32 {
    guard(|| {
        let v = topo::affinity()?;
        if !out.is_null() {
            for (i, c) in v.iter().take(cap as usize).enumerate() {
                unsafe { out.add(i).write_unaligned(*c) };
            }
        }
        Ok(v.len() as i32)
    })
}

#[cfg(test)]
mod tests;
