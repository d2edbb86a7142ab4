//! What the bench binaries share: the sizes they run and the resident-set
//! reading.

/// The organisation sizes to measure: 1k to 1M nodes, capped by
/// `OKRS_BENCH_MAX`.
pub(crate) fn sizes() -> Vec<usize> {
    let max: usize = std::env::var("OKRS_BENCH_MAX")
        .ok()
        .and_then(|m| m.parse().ok())
        .unwrap_or(1_000_000);
    [1_000, 10_000, 100_000, 1_000_000]
        .into_iter()
        .filter(|&n| n <= max)
        .collect()
}

/// Resident memory of this process in bytes (Linux), 0 elsewhere.
pub(crate) fn resident_bytes() -> usize {
    std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| s.split_whitespace().nth(1)?.parse::<usize>().ok())
        .map_or(0, |pages| pages * 4096)
}
