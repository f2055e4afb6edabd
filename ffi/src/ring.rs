//! Single-producer single-consumer byte ring in a POSIX shared-memory object.
//!
//! Layout: a 4096-byte header page, then `capacity` bytes of records. Each record is an
//! 8-byte record header `{u32 len, u32 kind}` followed by `len` bytes, padded to 8. A frame
//! record holds one RTT frame (24-byte header + payload); a pad record fills the tail end of
//! the buffer when the next record would not fit before the wrap, so records are always
//! contiguous and can be copied with one memcpy.
//!
//! Positions are 31-bit wrapping counters. `tail` (written by the producer) and `head`
//! (written by the consumer) sit on separate cache lines, and bit 31 of each is a waiter flag:
//! the side that wants to park sets the flag with a compare-exchange on the very word the
//! other side publishes with a swap. Because both touch one location, the handshake needs
//! only acquire/release ordering (no store-load fence), and the publisher calls futex_wake
//! only when the swap returned a set flag, so the fast path makes no syscall.
//!
//! The other process may be buggy or hostile: every length read from shared memory is
//! checked against the mapping before it is used.

use crate::crc;
use crate::sys;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::time::{Duration, Instant};

pub const HDR_SIZE: usize = 4096;
pub const RING_MAGIC: u64 = u64::from_le_bytes(*b"RTTRING1");
pub const RING_VERSION: u32 = 1;
pub const FRAME_MAGIC: u32 = 0x3154_5452;
pub const FRAME_HDR: usize = 24;
pub const REC_HDR: usize = 8;
pub const MIN_CAPACITY: u32 = 4096;
pub const MAX_CAPACITY: u32 = 1 << 30;

const OFF_MAGIC: usize = 0;
const OFF_VERSION: usize = 8;
const OFF_CAPACITY: usize = 12;
const OFF_MAX_FRAME: usize = 16;
const OFF_CREATOR_PID: usize = 20;
const OFF_PRODUCER_PID: usize = 24;
const OFF_CONSUMER_PID: usize = 28;
const OFF_CLOSED: usize = 32;
const OFF_READY: usize = 36;
const OFF_TAIL: usize = 64;
const OFF_HEAD: usize = 128;

const WAIT: u32 = 1 << 31;
const POS: u32 = WAIT - 1;
const KIND_FRAME: u32 = 1;
const KIND_PAD: u32 = 2;
const CLOSED_PRODUCER: u32 = 1;
const CLOSED_CONSUMER: u32 = 2;
/// Longest single futex sleep: bounds how late a dead peer is noticed.
const PARK_SLICE_MS: u32 = 20;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Role {
    Producer,
    Consumer,
}

/// Error with a status code (see lib.rs) and a human message.
#[derive(Debug)]
pub struct Error {
    pub code: i32,
    pub msg: String,
}

pub type Result<T> = std::result::Result<T, Error>;

pub fn err<T>(code: i32, msg: impl Into<String>) -> Result<T> {
    Err(Error {
        code,
        msg: msg.into(),
    })
}

pub mod code {
    pub const INVALID: i32 = -1;
    pub const BAD_HANDLE: i32 = -2;
    pub const TOO_LARGE: i32 = -3;
    pub const OS: i32 = -4;
    pub const NOT_FOUND: i32 = -5;
    pub const EXISTS: i32 = -6;
    pub const CORRUPT: i32 = -7;
    pub const PEER_GONE: i32 = -8;
    pub const PEER_CLOSED: i32 = -9;
    pub const BUFFER_TOO_SMALL: i32 = -10;
    pub const NOT_READY: i32 = -11;
    pub const UNSUPPORTED: i32 = -12;
    pub const CLOSED: i32 = -13;
    pub const DROP_MAGIC: i32 = -20;
    pub const DROP_LENGTH: i32 = -21;
    pub const DROP_CRC: i32 = -22;
}

/// Process-local counters of one ring handle.
#[derive(Default)]
pub struct Stats {
    pub pushed: AtomicU64,
    pub popped: AtomicU64,
    pub bytes_pushed: AtomicU64,
    pub bytes_popped: AtomicU64,
    pub drop_magic: AtomicU64,
    pub drop_length: AtomicU64,
    pub drop_crc: AtomicU64,
    pub full: AtomicU64,
}

pub struct Ring {
    base: *mut u8,
    map_len: usize,
    cap: u32,
    max_frame: u32,
    role: Role,
    pub name: String,
    pub stats: Stats,
    closed: AtomicBool,
}

