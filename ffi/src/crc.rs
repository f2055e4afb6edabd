//! crc32c (Castagnoli). With SSE4.2 the payload is split into three streams whose crc32
//! instructions overlap (the instruction has 3-cycle latency but 1-cycle throughput) and the
//! partial results are combined with precomputed "shift by N zero bytes" tables, the method
//! of Mark Adler's crc32c.c. Without SSE4.2 a slicing-by-8 table is used.
//! The `_copy` variants checksum while copying, so a frame is read from memory only once.

use std::sync::OnceLock;

const POLY: u32 = 0x82f6_3b78;
const LONG: usize = 8192;
const SHORT: usize = 256;

struct Tables {
    slice8: [[u32; 256]; 8],
    long: [[u32; 256]; 4],
    short: [[u32; 256]; 4],
}

fn tables() -> &'static Tables {
    static T: OnceLock<Box<Tables>> = OnceLock::new();
    T.get_or_init(|| {
        let mut t = Box::new(Tables {
            slice8: [[0; 256]; 8],
            long: [[0; 256]; 4],
            short: [[0; 256]; 4],
        });
        for n in 0..256u32 {
            let mut c = n;
            for _ in 0..8 {
                c = if c & 1 != 0 { (c >> 1) ^ POLY } else { c >> 1 };
            }
            t.slice8[0][n as usize] = c;
        }
        for n in 0..256 {
            let mut c = t.slice8[0][n];
            for k in 1..8 {
                c = t.slice8[0][(c & 0xff) as usize] ^ (c >> 8);
                t.slice8[k][n] = c;
            }
        }
        zeros_table(&mut t.long, LONG);
        zeros_table(&mut t.short, SHORT);
        t
    })
}

fn gf2_times(mat: &[u32; 32], mut vec: u32) -> u32 {
    let mut sum = 0;
    let mut i = 0;
    while vec != 0 {
        if vec & 1 != 0 {
            sum ^= mat[i];
        }
        vec >>= 1;
        i += 1;
    }
    sum
}

fn gf2_square(square: &mut [u32; 32], mat: &[u32; 32]) {
    for n in 0..32 {
        square[n] = gf2_times(mat, mat[n]);
    }
}

/// Operator that appends `len` zero bytes to a crc (len must be a power of two >= 1... any len).
fn zeros_op(len: usize) -> [u32; 32] {
    let mut even = [0u32; 32];
    let mut odd = [0u32; 32];
    odd[0] = POLY;
    let mut row = 1u32;
    for n in 1..32 {
        odd[n] = row;
        row <<= 1;
    }
    gf2_square(&mut even, &odd); // 2 zero bits
    gf2_square(&mut odd, &even); // 4 zero bits
    let mut len = len;
    loop {
        gf2_square(&mut even, &odd);
        len >>= 1;
        if len == 0 {
            return even;
        }
        gf2_square(&mut odd, &even);
        len >>= 1;
        if len == 0 {
            return odd;
        }
    }
}

fn zeros_table(out: &mut [[u32; 256]; 4], len: usize) {
    let op = zeros_op(len);
    for n in 0..256u32 {
        out[0][n as usize] = gf2_times(&op, n);
        out[1][n as usize] = gf2_times(&op, n << 8);
        out[2][n as usize] = gf2_times(&op, n << 16);
        out[3][n as usize] = gf2_times(&op, n << 24);
    }
}

#[inline(always)]
fn shift(z: &[[u32; 256]; 4], crc: u32) -> u32 {
    z[0][(crc & 0xff) as usize]
        ^ z[1][((crc >> 8) & 0xff) as usize]
        ^ z[2][((crc >> 16) & 0xff) as usize]
        ^ z[3][(crc >> 24) as usize]
}

/// Table (slicing-by-8) crc32c of `data`, continuing from `crc` (0 for a fresh checksum).
pub fn crc32c_sw(crc: u32, data: &[u8]) -> u32 {
    let t = &tables().slice8;
    let mut c = !crc;
    let mut chunks = data.chunks_exact(8);
    for ch in &mut chunks {
        let lo = u32::from_le_bytes([ch[0], ch[1], ch[2], ch[3]]) ^ c;
        let hi = u32::from_le_bytes([ch[4], ch[5], ch[6], ch[7]]);
        c = t[7][(lo & 0xff) as usize]
            ^ t[6][((lo >> 8) & 0xff) as usize]
            ^ t[5][((lo >> 16) & 0xff) as usize]
            ^ t[4][(lo >> 24) as usize]
            ^ t[3][(hi & 0xff) as usize]
            ^ t[2][((hi >> 8) & 0xff) as usize]
            ^ t[1][((hi >> 16) & 0xff) as usize]
            ^ t[0][(hi >> 24) as usize];
    }
    for &b in chunks.remainder() {
        c = t[0][((c ^ b as u32) & 0xff) as usize] ^ (c >> 8);
    }
    !c
}

/// Whether the hardware path is in use (detected once).
pub fn has_hw() -> bool {
    static HW: OnceLock<bool> = OnceLock::new();
    *HW.get_or_init(|| {
        #[cfg(target_arch = "x86_64")]
        {
            std::is_x86_feature_detected!("sse4.2")
        }
        #[cfg(not(target_arch = "x86_64"))]
        {
            false
        }
    })
}

