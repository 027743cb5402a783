//! Differential test: every instruction and rounding mode on random
//! corner-biased operands, against the APFloat-based reference, bit for bit
//! including flags. A second test pins the native fast paths (nearest and
//! directed rounding) to the exact integer implementation directly.

mod common;

use common::inputs::{Rng, operands, uses_rm};
use common::ops::OPS;
use common::reference::reference;
use oxemu_riscv_fpu::flags::{DZ, NV, NX, OF, UF};
use oxemu_riscv_fpu::format::{F32, F64, nan_box, unbox};
use oxemu_riscv_fpu::soft::{self, FmaOp};

const CASES_PER_MODE: usize = 20_000;

#[test]
fn every_instruction_matches_reference() {
    let mut failures = Vec::new();
    let mut cases = 0;
    let mut missing = Vec::new();
    for (index, op) in OPS.iter().enumerate() {
        let mut seen = 0u8;
        let modes: &[u8] = if uses_rm(op) { &[0, 1, 2, 3, 4] } else { &[0] };
        for &rm in modes {
            let mut rng = Rng::new(0x5eed_0000 + (index as u64) * 8 + rm as u64);
            for _ in 0..CASES_PER_MODE {
                let (a, b, c) = operands(&mut rng, op);
                let mut flags = 0;
                let got = (op.run)(a, b, c, rm, &mut flags);
                let want = reference(op, a, b, c, rm);
                seen |= want.1;
                cases += 1;
                if (got, flags) != want && failures.len() < 40 {
                    failures.push(format!(
                        "{} rm={rm} a={a:#018x} b={b:#018x} c={c:#018x}: got {got:#018x}/{flags:#04x}, want {:#018x}/{:#04x}",
                        op.name, want.0, want.1
                    ));
                }
            }
        }
        // The generator must keep reaching every flag an instruction can raise.
        let expected = expected_flags(op.name);
        if seen & expected != expected {
            missing.push(format!(
                "{}: saw {seen:#04x}, expected {expected:#04x}",
                op.name
            ));
        }
    }
    println!("{cases} cases compared");
    assert!(
        missing.is_empty(),
        "flags never exercised:\n{}",
        missing.join("\n")
    );
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Flags that random operands must provoke at least once for `name`.
fn expected_flags(name: &str) -> u8 {
    let base = name.split('.').next().unwrap();
    match base {
        // Tiny sums are always exact, so addition never underflows.
        "add" | "sub" => NV | OF | NX,
        "mul" | "madd" | "msub" | "nmsub" | "nmadd" => NV | OF | UF | NX,
        "div" => NV | DZ | OF | UF | NX,
        "sqrt" => NV | NX,
        "min" | "max" | "eq" | "lt" | "le" => NV,
        "cvt" if name == "cvt.s.d" => NV | OF | UF | NX,
        "cvt" if name.ends_with(".s") || name.ends_with(".d") => match name {
            "cvt.d.s" => NV,
            _ => NV | NX,
        },
        "cvt"
            if matches!(
                name,
                "cvt.s.l" | "cvt.s.lu" | "cvt.d.l" | "cvt.d.lu" | "cvt.s.w" | "cvt.s.wu"
            ) =>
        {
            NX
        }
        _ => 0,
    }
}

/// Runs the exact integer implementation for an arithmetic instruction.
fn soft_op(name: &str, a: u64, b: u64, c: u64, rm: u8, flags: &mut u8) -> u64 {
    let (base, suffix) = name.rsplit_once('.').unwrap();
    let single = suffix == "s";
    let (f, a, b, c) = if single {
        (F32, unbox(a), unbox(b), unbox(c))
    } else {
        (F64, a, b, c)
    };
    let r = match base {
        "add" => soft::add(a, b, rm, f, flags),
        "sub" => soft::sub(a, b, rm, f, flags),
        "mul" => soft::mul(a, b, rm, f, flags),
        "div" => soft::div(a, b, rm, f, flags),
        "sqrt" => soft::sqrt(a, rm, f, flags),
        "madd" => soft::fma(a, b, c, FmaOp::Madd, rm, f, flags),
        "msub" => soft::fma(a, b, c, FmaOp::Msub, rm, f, flags),
        "nmsub" => soft::fma(a, b, c, FmaOp::Nmsub, rm, f, flags),
        "nmadd" => soft::fma(a, b, c, FmaOp::Nmadd, rm, f, flags),
        _ => unreachable!(),
    };
    if single { nan_box(r) } else { r }
}

#[test]
fn native_fast_paths_match_exact_path() {
    let names = [
        "add.s", "sub.s", "mul.s", "div.s", "sqrt.s", "madd.s", "msub.s", "nmsub.s", "nmadd.s",
        "add.d", "sub.d", "mul.d", "div.d", "sqrt.d", "madd.d", "msub.d", "nmsub.d", "nmadd.d",
    ];
    let mut failures = Vec::new();
    for (i, name) in names.iter().enumerate() {
        let op = common::ops::by_name(name);
        for rm in 0..=3 {
            let mut rng = Rng::new(0xfa57_0000 + (i as u64) * 8 + rm as u64);
            for _ in 0..40_000 {
                let (a, b, c) = operands(&mut rng, op);
                let (mut f1, mut f2) = (0, 0);
                let fast = (op.run)(a, b, c, rm, &mut f1);
                let exact = soft_op(name, a, b, c, rm, &mut f2);
                if (fast, f1) != (exact, f2) && failures.len() < 40 {
                    failures.push(format!(
                        "{name} rm={rm} a={a:#018x} b={b:#018x} c={c:#018x}: fast {fast:#018x}/{f1:#04x}, exact {exact:#018x}/{f2:#04x}"
                    ));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