// SAFETY: the mapping is shared memory accessed through atomics for the control words;
// the data area is only written by the producer before publishing and read by the consumer
// after acquiring, per the SPSC protocol.
unsafe impl Send for Ring {}
unsafe impl Sync for Ring {}

pub fn validate_name(name: &str) -> Result<()> {
    if name.is_empty() || name.len() > 200 {
        return err(
            code::INVALID,
            format!("ring name must be 1..200 bytes, got {}", name.len()),
        );
    }
    if !name
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'_' || b == b'-')
    {
        return err(
            code::INVALID,
            format!("ring name {name:?} may only hold [A-Za-z0-9._-]"),
        );
    }
    Ok(())
}

fn cname(name: &str) -> Vec<u8> {
    let mut v = Vec::with_capacity(name.len() + 2);
    v.push(b'/');
    v.extend_from_slice(name.as_bytes());
    v.push(0);
    v
}

/// Maps `len` bytes of the shm object `fd` read-write and shared, then closes `fd` (the
/// mapping keeps the object alive). Returns MAP_FAILED on error.
unsafe fn map_shared(fd: sys::c_int, len: usize) -> *mut u8 {
    let p = sys::mmap(
        std::ptr::null_mut(),
        len,
        sys::PROT_READ | sys::PROT_WRITE,
        sys::MAP_SHARED,
        fd,
        0,
    );
    sys::close(fd);
    p
}

fn os_err<T>(what: &str, name: &str) -> Result<T> {
    let e = std::io::Error::last_os_error();
    let c = match e.raw_os_error() {
        Some(sys::ENOENT) => code::NOT_FOUND,
        Some(sys::EEXIST) => code::EXISTS,
        _ => code::OS,
    };
    err(c, format!("{what} \"{name}\": {e}"))
}

#[inline(always)]
fn align8(n: u32) -> u32 {
    (n + 7) & !7
}

/// Largest payload a ring of `cap` bytes accepts: one record must fit in half the ring so a
/// pad record plus the record always fits in an empty ring.
pub fn max_payload_for(cap: u32) -> u32 {
    (cap / 2) - REC_HDR as u32 - FRAME_HDR as u32
}

/// Reads the creator pid of an existing object; None when it is not a complete ring.
pub fn creator_of(name: &str) -> Option<u32> {
    let c = cname(name);
    unsafe {
        let fd = sys::shm_open(c.as_ptr(), sys::O_RDWR, 0);
        if fd < 0 {
            return None;
        }
        let size = sys::lseek(fd, 0, sys::SEEK_END);
        if size < HDR_SIZE as i64 {
            sys::close(fd);
            return None;
        }
        let p = sys::mmap(
            std::ptr::null_mut(),
            HDR_SIZE,
            sys::PROT_READ,
            sys::MAP_SHARED,
            fd,
            0,
        );
        sys::close(fd);
        if p == sys::MAP_FAILED {
            return None;
        }
        let magic = (p.add(OFF_MAGIC) as *const u64).read_volatile();
        let pid = (p.add(OFF_CREATOR_PID) as *const u32).read_volatile();
        sys::munmap(p, HDR_SIZE);
        if magic == RING_MAGIC {
            Some(pid)
        } else {
            None
        }
    }
}

pub fn unlink(name: &str) -> Result<()> {
    validate_name(name)?;
    let c = cname(name);
    if unsafe { sys::shm_unlink(c.as_ptr()) } != 0 {
        return os_err("Cannot unlink ring", name);
    }
    Ok(())
}

/// Removes ring objects under /dev/shm whose name starts with `prefix` and whose creator
/// process is gone. Returns how many were removed.
pub fn sweep(prefix: &str) -> Result<u32> {
    if !prefix.is_empty() {
        validate_name(prefix)?;
    }
    let dir = match std::fs::read_dir("/dev/shm") {
        Ok(d) => d,
        Err(e) => return err(code::OS, format!("Cannot list /dev/shm: {e}")),
    };
    let mut removed = 0;
    for ent in dir.flatten() {
        let name = ent.file_name().to_string_lossy().into_owned();
        if !name.starts_with(prefix) || validate_name(&name).is_err() {
            continue;
        }
        if let Some(pid) = creator_of(&name) {
            if !sys::pid_alive(pid) && unlink(&name).is_ok() {
                removed += 1;
            }
        }
    }
    Ok(removed)
}

