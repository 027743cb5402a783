//! The benchmark and conformance programs of ../shared/bench: every benchmark prints
//! the same RESULT line as its native x86-64 build, under tier 0 and the interpreter,
//! and the conformance checks that need no threads, processes or signal delivery pass.

mod common;

use std::path::PathBuf;
use std::process::Command;

use common::{ENGINES, run, shared};

fn bench_dir() -> Option<PathBuf> {
    let d = shared()?.join("bench/bin");
    if d.join("riscv64").is_dir() && d.join("x86_64").is_dir() {
        Some(d)
    } else {
        eprintln!("skipped: ../shared/bench/bin is not present");
        None
    }
}

fn result_line(stdout: &[u8]) -> Option<String> {
    String::from_utf8_lossy(stdout)
        .lines()
        .find(|l| l.starts_with("RESULT "))
        .map(str::to_string)
}

/// Small iteration counts keep the interpreter runs short; the checksum depends on
/// the count, so native runs use the same one.
const BENCHES: [(&str, &[&str]); 8] = [
    ("int", &["300"]),
    ("dhry", &["50000"]),
    ("fp", &["1"]),
    ("mem", &["1"]),
    ("sort", &["1"]),
    ("syscall", &["5000"]),
    ("bigcode", &[]),
    ("startup", &[]),
];

#[test]
fn benchmarks_match_native_checksums() {
    let Some(dir) = bench_dir() else { return };
    for (name, args) in BENCHES {
        let native = Command::new(dir.join("x86_64").join(name))
            .args(args)
            .output()
            .unwrap();
        let want = result_line(&native.stdout).expect("native run prints RESULT");
        for engine in ENGINES {
            let out = run(engine, &dir.join("riscv64").join(name), args);
            assert!(
                out.status.success(),
                "{name} {engine:?}: {:?}\n{}",
                out.status,
                String::from_utf8_lossy(&out.stderr)
            );
            assert_eq!(
                result_line(&out.stdout).as_deref(),
                Some(want.as_str()),
                "{name} {engine:?}"
            );
        }
    }
}

/// Checks that need threads, fork/exec or delivery of signals to guest handlers,
/// which this user-mode layer does not provide yet, with the reason.
const NEEDS_MORE: [(&str, &str); 2] = [
    ("tls.threads", "needs clone of threads"),
    (
        "vfork",
        "needs a vfork child running on the parent's memory",
    ),
];

fn conformance(name: &str) {
    let Some(dir) = bench_dir() else { return };
    let native = Command::new(dir.join("x86_64").join(name))
        .output()
        .unwrap();
    let native = String::from_utf8_lossy(&native.stdout).into_owned();
    for engine in ENGINES {
        let out = run(engine, &dir.join("riscv64").join(name), &[]);
        let text = String::from_utf8_lossy(&out.stdout);
        let mut failed = Vec::new();
        for line in text.lines().filter(|l| l.starts_with("FAIL ")) {
            let check = line[5..].split(':').next().unwrap_or("");
            if !NEEDS_MORE.iter().any(|(n, _)| *n == check) {
                failed.push(line.to_string());
            }
        }
        assert!(
            failed.is_empty(),
            "{name} {engine:?}:\n{}",
            failed.join("\n")
        );
        let passes = |t: &str| t.lines().filter(|l| l.starts_with("PASS ")).count();
        assert!(
            passes(&text) + NEEDS_MORE.len() >= passes(&native),
            "{name} {engine:?}: {} checks passed, natively {}",
            passes(&text),
            passes(&native)
        );
    }
}

#[test]
fn conformance_basic() {
    conformance("conf_basic");
}

#[test]
fn conformance_processes_and_files() {
    conformance("conf_proc_fs");
}