/// crc32c of `data` continuing from `crc`, using the fastest path the CPU supports.
pub fn crc32c(crc: u32, data: &[u8]) -> u32 {
    #[cfg(target_arch = "x86_64")]
    if has_hw() {
        // SAFETY: sse4.2 presence checked at runtime; null dst means no copy.
        return unsafe { hw::run::<false>(crc, data.as_ptr(), std::ptr::null_mut(), data.len()) };
    }
    crc32c_sw(crc, data)
}

/// Copies `src` to `dst` (same length, non-overlapping) and returns crc32c(src).
///
/// # Safety
/// `dst` must be valid for `src.len()` bytes of writes and must not overlap `src`.
pub unsafe fn crc32c_copy(crc: u32, src: &[u8], dst: *mut u8) -> u32 {
    #[cfg(target_arch = "x86_64")]
    if has_hw() {
        return hw::run::<true>(crc, src.as_ptr(), dst, src.len());
    }
    std::ptr::copy_nonoverlapping(src.as_ptr(), dst, src.len());
    crc32c_sw(crc, src)
}

/// Force the table path (tests compare both paths).
pub fn crc32c_table(crc: u32, data: &[u8]) -> u32 {
    crc32c_sw(crc, data)
}

#[cfg(target_arch = "x86_64")]
mod hw {
    use super::{shift, tables, LONG, SHORT};
    use std::arch::x86_64::{_mm_crc32_u64, _mm_crc32_u8};

    #[inline(always)]
    unsafe fn rd(p: *const u8) -> u64 {
        (p as *const u64).read_unaligned()
    }

    #[inline(always)]
    unsafe fn wr<const COPY: bool>(d: *mut u8, off: usize, v: u64) {
        if COPY {
            (d.add(off) as *mut u64).write_unaligned(v);
        }
    }

    #[target_feature(enable = "sse4.2")]
    pub unsafe fn run<const COPY: bool>(crc: u32, src: *const u8, dst: *mut u8, len: usize) -> u32 {
        let t = tables();
        let mut c0: u64 = (!crc) as u64;
        let mut p = 0usize;
        let mut n = len;
        // Triple streams of LONG, then of SHORT bytes.
        for (block, z) in [(LONG, &t.long), (SHORT, &t.short)] {
            while n >= block * 3 {
                let mut c1: u64 = 0;
                let mut c2: u64 = 0;
                let end = p + block;
                while p < end {
                    let a = rd(src.add(p));
                    let b = rd(src.add(p + block));
                    let c = rd(src.add(p + 2 * block));
                    c0 = _mm_crc32_u64(c0, a);
                    c1 = _mm_crc32_u64(c1, b);
                    c2 = _mm_crc32_u64(c2, c);
                    wr::<COPY>(dst, p, a);
                    wr::<COPY>(dst, p + block, b);
                    wr::<COPY>(dst, p + 2 * block, c);
                    p += 8;
                }
                c0 = (shift(z, c0 as u32) ^ c1 as u32) as u64;
                c0 = (shift(z, c0 as u32) ^ c2 as u32) as u64;
                p += block * 2;
                n -= block * 3;
            }
        }
        while n >= 8 {
            let a = rd(src.add(p));
            c0 = _mm_crc32_u64(c0, a);
            wr::<COPY>(dst, p, a);
            p += 8;
            n -= 8;
        }
        let mut c = c0 as u32;
        while n > 0 {
            let b = *src.add(p);
            c = _mm_crc32_u8(c, b);
            if COPY {
                *dst.add(p) = b;
            }
            p += 1;
            n -= 1;
        }
        !c
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_value_matches_the_standard() {
        assert_eq!(crc32c(0, b"123456789"), 0xE306_9283);
        assert_eq!(crc32c_table(0, b"123456789"), 0xE306_9283);
        assert_eq!(crc32c(0, b""), 0);
    }

    #[test]
    fn hardware_and_table_paths_agree_on_every_length_class() {
        let mut data = vec![0u8; 3 * LONG * 2 + 3 * SHORT + 77];
        let mut x = 0x1234_5678u32;
        for b in data.iter_mut() {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            *b = x as u8;
        }
        for len in [
            0,
            1,
            7,
            8,
            9,
            255,
            767,
            768,
            769,
            3 * LONG - 1,
            3 * LONG,
            3 * LONG + 5,
            data.len(),
        ] {
            for start in [0usize, 1, 3] {
                if start + len > data.len() {
                    continue;
                }
                let s = &data[start..start + len];
                let want = crc32c_table(0, s);
                assert_eq!(crc32c(0, s), want, "len {len} start {start}");
                let mut out = vec![0u8; len];
                let got = unsafe { crc32c_copy(0, s, out.as_mut_ptr()) };
                assert_eq!(got, want);
                assert_eq!(&out[..], s);
            }
        }
    }

    #[test]
    fn continuation_equals_one_pass() {
        let data: Vec<u8> = (0..10_000u32).map(|i| (i * 31 % 251) as u8).collect();
        let whole = crc32c(0, &data);
        let part = crc32c(crc32c(0, &data[..4321]), &data[4321..]);
        assert_eq!(whole, part);
    }
}