impl Ring {
    #[inline(always)]
    fn u32_at(&self, off: usize) -> &AtomicU32 {
        // SAFETY: off < HDR_SIZE, 4-aligned, mapping alive while self is.
        unsafe { &*(self.base.add(off) as *const AtomicU32) }
    }
    #[inline(always)]
    fn tail(&self) -> &AtomicU32 {
        self.u32_at(OFF_TAIL)
    }
    #[inline(always)]
    fn head(&self) -> &AtomicU32 {
        self.u32_at(OFF_HEAD)
    }
    #[inline(always)]
    fn data(&self) -> *mut u8 {
        unsafe { self.base.add(HDR_SIZE) }
    }
    pub fn capacity(&self) -> u32 {
        self.cap
    }
    pub fn max_frame(&self) -> u32 {
        self.max_frame
    }

    pub fn create(name: &str, cap: u32, max_frame: u32, role: Role) -> Result<Ring> {
        validate_name(name)?;
        if !cap.is_power_of_two() || !(MIN_CAPACITY..=MAX_CAPACITY).contains(&cap) {
            return err(
                code::INVALID,
                format!(
                    "Cannot create ring \"{name}\": capacity {cap} is not a power of two in {MIN_CAPACITY}..{MAX_CAPACITY}"
                ),
            );
        }
        let limit = max_payload_for(cap);
        let max_frame = if max_frame == 0 { limit } else { max_frame };
        if max_frame > limit {
            return err(
                code::TOO_LARGE,
                format!("Cannot create ring \"{name}\": max frame {max_frame} exceeds {limit} (half of capacity {cap})"),
            );
        }
        let c = cname(name);
        let mut fd =
            unsafe { sys::shm_open(c.as_ptr(), sys::O_RDWR | sys::O_CREAT | sys::O_EXCL, 0o600) };
        if fd < 0 && sys::errno() == sys::EEXIST {
            // A leftover from a dead creator is reclaimed; a live one is refused.
            match creator_of(name) {
                Some(pid) if sys::pid_alive(pid) => {
                    return err(code::EXISTS, format!("Cannot create ring \"{name}\": it exists and its creator pid {pid} is alive"));
                }
                _ => {
                    unsafe { sys::shm_unlink(c.as_ptr()) };
                    fd = unsafe {
                        sys::shm_open(c.as_ptr(), sys::O_RDWR | sys::O_CREAT | sys::O_EXCL, 0o600)
                    };
                }
            }
        }
        if fd < 0 {
            return os_err("Cannot create ring", name);
        }
        let map_len = HDR_SIZE + cap as usize;
        unsafe {
            if sys::ftruncate(fd, map_len as i64) != 0 {
                let r = os_err("Cannot size ring", name);
                sys::close(fd);
                sys::shm_unlink(c.as_ptr());
                return r;
            }
            let p = map_shared(fd, map_len);
            if p == sys::MAP_FAILED {
                let r = os_err("Cannot map ring", name);
                sys::shm_unlink(c.as_ptr());
                return r;
            }
            let me = sys::getpid() as u32;
            (p.add(OFF_MAGIC) as *mut u64).write(RING_MAGIC);
            (p.add(OFF_VERSION) as *mut u32).write(RING_VERSION);
            (p.add(OFF_CAPACITY) as *mut u32).write(cap);
            (p.add(OFF_MAX_FRAME) as *mut u32).write(max_frame);
            (p.add(OFF_CREATOR_PID) as *mut u32).write(me);
            let ring = Ring {
                base: p,
                map_len,
                cap,
                max_frame,
                role,
                name: name.to_string(),
                stats: Stats::default(),
                closed: AtomicBool::new(false),
            };
            let pid_off = if role == Role::Producer {
                OFF_PRODUCER_PID
            } else {
                OFF_CONSUMER_PID
            };
            ring.u32_at(pid_off).store(me, Ordering::Release);
            ring.u32_at(OFF_READY).store(1, Ordering::Release);
            Ok(ring)
        }
    }

