//! NUMA topology probe, thread pinning and the machine fingerprint that tuned profiles are
//! keyed by. The TypeScript fallback (ffi/_topology.ts) must produce identical output, so
//! the fingerprint key and its FNV-1a hash are defined by simple rules both sides follow.

use crate::ring::{code, err, Result};
use crate::sys;

pub struct Node {
    pub id: u32,
    pub cpus: Vec<u32>,
    pub distances: Vec<u32>,
}

/// Parses a kernel cpulist such as "0-3,8,10-11".
pub fn parse_cpulist(s: &str) -> Vec<u32> {
    let mut out = Vec::new();
    for part in s.trim().split(',') {
        let part = part.trim();
        if part.is_empty() {
            continue;
        }
        match part.split_once('-') {
            Some((a, b)) => {
                if let (Ok(a), Ok(b)) = (a.parse::<u32>(), b.parse::<u32>()) {
                    if a <= b && b - a < 65536 {
                        out.extend(a..=b);
                    }
                }
            }
            None => {
                if let Ok(a) = part.parse::<u32>() {
                    out.push(a);
                }
            }
        }
    }
    out
}

pub fn probe() -> Vec<Node> {
    let mut nodes = Vec::new();
    if let Ok(dir) = std::fs::read_dir("/sys/devices/system/node") {
        for ent in dir.flatten() {
            let name = ent.file_name().to_string_lossy().into_owned();
            let Some(id) = name
                .strip_prefix("node")
                .and_then(|s| s.parse::<u32>().ok())
            else {
                continue;
            };
            let base = ent.path();
            let cpus = std::fs::read_to_string(base.join("cpulist"))
                .map(|s| parse_cpulist(&s))
                .unwrap_or_default();
            let distances = std::fs::read_to_string(base.join("distance"))
                .map(|s| {
                    s.split_whitespace()
                        .filter_map(|x| x.parse().ok())
                        .collect()
                })
                .unwrap_or_default();
            nodes.push(Node {
                id,
                cpus,
                distances,
            });
        }
    }
    nodes.sort_by_key(|n| n.id);
    if nodes.is_empty() {
        // No NUMA sysfs (containers, non-NUMA kernels): one node holding the online CPUs.
        let cpus = std::fs::read_to_string("/sys/devices/system/cpu/online")
            .map(|s| parse_cpulist(&s))
            .unwrap_or_default();
        nodes.push(Node {
            id: 0,
            cpus,
            distances: vec![10],
        });
    }
    nodes
}

pub fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':').map(|(_, v)| v.trim().to_string()))
        })
        .unwrap_or_else(|| "unknown".to_string())
}

fn json_str(s: &str) -> String {
    let mut o = String::with_capacity(s.len() + 2);
    o.push('"');
    for c in s.chars() {
        match c {
            '"' => o.push_str("\\\""),
            '\\' => o.push_str("\\\\"),
            c if (c as u32) < 0x20 => o.push_str(&format!("\\u{:04x}", c as u32)),
            c => o.push(c),
        }
    }
    o.push('"');
    o
}

fn join(v: &[u32]) -> String {
    v.iter()
        .map(|x| x.to_string())
        .collect::<Vec<_>>()
        .join(",")
}

pub fn topology_json() -> String {
    let nodes = probe();
    let parts: Vec<String> = nodes
        .iter()
        .map(|n| {
            format!(
                "{{\"id\":{},\"cpus\":[{}],\"distances\":[{}]}}",
                n.id,
                join(&n.cpus),
                join(&n.distances)
            )
        })
        .collect();
    format!("{{\"nodes\":[{}]}}", parts.join(","))
}

pub fn fnv1a64(s: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes() {
        h ^= b as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

pub fn fingerprint_json() -> String {
    let nodes = probe();
    let model = cpu_model();
    let cores: usize = nodes.iter().map(|n| n.cpus.len()).sum();
    let layout = nodes
        .iter()
        .map(|n| format!("{}:{}", n.id, join(&n.cpus)))
        .collect::<Vec<_>>()
        .join(";");
    let key = format!("{model}|{cores}|{layout}");
    format!(
        "{{\"cpu_model\":{},\"logical_cpus\":{},\"numa_nodes\":{},\"layout\":{},\"key\":{},\"id\":\"{:016x}\"}}",
        json_str(&model),
        cores,
        nodes.len(),
        json_str(&layout),
        json_str(&key),
        fnv1a64(&key)
    )
}

const SET_BYTES: usize = 128;

pub fn pin(cpus: &[u32]) -> Result<()> {
    if cpus.is_empty() {
        return err(code::INVALID, "Cannot pin thread: the CPU set is empty");
    }
    let mut mask = [0u8; SET_BYTES];
    for &c in cpus {
        if c as usize >= SET_BYTES * 8 {
            return err(
                code::INVALID,
                format!("Cannot pin thread: CPU {c} is beyond {}", SET_BYTES * 8 - 1),
            );
        }
        mask[c as usize / 8] |= 1 << (c % 8);
    }
    if unsafe { sys::sched_setaffinity(0, SET_BYTES, mask.as_ptr()) } != 0 {
        let e = std::io::Error::last_os_error();
        return err(
            code::OS,
            format!("Cannot pin thread to CPUs [{}]: {e}", join(cpus)),
        );
    }
    Ok(())
}

pub fn affinity() -> Result<Vec<u32>> {
    let mut mask = [0u8; SET_BYTES];
    if unsafe { sys::sched_getaffinity(0, SET_BYTES, mask.as_mut_ptr()) } != 0 {
        let e = std::io::Error::last_os_error();
        return err(code::OS, format!("Cannot read thread affinity: {e}"));
    }
    Ok((0..(SET_BYTES * 8) as u32)
        .filter(|&c| mask[c as usize / 8] & (1 << (c % 8)) != 0)
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpulist_ranges_and_singles() {
        assert_eq!(parse_cpulist("0-3,8,10-11\n"), vec![0, 1, 2, 3, 8, 10, 11]);
        assert_eq!(parse_cpulist(""), Vec::<u32>::new());
        assert_eq!(parse_cpulist("5-2,x"), Vec::<u32>::new());
    }

    #[test]
    fn probe_finds_at_least_one_node_with_cpus() {
        let n = probe();
        assert!(!n.is_empty());
        assert!(n.iter().any(|n| !n.cpus.is_empty()));
    }

    #[test]
    fn fingerprint_is_stable_json() {
        let a = fingerprint_json();
        assert_eq!(a, fingerprint_json());
        assert!(a.starts_with("{\"cpu_model\":"));
    }

    #[test]
    fn pin_round_trips_through_affinity() {
        let before = affinity().unwrap();
        pin(&before[..1]).unwrap();
        assert_eq!(affinity().unwrap(), vec![before[0]]);
        pin(&before).unwrap();
        assert!(pin(&[4096]).is_err());
        assert!(pin(&[]).is_err());
    }
}
