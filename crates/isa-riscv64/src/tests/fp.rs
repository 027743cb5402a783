//! F and D through the helpers: a few direct checks of values, flags and rounding.

use oxemu_dbt_ir::MemSize;
use oxemu_dbt_ir::TrapKind;
use oxemu_dbt_ir::interp::Outcome;

use super::enc::*;
use super::harness::{CODE, DATA, Machine, done};
use crate::decode::decode32;
use crate::{FFLAGS, FRM, f};

const OPFP: u32 = 0x53;
const NX: u64 = 1;
const DZ: u64 = 8;
const NV: u64 = 16;

fn boxed(v: f32) -> u64 {
    0xffff_ffff_0000_0000 | u64::from(v.to_bits())
}

fn fma(rs3: u8, fmt: u32, rs2: u8, rs1: u8, rm: u32, rd: u8, opc: u32) -> u32 {
    u32::from(rs3) << 27
        | fmt << 25
        | u32::from(rs2) << 20
        | u32::from(rs1) << 15
        | rm << 12
        | u32::from(rd) << 7
        | opc
}

fn machine(words: &[u32]) -> Machine {
    let mut m = Machine::new().code(words);
    m.cpu.set(f(1), 1.5f64.to_bits());
    m.cpu.set(f(2), 2.25f64.to_bits());
    m.cpu.set(f(3), boxed(1.5));
    m.cpu.set(f(4), boxed(-0.1));
    m.cpu.set(f(5), 0f64.to_bits());
    m
}

#[test]
fn double_arithmetic_and_flags() {
    let mut m = machine(&[
        r(0x01, 2, 1, 0, 10, OPFP),   // fadd.d f10, f1, f2
        r(0x0d, 5, 1, 0, 11, OPFP),   // fdiv.d f11, f1, f5: 1.5 / 0
        fma(2, 1, 2, 1, 0, 12, 0x43), // fmadd.d f12, f1, f2, f2
        r(0x2d, 0, 2, 0, 13, OPFP),   // fsqrt.d f13, f2
        r(0x51, 2, 1, 1, 5, OPFP),    // flt.d t0, f1, f2
        r(0x71, 0, 11, 1, 6, OPFP),   // fclass.d t1, f11 (+inf)
        r(0x61, 0, 1, 1, 7, OPFP),    // fcvt.w.d t2, f1, rtz
        r(0x61, 0, 1, 0, 28, OPFP),   // fcvt.w.d t3, f1, rne: 2 (ties to even)
        r(0x11, 1, 2, 1, 14, OPFP),   // fsgnjn.d f14, f2, f1
    ]);
    assert_eq!(m.run(), done(&m));
    assert_eq!(f64::from_bits(m.cpu.get(f(10))), 3.75);
    assert_eq!(f64::from_bits(m.cpu.get(f(11))), f64::INFINITY);
    assert_eq!(f64::from_bits(m.cpu.get(f(12))), 1.5 * 2.25 + 2.25);
    assert_eq!(f64::from_bits(m.cpu.get(f(13))), 1.5);
    assert_eq!((m.x(5), m.x(6), m.x(7), m.x(28)), (1, 1 << 7, 1, 2));
    assert_eq!(f64::from_bits(m.cpu.get(f(14))), -2.25);
    assert_eq!(m.cpu.get(FFLAGS), DZ | NX);
}

#[test]
fn single_values_are_nan_boxed() {
    let mut m = machine(&[
        r(0x00, 4, 3, 0, 10, OPFP),  // fadd.s f10, f3, f4
        r(0x70, 0, 4, 0, 5, OPFP),   // fmv.x.w t0, f4 (negative: sign-extended)
        r(0x78, 0, 6, 0, 11, OPFP),  // fmv.w.x f11, t1
        i(0, 7, 2, 12, 0x07),        // flw f12, 0(t2)
        s(8, 4, 7, 2, 0x27),         // fsw f4, 8(t2)
        r(0x50, 1, 1, 2, 28, OPFP),  // feq.d t3... as feq.s f1, f1: unboxed -> NaN
        r(0x21, 0, 3, 0, 13, OPFP),  // fcvt.d.s f13, f3
        r(0x68, 0, 29, 7, 14, OPFP), // fcvt.s.w f14, t4 (dynamic rm)
    ]);
    m.set_x(6, 0x1234_5678_3f80_0000)
        .set_x(7, DATA)
        .set_x(29, (-3i64) as u64);
    m.mem.write(DATA, MemSize::B4, u64::from(2.5f32.to_bits()));
    assert_eq!(m.run(), done(&m));
    assert_eq!(m.cpu.get(f(10)), boxed(1.5 + -0.1));
    assert_eq!(m.x(5), (-0.1f32).to_bits() as i32 as i64 as u64);
    assert_eq!(m.cpu.get(f(11)), boxed(1.0));
    assert_eq!(m.cpu.get(f(12)), boxed(2.5));
    assert_eq!(
        m.mem.read(DATA + 8, MemSize::B8),
        u64::from((-0.1f32).to_bits())
    );
    assert_eq!(m.x(28), 0, "an unboxed single reads as NaN");
    assert_eq!(f64::from_bits(m.cpu.get(f(13))), 1.5);
    assert_eq!(m.cpu.get(f(14)), boxed(-3.0));
    assert_eq!(
        m.cpu.get(FFLAGS) & NV,
        0,
        "feq on quiet NaN does not raise NV"
    );
    assert_eq!(m.cpu.get(FFLAGS) & NX, NX);
}

#[test]
fn rounding_modes_static_and_dynamic() {
    // fcvt.w.d t0, f1 with the dynamic mode: 1.5 rounds up under RUP (3).
    let mut m = machine(&[r(0x61, 0, 1, 7, 5, OPFP)]);
    m.cpu.set(FRM, 3);
    assert_eq!(m.run(), done(&m));
    assert_eq!(m.x(5), 2);
    let mut m = machine(&[r(0x61, 0, 1, 7, 5, OPFP)]);
    m.cpu.set(FRM, 2);
    assert_eq!(m.run(), done(&m));
    assert_eq!(m.x(5), 1);
}

#[test]
fn invalid_rounding_modes_are_illegal() {
    // Static rm 5 and 6 never decode.
    for rm in [5, 6] {
        assert_eq!(decode32(r(0x01, 2, 1, rm, 10, OPFP)), None);
        assert_eq!(decode32(fma(2, 1, 2, 1, rm, 12, 0x43)), None);
    }
    // Dynamic rm with frm 5..=7 traps at run time, before touching any state.
    for frm in [5, 6, 7] {
        let mut m = machine(&[addi(6, 0, 1), r(0x01, 2, 1, 7, 10, OPFP)]);
        m.cpu.set(FRM, frm);
        assert_eq!(m.run(), Outcome::Trap(TrapKind::Illegal, CODE + 4));
        assert_eq!(m.x(6), 1);
        assert_eq!(m.cpu.get(f(10)), 0);
        assert_eq!(m.cpu.get(FFLAGS), 0);
    }
    // Instructions without a rounding mode ignore frm.
    let mut m = machine(&[r(0x11, 1, 2, 0, 14, OPFP)]);
    m.cpu.set(FRM, 7);
    assert_eq!(m.run(), done(&m));
}