    pub fn open(name: &str, role: Role) -> Result<Ring> {
        validate_name(name)?;
        let c = cname(name);
        unsafe {
            let fd = sys::shm_open(c.as_ptr(), sys::O_RDWR, 0);
            if fd < 0 {
                return os_err("Cannot open ring", name);
            }
            let size = sys::lseek(fd, 0, sys::SEEK_END);
            if size < (HDR_SIZE + MIN_CAPACITY as usize) as i64 {
                sys::close(fd);
                return err(
                    code::NOT_READY,
                    format!(
                        "Cannot open ring \"{name}\": object is {size} bytes, not initialised yet"
                    ),
                );
            }
            let map_len = size as usize;
            let p = map_shared(fd, map_len);
            if p == sys::MAP_FAILED {
                return os_err("Cannot map ring", name);
            }
            // Marked closed until attached, so dropping it on an error path neither flags
            // the shared header nor wakes the peer.
            let mut ring = Ring {
                base: p,
                map_len,
                cap: 0,
                max_frame: 0,
                role,
                name: name.to_string(),
                stats: Stats::default(),
                closed: AtomicBool::new(true),
            };
            if ring.u32_at(OFF_READY).load(Ordering::Acquire) != 1 {
                return err(
                    code::NOT_READY,
                    format!(
                        "Cannot open ring \"{name}\": creator has not finished initialising it"
                    ),
                );
            }
            let magic = (p.add(OFF_MAGIC) as *const u64).read();
            let version = (p.add(OFF_VERSION) as *const u32).read();
            let cap = (p.add(OFF_CAPACITY) as *const u32).read();
            let max_frame = (p.add(OFF_MAX_FRAME) as *const u32).read();
            if magic != RING_MAGIC || version != RING_VERSION {
                return err(
                    code::CORRUPT,
                    format!("Cannot open ring \"{name}\": bad magic or version {version}"),
                );
            }
            if !cap.is_power_of_two()
                || !(MIN_CAPACITY..=MAX_CAPACITY).contains(&cap)
                || HDR_SIZE + cap as usize != map_len
            {
                return err(code::CORRUPT, format!("Cannot open ring \"{name}\": capacity {cap} does not match object size {map_len}"));
            }
            if max_frame > max_payload_for(cap) {
                return err(code::CORRUPT, format!("Cannot open ring \"{name}\": max frame {max_frame} too large for capacity {cap}"));
            }
            ring.cap = cap;
            ring.max_frame = max_frame;
            let me = sys::getpid() as u32;
            let pid_off = if role == Role::Producer {
                OFF_PRODUCER_PID
            } else {
                OFF_CONSUMER_PID
            };
            let cur = ring.u32_at(pid_off).load(Ordering::Acquire);
            if cur != 0 && cur != me && sys::pid_alive(cur) {
                let r = if role == Role::Producer {
                    "producer"
                } else {
                    "consumer"
                };
                return err(
                    code::EXISTS,
                    format!("Cannot open ring \"{name}\": it already has a live {r} (pid {cur})"),
                );
            }
            ring.u32_at(pid_off).store(me, Ordering::Release);
            let bit = if role == Role::Producer {
                CLOSED_PRODUCER
            } else {
                CLOSED_CONSUMER
            };
            ring.u32_at(OFF_CLOSED).fetch_and(!bit, Ordering::AcqRel);
            ring.closed.store(false, Ordering::Release);
            Ok(ring)
        }
    }

    fn check_role(&self, want: Role) -> Result<()> {
        if self.closed.load(Ordering::Acquire) {
            return err(code::CLOSED, format!("ring \"{}\" is closed", self.name));
        }
        if self.role != want {
            return err(
                code::INVALID,
                format!(
                    "ring \"{}\" was opened as {:?}, not {:?}",
                    self.name, self.role, want
                ),
            );
        }
        Ok(())
    }

    /// Bytes currently queued (records and padding).
    pub fn used(&self) -> u32 {
        let t = self.tail().load(Ordering::Acquire) & POS;
        let h = self.head().load(Ordering::Acquire) & POS;
        t.wrapping_sub(h) & POS
    }

    /// Reserves room for a record of `rec` bytes; returns the data offset and the new tail,
    /// writing a pad record first when the record would cross the end. None when full.
    #[inline(always)]
    fn reserve(&self, t: u32, rec: u32) -> Option<(usize, u32)> {
        let h = self.head().load(Ordering::Acquire) & POS;
        let used = t.wrapping_sub(h) & POS;
        let free = self.cap - used.min(self.cap);
        let off = t & (self.cap - 1);
        let contig = self.cap - off;
        if contig >= rec {
            if free < rec {
                return None;
            }
            return Some((off as usize, (t + rec) & POS));
        }
        if free < contig + rec {
            return None;
        }
        // SAFETY: off + 8 <= cap since positions are 8-aligned and cap is a multiple of 8.
        unsafe {
            let p = self.data().add(off as usize) as *mut u32;
            p.write(contig - REC_HDR as u32);
            p.add(1).write(KIND_PAD);
        }
        Some((0, (t + contig + rec) & POS))
    }

    #[inline(always)]
    fn publish_tail(&self, new_tail: u32) {
        let prev = self.tail().swap(new_tail, Ordering::Release);
        if prev & WAIT != 0 {
            sys::futex_wake(self.tail().as_ptr());
        }
    }

