//! Rough per-operation timings (not a pass/fail test):
//! `cargo test --release -p oxemu-riscv-fpu --test speed -- --ignored --nocapture`

use oxemu_riscv_fpu::rm::{RMM, RNE, RTZ};
use oxemu_riscv_fpu::*;
use std::hint::black_box;
use std::time::Instant;

const N: usize = 1 << 12;
const ROUNDS: usize = 25;
const TRIALS: usize = 20;

/// Operands like those of an n-body step: ordinary normal doubles.
fn operands() -> Vec<(u64, u64, u64)> {
    let mut x = 0x1234_5678_9abc_def0u64;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        (x >> 11) as f64 / (1u64 << 53) as f64 * 8.0 - 4.0
    };
    (0..N)
        .map(|_| (next().to_bits(), next().to_bits(), next().to_bits()))
        .collect()
}

/// Best of several trials, so that other load on the machine does not
/// inflate the figure.
fn time(name: &str, ops: &[(u64, u64, u64)], f: impl Fn(u64, u64, u64, &mut u8) -> u64) {
    let mut flags = 0;
    let mut sink = 0u64;
    let mut best = f64::INFINITY;
    for _ in 0..TRIALS {
        let start = Instant::now();
        for _ in 0..ROUNDS {
            for &(a, b, c) in ops {
                sink ^= f(black_box(a), black_box(b), black_box(c), &mut flags);
            }
        }
        let ns = start.elapsed().as_nanos() as f64 / (ROUNDS * ops.len()) as f64;
        best = best.min(ns);
    }
    black_box((sink, flags));
    println!("{name:>14}: {best:6.2} ns/op");
}

/// Best-of-trials time per call when each call consumes the previous
/// result, as in a recurrence: latency rather than throughput.
fn chained(name: &str, start: f64, f: impl Fn(u64, &mut u8) -> u64) {
    let mut flags = 0;
    let mut best = f64::INFINITY;
    for _ in 0..TRIALS {
        let mut x = start.to_bits();
        let t = Instant::now();
        for _ in 0..ROUNDS * N {
            x = f(x, &mut flags);
        }
        best = best.min(t.elapsed().as_nanos() as f64 / (ROUNDS * N) as f64);
        black_box((x, flags));
    }
    println!("{name:>14}: {best:6.2} ns/op (dependent chain)");
}

fn single(ops: &[(u64, u64, u64)]) -> Vec<(u64, u64, u64)> {
    let s = |x: u64| (f64::from_bits(x) as f32).to_bits() as u64 | 0xffff_ffff_0000_0000;
    ops.iter().map(|&(a, b, c)| (s(a), s(b), s(c))).collect()
}

#[test]
#[ignore = "timing report, run explicitly"]
fn report_ns_per_op() {
    let d = operands();
    let s = single(&d);
    time("baseline", &d, |a, b, _, _| a ^ b);
    time("add_d", &d, |a, b, _, f| add_d(a, b, RNE, f));
    time("mul_d", &d, |a, b, _, f| mul_d(a, b, RNE, f));
    time("div_d", &d, |a, b, _, f| div_d(a, b, RNE, f));
    time("sqrt_d", &d, |a, _, _, f| sqrt_d(a & !(1 << 63), RNE, f));
    time("madd_d", &d, |a, b, c, f| madd_d(a, b, c, RNE, f));
    time("add_s", &s, |a, b, _, f| add_s(a, b, RNE, f));
    time("mul_s", &s, |a, b, _, f| mul_s(a, b, RNE, f));
    time("div_s", &s, |a, b, _, f| div_s(a, b, RNE, f));
    time("madd_s", &s, |a, b, c, f| madd_s(a, b, c, RNE, f));
    time("cvt_w_d rtz", &d, |a, _, _, f| cvt_w_d(a, RTZ, f));
    time("lt_d", &d, |a, b, _, f| lt_d(a, b, f));
    time("add_d rtz", &d, |a, b, _, f| add_d(a, b, RTZ, f));
    time("mul_d rtz", &d, |a, b, _, f| mul_d(a, b, RTZ, f));
    time("div_d rtz", &d, |a, b, _, f| div_d(a, b, RTZ, f));
    time("madd_d rtz", &d, |a, b, c, f| madd_d(a, b, c, RTZ, f));
    let k = |v: f64| v.to_bits();
    chained("add_d", 1.0, |x, f| add_d(x, k(1e-3), RNE, f));
    chained("mul_d", 1.0, |x, f| mul_d(x, k(1.000_000_1), RNE, f));
    chained("div_d", 1.0, |x, f| div_d(x, k(1.000_000_1), RNE, f));
    chained("madd_d", 1.0, |x, f| {
        madd_d(x, k(0.999_999), k(1e-3), RNE, f)
    });
    chained("host add", 1.0, |x, _| (f64::from_bits(x) + 1e-3).to_bits());
    // RMM always takes the exact integer path.
    time("add_d rmm", &d, |a, b, _, f| add_d(a, b, RMM, f));
    time("mul_d rmm", &d, |a, b, _, f| mul_d(a, b, RMM, f));
    time("div_d rmm", &d, |a, b, _, f| div_d(a, b, RMM, f));
    time("madd_d rmm", &d, |a, b, c, f| madd_d(a, b, c, RMM, f));
}
