//! The few libc entry points the crate needs, declared by hand because crates.io (and so
//! the `libc` crate) is unreachable from the build hosts. Linux x86_64 only.

#![allow(non_camel_case_types)]

pub type c_int = i32;
pub type c_long = i64;
pub type off_t = i64;
pub type pid_t = i32;
pub type size_t = usize;

pub const O_RDWR: c_int = 0o2;
pub const O_CREAT: c_int = 0o100;
pub const O_EXCL: c_int = 0o200;
pub const PROT_READ: c_int = 1;
pub const PROT_WRITE: c_int = 2;
pub const MAP_SHARED: c_int = 1;
pub const SEEK_END: c_int = 2;
pub const SYS_FUTEX: c_long = 202;
pub const FUTEX_WAIT: c_int = 0;
pub const FUTEX_WAKE: c_int = 1;
pub const ESRCH: i32 = 3;
pub const EEXIST: i32 = 17;
pub const ENOENT: i32 = 2;

#[repr(C)]
pub struct timespec {
    pub tv_sec: i64,
    pub tv_nsec: i64,
}

extern "C" {
    pub fn shm_open(name: *const u8, oflag: c_int, mode: u32) -> c_int;
    pub fn shm_unlink(name: *const u8) -> c_int;
    pub fn ftruncate(fd: c_int, length: off_t) -> c_int;
    pub fn lseek(fd: c_int, offset: off_t, whence: c_int) -> off_t;
    pub fn close(fd: c_int) -> c_int;
    pub fn mmap(
        addr: *mut u8,
        len: size_t,
        prot: c_int,
        flags: c_int,
        fd: c_int,
        off: off_t,
    ) -> *mut u8;
    pub fn munmap(addr: *mut u8, len: size_t) -> c_int;
    pub fn syscall(num: c_long, ...) -> c_long;
    pub fn sched_setaffinity(pid: pid_t, cpusetsize: size_t, mask: *const u8) -> c_int;
    pub fn sched_getaffinity(pid: pid_t, cpusetsize: size_t, mask: *mut u8) -> c_int;
    pub fn getpid() -> pid_t;
    pub fn kill(pid: pid_t, sig: c_int) -> c_int;
}

pub const MAP_FAILED: *mut u8 = !0usize as *mut u8;

/// errno of the last failed libc call on this thread.
pub fn errno() -> i32 {
    std::io::Error::last_os_error().raw_os_error().unwrap_or(0)
}

/// Whether `pid` names a live (not zombie) process. kill(pid, 0) alone reports zombies as
/// alive, and a killed child stays a zombie until its parent reaps it, which would hide a
/// dead consumer from the producer.
pub fn pid_alive(pid: u32) -> bool {
    if pid == 0 || pid > i32::MAX as u32 {
        return false;
    }
    let rc = unsafe { kill(pid as pid_t, 0) };
    if rc != 0 && errno() == ESRCH {
        return false;
    }
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(s) => {
            // The state letter follows the last ')' (the command name may contain one).
            match s.rfind(')') {
                Some(i) => !matches!(
                    s[i + 1..].trim_start().chars().next(),
                    Some('Z') | Some('X')
                ),
                None => true,
            }
        }
        Err(_) => rc == 0,
    }
}

pub fn futex_wait(addr: *const u32, expected: u32, timeout_ms: u32) -> i32 {
    let ts = timespec {
        tv_sec: (timeout_ms / 1000) as i64,
        tv_nsec: ((timeout_ms % 1000) as i64) * 1_000_000,
    };
    let rc = unsafe {
        syscall(
            SYS_FUTEX,
            addr,
            FUTEX_WAIT,
            expected,
            &ts as *const timespec,
            std::ptr::null::<u32>(),
            0u32,
        )
    };
    if rc == 0 {
        0
    } else {
        errno()
    }
}

pub fn futex_wake(addr: *const u32) {
    unsafe {
        syscall(
            SYS_FUTEX,
            addr,
            FUTEX_WAKE,
            i32::MAX,
            std::ptr::null::<timespec>(),
            std::ptr::null::<u32>(),
            0u32,
        );
    }
}