    #[inline(always)]
    fn publish_head(&self, new_head: u32) {
        let prev = self.head().swap(new_head, Ordering::Release);
        if prev & WAIT != 0 {
            sys::futex_wake(self.head().as_ptr());
        }
    }

    /// Pushes one frame built from its fields, computing the crc while copying the payload.
    /// Returns the bytes queued after the push, or 0 when the ring is full.
    pub fn push(&self, payload: &[u8], route_id: u32, frame_id: u32, flags: u16) -> Result<u32> {
        self.check_role(Role::Producer)?;
        if payload.len() > self.max_frame as usize {
            return err(
                code::TOO_LARGE,
                format!(
                    "frame payload {} exceeds ring \"{}\" max {}",
                    payload.len(),
                    self.name,
                    self.max_frame
                ),
            );
        }
        let flen = FRAME_HDR as u32 + payload.len() as u32;
        let rec = REC_HDR as u32 + align8(flen);
        let t = self.tail().load(Ordering::Relaxed) & POS;
        let Some((off, nt)) = self.reserve(t, rec) else {
            self.stats.full.fetch_add(1, Ordering::Relaxed);
            return Ok(0);
        };
        unsafe {
            let r = self.data().add(off);
            (r as *mut u32).write(flen);
            (r.add(4) as *mut u32).write(KIND_FRAME);
            let f = r.add(REC_HDR);
            let crc = crc::crc32c_copy(0, payload, f.add(FRAME_HDR));
            (f as *mut u32).write_unaligned(FRAME_MAGIC.to_le());
            (f.add(4) as *mut u16).write_unaligned(flags.to_le());
            (f.add(6) as *mut u16).write_unaligned(0);
            (f.add(8) as *mut u32).write_unaligned(route_id.to_le());
            (f.add(12) as *mut u32).write_unaligned(frame_id.to_le());
            (f.add(16) as *mut u32).write_unaligned((payload.len() as u32).to_le());
            (f.add(20) as *mut u32).write_unaligned(crc.to_le());
        }
        self.publish_tail(nt);
        self.stats.pushed.fetch_add(1, Ordering::Relaxed);
        self.stats
            .bytes_pushed
            .fetch_add(payload.len() as u64, Ordering::Relaxed);
        let used = nt.wrapping_sub(self.head().load(Ordering::Relaxed) & POS) & POS;
        Ok(used.max(1))
    }

    /// Pushes encoded frames laid end to end in `buf`, as many as fit, with one publish.
    /// With `fill_crc` the crc field is computed here; otherwise bytes are copied verbatim
    /// (which lets tests inject a corrupted frame). Returns how many frames were queued.
    pub fn push_batch(&self, buf: &[u8], fill_crc: bool) -> Result<u32> {
        self.check_role(Role::Producer)?;
        let mut t = self.tail().load(Ordering::Relaxed) & POS;
        let mut pos = 0usize;
        let mut n = 0u32;
        let mut bytes = 0u64;
        while pos < buf.len() {
            if buf.len() - pos < FRAME_HDR {
                if n > 0 {
                    self.publish_tail(t);
                }
                return err(
                    code::INVALID,
                    format!(
                        "batch has {} trailing bytes, shorter than a frame header",
                        buf.len() - pos
                    ),
                );
            }
            let plen = u32::from_le_bytes(buf[pos + 16..pos + 20].try_into().unwrap()) as usize;
            if plen > self.max_frame as usize || buf.len() - pos - FRAME_HDR < plen {
                if n > 0 {
                    self.publish_tail(t);
                }
                return err(code::TOO_LARGE, format!("frame {n} of batch declares length {plen}, beyond ring max {} or the batch", self.max_frame));
            }
            let flen = (FRAME_HDR + plen) as u32;
            let rec = REC_HDR as u32 + align8(flen);
            let Some((off, nt)) = self.reserve(t, rec) else {
                self.stats.full.fetch_add(1, Ordering::Relaxed);
                break;
            };
            unsafe {
                let r = self.data().add(off);
                (r as *mut u32).write(flen);
                (r.add(4) as *mut u32).write(KIND_FRAME);
                let f = r.add(REC_HDR);
                std::ptr::copy_nonoverlapping(buf.as_ptr().add(pos), f, FRAME_HDR);
                let payload = &buf[pos + FRAME_HDR..pos + FRAME_HDR + plen];
                if fill_crc {
                    let crc = crc::crc32c_copy(0, payload, f.add(FRAME_HDR));
                    (f.add(20) as *mut u32).write_unaligned(crc.to_le());
                } else {
                    std::ptr::copy_nonoverlapping(payload.as_ptr(), f.add(FRAME_HDR), plen);
                }
            }
            t = nt;
            pos += FRAME_HDR + plen;
            n += 1;
            bytes += plen as u64;
        }
        if n > 0 {
            self.publish_tail(t);
            self.stats.pushed.fetch_add(n as u64, Ordering::Relaxed);
            self.stats.bytes_pushed.fetch_add(bytes, Ordering::Relaxed);
        }
        Ok(n)
    }

