//! Entry-point tests: they go through the exported C functions, as Deno does.

use super::*;

fn uniq(tag: &str) -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    format!(
        "rtt-test-{}-{}-{}",
        tag,
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

fn create(name: &str, cap: u32, role: u32) -> i32 {
    rtt_ring_create(name.as_ptr(), name.len() as u32, cap, 0, role)
}

fn open(name: &str, role: u32) -> i32 {
    rtt_ring_open(name.as_ptr(), name.len() as u32, role)
}

fn last_error() -> String {
    let mut b = vec![0u8; 512];
    let n = rtt_last_error(b.as_mut_ptr(), 512) as usize;
    String::from_utf8_lossy(&b[..n.min(512)]).into_owned()
}

#[test]
fn push_pop_round_trip_with_verification() {
    let name = uniq("rt");
    let p = create(&name, 4096, 0);
    assert!(p > 0, "{}", last_error());
    let c = open(&name, 1);
    assert!(c > 0, "{}", last_error());
    let payload = b"hello ring";
    assert!(rtt_ring_push(p as u32, payload.as_ptr(), payload.len() as u32, 7, 9, 3) > 0);
    assert_eq!(rtt_ring_peek(c as u32), 24 + payload.len() as i32);
    let mut out = vec![0u8; 256];
    let n = rtt_ring_pop(c as u32, out.as_mut_ptr(), 256);
    assert_eq!(n, 24 + payload.len() as i32);
    assert_eq!(
        u32::from_le_bytes(out[0..4].try_into().unwrap()),
        ring::FRAME_MAGIC
    );
    assert_eq!(u16::from_le_bytes(out[4..6].try_into().unwrap()), 3);
    assert_eq!(u32::from_le_bytes(out[8..12].try_into().unwrap()), 7);
    assert_eq!(u32::from_le_bytes(out[12..16].try_into().unwrap()), 9);
    assert_eq!(
        u32::from_le_bytes(out[20..24].try_into().unwrap()),
        crc::crc32c(0, payload)
    );
    assert_eq!(&out[24..n as usize], payload);
    assert_eq!(rtt_ring_pop(c as u32, out.as_mut_ptr(), 256), 0);
    assert_eq!(rtt_ring_close(p as u32), 0);
    assert_eq!(rtt_ring_close(c as u32), 0);
    assert_eq!(rtt_ring_unlink(name.as_ptr(), name.len() as u32), 0);
}

#[test]
fn wraps_around_many_times_without_loss() {
    let name = uniq("wrap");
    let p = create(&name, 4096, 0) as u32;
    let c = open(&name, 1) as u32;
    let mut out = vec![0u8; 4096];
    let mut next_pop = 0u32;
    for i in 0..20_000u32 {
        let len = (i * 37 % 1500) as usize;
        let payload: Vec<u8> = (0..len).map(|k| (k as u32 ^ i) as u8).collect();
        loop {
            let r = rtt_ring_push(p, payload.as_ptr(), len as u32, 1, i, 0);
            assert!(r >= 0, "{}", last_error());
            if r > 0 {
                break;
            }
            let n = rtt_ring_pop(c, out.as_mut_ptr(), 4096);
            assert!(n > 0);
            assert_eq!(
                u32::from_le_bytes(out[12..16].try_into().unwrap()),
                next_pop
            );
            next_pop += 1;
        }
    }
    while rtt_ring_pop(c, out.as_mut_ptr(), 4096) > 0 {
        assert_eq!(
            u32::from_le_bytes(out[12..16].try_into().unwrap()),
            next_pop
        );
        next_pop += 1;
    }
    assert_eq!(next_pop, 20_000);
    rtt_ring_close(p);
    rtt_ring_close(c);
    rtt_ring_unlink(name.as_ptr(), name.len() as u32);
}

#[test]
fn bad_handles_double_close_and_oversize_are_statuses() {
    assert_eq!(
        rtt_ring_push(12345, std::ptr::null(), 0, 0, 0, 0),
        code::BAD_HANDLE
    );
    assert!(last_error().contains("not open"));
    let name = uniq("bad");
    let p = create(&name, 4096, 0) as u32;
    let big = vec![0u8; 4096];
    assert_eq!(
        rtt_ring_push(p, big.as_ptr(), 4096, 0, 0, 0),
        code::TOO_LARGE
    );
    assert_eq!(
        rtt_ring_push(p, std::ptr::null(), 10, 0, 0, 0),
        code::INVALID
    );
    assert_eq!(
        rtt_ring_pop(p, big.as_ptr() as *mut u8, 10),
        code::INVALID,
        "producer cannot pop"
    );
    assert_eq!(rtt_ring_close(p), 0);
    assert_eq!(rtt_ring_close(p), code::BAD_HANDLE);
    assert_eq!(rtt_ring_push(p, big.as_ptr(), 1, 0, 0, 0), code::BAD_HANDLE);
    assert_eq!(create(&name, 1000, 0), code::INVALID);
    assert!(last_error().contains("not a power of two"));
    assert_eq!(create("bad/name", 4096, 0), code::INVALID);
    assert_eq!(
        rtt_ring_create(std::ptr::null(), 5, 4096, 0, 0),
        code::INVALID
    );
    rtt_ring_unlink(name.as_ptr(), name.len() as u32);
}

#[test]
fn corrupted_frames_are_dropped_and_counted() {
    let name = uniq("corrupt");
    let p = create(&name, 8192, 0) as u32;
    let c = open(&name, 1) as u32;
    let mut good = vec![0u8; 24 + 4];
    good[0..4].copy_from_slice(&ring::FRAME_MAGIC.to_le_bytes());
    good[16..20].copy_from_slice(&4u32.to_le_bytes());
    good[24..].copy_from_slice(b"abcd");
    let crc = crc::crc32c(0, b"abcd");
    good[20..24].copy_from_slice(&crc.to_le_bytes());
    let mut bad_crc = good.clone();
    bad_crc[25] ^= 1;
    let mut bad_magic = good.clone();
    bad_magic[0] = 0;
    let mut bad_len = good.clone();
    bad_len[16..20].copy_from_slice(&9999u32.to_le_bytes());
    for f in [&bad_crc, &bad_magic, &bad_len, &good] {
        assert_eq!(rtt_ring_push_raw(p, f.as_ptr(), f.len() as u32), 1);
    }
    let mut out = vec![0u8; 256];
    assert_eq!(rtt_ring_pop(c, out.as_mut_ptr(), 256), code::DROP_CRC);
    assert_eq!(rtt_ring_pop(c, out.as_mut_ptr(), 256), code::DROP_MAGIC);
    assert_eq!(rtt_ring_pop(c, out.as_mut_ptr(), 256), code::DROP_LENGTH);
    assert_eq!(rtt_ring_pop(c, out.as_mut_ptr(), 256), 28);
    let mut st = [0u64; 8];
    assert_eq!(rtt_ring_stats(c, st.as_mut_ptr()), 0);
    assert_eq!(&st[4..7], &[1, 1, 1]);
    rtt_ring_close(p);
    rtt_ring_close(c);
    rtt_ring_unlink(name.as_ptr(), name.len() as u32);
}

#[test]
fn batch_push_and_pop() {
    let name = uniq("batch");
    let p = create(&name, 1 << 16, 0) as u32;
    let c = open(&name, 1) as u32;
    let mut buf = Vec::new();
    for i in 0..100u32 {
        let len = i % 50;
        let mut h = vec![0u8; 24];
        h[0..4].copy_from_slice(&ring::FRAME_MAGIC.to_le_bytes());
        h[12..16].copy_from_slice(&i.to_le_bytes());
        h[16..20].copy_from_slice(&len.to_le_bytes());
        buf.extend_from_slice(&h);
        buf.extend((0..len).map(|k| k as u8));
    }
    assert_eq!(
        rtt_ring_push_batch(p, buf.as_ptr(), buf.len() as u32, 1),
        100
    );
    let mut out = vec![0u8; 1 << 16];
    let n = rtt_ring_pop_batch(c, out.as_mut_ptr(), out.len() as u32, 1000);
    assert_eq!(n, 100);
    let mut pos = 0;
    for i in 0..100u32 {
        let len = u32::from_le_bytes(out[pos + 16..pos + 20].try_into().unwrap()) as usize;
        assert_eq!(
            u32::from_le_bytes(out[pos + 12..pos + 16].try_into().unwrap()),
            i
        );
        pos += 24 + len;
    }
    rtt_ring_close(p);
    rtt_ring_close(c);
    rtt_ring_unlink(name.as_ptr(), name.len() as u32);
}

#[test]
fn waiter_is_woken_by_a_push_from_another_thread() {
    let name = uniq("wake");
    let p = create(&name, 4096, 0) as u32;
    let c = open(&name, 1) as u32;
    let t = std::thread::spawn(move || rtt_ring_wait_data(c, 0, 5000));
    std::thread::sleep(std::time::Duration::from_millis(50));
    assert!(rtt_ring_push(p, b"x".as_ptr(), 1, 0, 0, 0) > 0);
    assert_eq!(t.join().unwrap(), 1);
    assert_eq!(rtt_ring_wait_data(c, 1000, 10), 1);
    let mut out = [0u8; 64];
    assert_eq!(rtt_ring_pop(c, out.as_mut_ptr(), 64), 25);
    assert_eq!(rtt_ring_wait_data(c, 1000, 10), 0, "empty ring times out");
    rtt_ring_close(p);
    assert_eq!(rtt_ring_wait_data(c, 0, 1000), code::PEER_CLOSED);
    rtt_ring_close(c);
    rtt_ring_unlink(name.as_ptr(), name.len() as u32);
}

#[test]
fn stale_rings_of_dead_creators_are_swept() {
    let name = uniq("stale");
    let p = create(&name, 4096, 0) as u32;
    // Rewrite the creator pid to one that cannot exist, as if the creator had died.
    rtt_ring_close(p);
    {
        let c = ring::Ring::open(&name, ring::Role::Consumer).unwrap();
        drop(c);
    }
    let path = format!("/dev/shm/{name}");
    let mut bytes = std::fs::read(&path).unwrap();
    bytes[20..24].copy_from_slice(&(i32::MAX as u32 - 1).to_le_bytes());
    std::fs::write(&path, &bytes).unwrap();
    let prefix = name.as_bytes();
    assert_eq!(rtt_shm_sweep(prefix.as_ptr(), prefix.len() as u32), 1);
    assert!(!std::path::Path::new(&path).exists());
}

#[test]
fn topology_and_fingerprint_fit_the_length_protocol() {
    let need = rtt_topology_json(std::ptr::null_mut(), 0);
    assert!(need > 0);
    let mut b = vec![0u8; need as usize];
    assert_eq!(rtt_topology_json(b.as_mut_ptr(), need as u32), need);
    assert!(String::from_utf8(b).unwrap().starts_with("{\"nodes\":["));
    let need = rtt_fingerprint_json(std::ptr::null_mut(), 0);
    assert!(need > 0);
}
