//! Helpers shared by the integration tests.
#![allow(dead_code)]

pub mod rv64;

use std::path::PathBuf;

/// Directory of the riscv64 benchmark binaries (`../shared` beside the repository).
pub fn bench_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/bench/bin/riscv64")
}

/// The static riscv64 test binaries, or `None` (with a printed reason) if absent.
pub fn static_binaries() -> Option<Vec<PathBuf>> {
    let dir = bench_dir();
    let Ok(rd) = std::fs::read_dir(&dir) else {
        eprintln!("skipping: {} not found", dir.display());
        return None;
    };
    let mut v: Vec<PathBuf> = rd
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .collect();
    v.sort();
    if v.is_empty() {
        eprintln!("skipping: no binaries in {}", dir.display());
        return None;
    }
    Some(v)
}

/// Debian's riscv64 library directory prefix, if installed.
pub fn riscv_prefix() -> Option<PathBuf> {
    let p = PathBuf::from("/usr/riscv64-linux-gnu");
    if p.join("lib/ld-linux-riscv64-lp64d.so.1").exists() {
        Some(p)
    } else {
        eprintln!("skipping: riscv64 libc not installed under {}", p.display());
        None
    }
}