    /// Queues `bytes` as one record without looking inside (a frame whose header may lie).
    pub fn push_raw(&self, bytes: &[u8]) -> Result<u32> {
        self.check_role(Role::Producer)?;
        if bytes.len() > (self.max_frame as usize + FRAME_HDR) {
            return err(
                code::TOO_LARGE,
                format!(
                    "raw record {} exceeds ring \"{}\" max {}",
                    bytes.len(),
                    self.name,
                    self.max_frame as usize + FRAME_HDR
                ),
            );
        }
        let flen = bytes.len() as u32;
        let rec = REC_HDR as u32 + align8(flen);
        let t = self.tail().load(Ordering::Relaxed) & POS;
        let Some((off, nt)) = self.reserve(t, rec) else {
            self.stats.full.fetch_add(1, Ordering::Relaxed);
            return Ok(0);
        };
        unsafe {
            let r = self.data().add(off);
            (r as *mut u32).write(flen);
            (r.add(4) as *mut u32).write(KIND_FRAME);
            std::ptr::copy_nonoverlapping(bytes.as_ptr(), r.add(REC_HDR), bytes.len());
        }
        self.publish_tail(nt);
        Ok(1)
    }

    /// Locates the next frame record from head position `h`, skipping pads.
    /// Returns (new head at the record, data offset, frame length) or None when empty.
    fn next_record(&self, mut h: u32, t: u32) -> Result<Option<(u32, usize, u32)>> {
        loop {
            let used = t.wrapping_sub(h) & POS;
            if used == 0 {
                return Ok(None);
            }
            if used > self.cap || used < REC_HDR as u32 || h & 7 != 0 {
                return err(
                    code::CORRUPT,
                    format!(
                        "ring \"{}\" positions are inconsistent (used {used})",
                        self.name
                    ),
                );
            }
            let off = h & (self.cap - 1);
            let contig = self.cap - off;
            // SAFETY: off is 8-aligned and < cap, so 8 bytes fit.
            let (len, kind) = unsafe {
                let p = self.data().add(off as usize) as *const u32;
                (p.read_volatile(), p.add(1).read_volatile())
            };
            let rec = REC_HDR as u64 + ((len as u64 + 7) & !7);
            if rec > contig as u64 || rec > used as u64 {
                return err(
                    code::CORRUPT,
                    format!(
                        "ring \"{}\" record of {len} bytes overruns the mapping",
                        self.name
                    ),
                );
            }
            match kind {
                KIND_PAD => {
                    h = (h + rec as u32) & POS;
                }
                KIND_FRAME => return Ok(Some((h, off as usize + REC_HDR, len))),
                _ => {
                    return err(
                        code::CORRUPT,
                        format!("ring \"{}\" record kind {kind} is unknown", self.name),
                    )
                }
            }
        }
    }

    /// Length of the next frame (header included) without consuming it; 0 when empty.
    pub fn peek(&self) -> Result<u32> {
        self.check_role(Role::Consumer)?;
        let h = self.head().load(Ordering::Relaxed) & POS;
        let t = self.tail().load(Ordering::Acquire) & POS;
        Ok(self.next_record(h, t)?.map(|(_, _, len)| len).unwrap_or(0))
    }

    /// Copies one frame at data offset `doff` of length `len` into `out`, verifying it.
    /// Returns Ok(len) when delivered, Ok(drop code) when rejected.
    #[inline(always)]
    unsafe fn take(&self, doff: usize, len: u32, out: *mut u8) -> i32 {
        let f = self.data().add(doff);
        if (len as usize) < FRAME_HDR {
            self.stats.drop_length.fetch_add(1, Ordering::Relaxed);
            return code::DROP_LENGTH;
        }
        let magic = u32::from_le((f as *const u32).read_unaligned());
        if magic != FRAME_MAGIC {
            self.stats.drop_magic.fetch_add(1, Ordering::Relaxed);
            return code::DROP_MAGIC;
        }
        let plen = u32::from_le((f.add(16) as *const u32).read_unaligned());
        if plen > self.max_frame || plen as usize + FRAME_HDR != len as usize {
            self.stats.drop_length.fetch_add(1, Ordering::Relaxed);
            return code::DROP_LENGTH;
        }
        let want = u32::from_le((f.add(20) as *const u32).read_unaligned());
        std::ptr::copy_nonoverlapping(f, out, FRAME_HDR);
        let payload = std::slice::from_raw_parts(f.add(FRAME_HDR), plen as usize);
        let got = crc::crc32c_copy(0, payload, out.add(FRAME_HDR));
        if got != want {
            self.stats.drop_crc.fetch_add(1, Ordering::Relaxed);
            return code::DROP_CRC;
        }
        len as i32
    }

    /// Pops one record into `out`. Returns the frame length, 0 when empty, or a DROP_* code
    /// when the record was consumed but rejected (bad magic, length, crc).
    pub fn pop(&self, out: &mut [u8]) -> Result<i32> {
        self.check_role(Role::Consumer)?;
        let h0 = self.head().load(Ordering::Relaxed) & POS;
        let t = self.tail().load(Ordering::Acquire) & POS;
        let Some((h, doff, len)) = self.next_record(h0, t)? else {
            return Ok(0);
        };
        if len as usize > out.len() {
            if h != h0 {
                self.publish_head(h);
            }
            return err(
                code::BUFFER_TOO_SMALL,
                format!("next frame is {len} bytes, buffer holds {}", out.len()),
            );
        }
        let r = unsafe { self.take(doff, len, out.as_mut_ptr()) };
        let nh = (h + REC_HDR as u32 + align8(len)) & POS;
        self.publish_head(nh);
        if r > 0 {
            self.stats.popped.fetch_add(1, Ordering::Relaxed);
            self.stats
                .bytes_popped
                .fetch_add((len as usize - FRAME_HDR) as u64, Ordering::Relaxed);
        }
        Ok(r)
    }

    /// Pops up to `max` frames end to end into `out` with one head publish. Rejected frames
    /// are counted and skipped. Returns the number of frames written.
    pub fn pop_batch(&self, out: &mut [u8], max: u32) -> Result<u32> {
        self.check_role(Role::Consumer)?;
        let h0 = self.head().load(Ordering::Relaxed) & POS;
        let t = self.tail().load(Ordering::Acquire) & POS;
        let mut h = h0;
        let mut used = 0usize;
        let mut n = 0u32;
        let mut bytes = 0u64;
        while n < max {
            let Some((rh, doff, len)) = self.next_record(h, t)? else {
                h = t;
                break;
            };
            h = rh;
            if len as usize > out.len() - used {
                if n == 0 {
                    if h != h0 {
                        self.publish_head(h);
                    }
                    return err(
                        code::BUFFER_TOO_SMALL,
                        format!("next frame is {len} bytes, buffer holds {}", out.len()),
                    );
                }
                break;
            }
            let r = unsafe { self.take(doff, len, out.as_mut_ptr().add(used)) };
            h = (h + REC_HDR as u32 + align8(len)) & POS;
            if r > 0 {
                used += len as usize;
                n += 1;
                bytes += (len as usize - FRAME_HDR) as u64;
            }
        }
        if h != h0 {
            self.publish_head(h);
        }
        self.stats.popped.fetch_add(n as u64, Ordering::Relaxed);
        self.stats.bytes_popped.fetch_add(bytes, Ordering::Relaxed);
        Ok(n)
    }

    fn peer_pid(&self) -> u32 {
        let off = if self.role == Role::Producer {
            OFF_CONSUMER_PID
        } else {
            OFF_PRODUCER_PID
        };
        self.u32_at(off).load(Ordering::Acquire)
    }

    /// 1 alive, 0 gone (process dead), 2 not attached yet, 3 closed its end.
    pub fn peer_state(&self) -> i32 {
        let bit = if self.role == Role::Producer {
            CLOSED_CONSUMER
        } else {
            CLOSED_PRODUCER
        };
        if self.u32_at(OFF_CLOSED).load(Ordering::Acquire) & bit != 0 {
            return 3;
        }
        let pid = self.peer_pid();
        if pid == 0 {
            return 2;
        }
        if sys::pid_alive(pid) {
            1
        } else {
            0
        }
    }

    fn peer_error(&self) -> Option<Error> {
        let bit = if self.role == Role::Producer {
            CLOSED_CONSUMER
        } else {
            CLOSED_PRODUCER
        };
        if self.u32_at(OFF_CLOSED).load(Ordering::Acquire) & bit != 0 {
            return Some(Error {
                code: code::PEER_CLOSED,
                msg: format!("peer closed ring \"{}\"", self.name),
            });
        }
        let pid = self.peer_pid();
        if pid != 0 && !sys::pid_alive(pid) {
            return Some(Error {
                code: code::PEER_GONE,
                msg: format!("peer pid {pid} of ring \"{}\" is gone", self.name),
            });
        }
        None
    }

    /// Generic bounded spin then futex park on `word` until `ready()`.
    /// Returns 1 ready, 0 timeout, or the peer error.
    fn wait_on(
        &self,
        word: &AtomicU32,
        ready: impl Fn(u32) -> bool,
        spin_ns: u32,
        timeout_ms: u32,
    ) -> Result<i32> {
        let start = Instant::now();
        if ready(word.load(Ordering::Acquire)) {
            return Ok(1);
        }
        let spin_until = start + Duration::from_nanos(spin_ns as u64);
        let mut i = 0u32;
        while spin_ns > 0 {
            std::hint::spin_loop();
            if ready(word.load(Ordering::Acquire)) {
                return Ok(1);
            }
            i = i.wrapping_add(1);
            if i % 64 == 0 && Instant::now() >= spin_until {
                break;
            }
        }
        let deadline = start + Duration::from_millis(timeout_ms as u64);
        loop {
            let mut v = word.load(Ordering::Acquire);
            if ready(v) {
                return Ok(1);
            }
            if self.closed.load(Ordering::Acquire) {
                return err(
                    code::CLOSED,
                    format!("ring \"{}\" was closed while waiting", self.name),
                );
            }
            if let Some(e) = self.peer_error() {
                return Err(e);
            }
            let now = Instant::now();
            if now >= deadline {
                return Ok(0);
            }
            if v & WAIT == 0 {
                match word.compare_exchange(v, v | WAIT, Ordering::AcqRel, Ordering::Acquire) {
                    Ok(_) => v |= WAIT,
                    Err(_) => continue,
                }
            }
            let left = (deadline - now).as_millis().max(1) as u32;
            sys::futex_wait(word.as_ptr(), v, left.min(PARK_SLICE_MS));
        }
    }

    /// Waits until a record is queued. Returns 1 data, 0 timeout, error when the peer left
    /// and nothing remains.
    pub fn wait_data(&self, spin_ns: u32, timeout_ms: u32) -> Result<i32> {
        self.check_role(Role::Consumer)?;
        let h = self.head().load(Ordering::Relaxed) & POS;
        self.wait_on(self.tail(), |t| t & POS != h, spin_ns, timeout_ms)
    }

    /// Waits until a frame with a `payload_len` payload fits (pad included). Returns 1 room,
    /// 0 timeout, or the peer error.
    pub fn wait_space(&self, payload_len: u32, spin_ns: u32, timeout_ms: u32) -> Result<i32> {
        self.check_role(Role::Producer)?;
        if payload_len > self.max_frame {
            return err(
                code::TOO_LARGE,
                format!(
                    "cannot wait for a {payload_len}-byte frame in ring \"{}\" (max {})",
                    self.name, self.max_frame
                ),
            );
        }
        let t = self.tail().load(Ordering::Relaxed) & POS;
        let cap = self.cap;
        let rec = REC_HDR as u32 + align8(FRAME_HDR as u32 + payload_len);
        let contig = cap - (t & (cap - 1));
        let want = if contig >= rec { rec } else { contig + rec };
        self.wait_on(
            self.head(),
            |h| cap - (t.wrapping_sub(h & POS) & POS).min(cap) >= want,
            spin_ns,
            timeout_ms,
        )
    }

    /// Marks this end closed and wakes anyone parked on the ring.
    pub fn close(&self) {
        if self.closed.swap(true, Ordering::AcqRel) {
            return;
        }
        let bit = if self.role == Role::Producer {
            CLOSED_PRODUCER
        } else {
            CLOSED_CONSUMER
        };
        self.u32_at(OFF_CLOSED).fetch_or(bit, Ordering::AcqRel);
        // Toggle nothing: waiters re-check the closed bits on any wake.
        sys::futex_wake(self.tail().as_ptr());
        sys::futex_wake(self.head().as_ptr());
    }
}

impl Drop for Ring {
    fn drop(&mut self) {
        self.close();
        unsafe {
            sys::munmap(self.base, self.map_len);
        }
    }
}
