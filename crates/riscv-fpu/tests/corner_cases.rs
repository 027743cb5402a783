//! Hand-picked corner cases of the RISC-V F and D semantics.

use oxemu_riscv_fpu::flags::{DZ, NV, NX, OF, UF};
use oxemu_riscv_fpu::rm::{RDN, RMM, RNE, RTZ, RUP};
use oxemu_riscv_fpu::*;

const CANON_D: u64 = 0x7ff8_0000_0000_0000;
const CANON_S: u64 = 0xffff_ffff_7fc0_0000;
const QNAN_D_PAYLOAD: u64 = 0xfff8_0000_dead_beef;
const SNAN_D: u64 = 0x7ff0_0000_0000_0001;
const QNAN_S_PAYLOAD: u64 = 0xffff_ffff_ffc0_1234;
const SNAN_S: u64 = 0xffff_ffff_7f80_0001;
const MAX_D: u64 = 0x7fef_ffff_ffff_ffff;
const MIN_NORMAL_D: u64 = 0x0010_0000_0000_0000;
const MAX_SUBNORMAL_D: u64 = 0x000f_ffff_ffff_ffff;

fn d(x: f64) -> u64 {
    x.to_bits()
}

fn s(x: f32) -> u64 {
    x.to_bits() as u64 | 0xffff_ffff_0000_0000
}

/// Calls `f` with fresh flags and returns `(result, flags)`.
fn run(f: impl FnOnce(&mut u8) -> u64) -> (u64, u8) {
    let mut flags = 0;
    let r = f(&mut flags);
    (r, flags)
}

#[test]
fn nan_results_are_canonical() {
    assert_eq!(run(|f| add_d(QNAN_D_PAYLOAD, d(1.0), RNE, f)), (CANON_D, 0));
    assert_eq!(run(|f| mul_d(d(2.0), SNAN_D, RNE, f)), (CANON_D, NV));
    assert_eq!(run(|f| div_s(QNAN_S_PAYLOAD, s(1.0), RUP, f)), (CANON_S, 0));
    assert_eq!(run(|f| sqrt_s(SNAN_S, RNE, f)), (CANON_S, NV));
    assert_eq!(
        run(|f| madd_d(d(1.0), d(1.0), QNAN_D_PAYLOAD, RNE, f)),
        (CANON_D, 0)
    );
    assert_eq!(run(|f| cvt_s_d(QNAN_D_PAYLOAD, RNE, f)), (CANON_S, 0));
    assert_eq!(run(|f| cvt_s_d(SNAN_D, RNE, f)), (CANON_S, NV));
    assert_eq!(run(|f| cvt_d_s(QNAN_S_PAYLOAD, f)), (CANON_D, 0));
    assert_eq!(run(|f| cvt_d_s(SNAN_S, f)), (CANON_D, NV));
}

#[test]
fn invalid_operations() {
    let inf = d(f64::INFINITY);
    let ninf = d(f64::NEG_INFINITY);
    assert_eq!(run(|f| add_d(inf, ninf, RNE, f)), (CANON_D, NV));
    assert_eq!(run(|f| sub_d(inf, inf, RTZ, f)), (CANON_D, NV));
    assert_eq!(run(|f| mul_d(d(0.0), inf, RNE, f)), (CANON_D, NV));
    assert_eq!(run(|f| div_d(d(0.0), d(-0.0), RNE, f)), (CANON_D, NV));
    assert_eq!(run(|f| div_d(inf, ninf, RNE, f)), (CANON_D, NV));
    assert_eq!(run(|f| sqrt_d(d(-1.0), RNE, f)), (CANON_D, NV));
    assert_eq!(run(|f| sqrt_d(ninf, RNE, f)), (CANON_D, NV));
    assert_eq!(run(|f| sqrt_d(d(-0.0), RNE, f)), (d(-0.0), 0));
    // inf * 0 is invalid even when the addend is a quiet NaN.
    assert_eq!(
        run(|f| madd_d(inf, d(0.0), QNAN_D_PAYLOAD, RNE, f)),
        (CANON_D, NV)
    );
    assert_eq!(
        run(|f| madd_s(s(0.0), s(f32::INFINITY), CANON_S, RNE, f)),
        (CANON_S, NV)
    );
    assert_eq!(run(|f| madd_d(inf, d(1.0), ninf, RNE, f)), (CANON_D, NV));
    assert_eq!(run(|f| nmsub_d(inf, d(1.0), inf, RNE, f)), (CANON_D, NV));
}

#[test]
fn divide_by_zero() {
    assert_eq!(
        run(|f| div_d(d(1.0), d(0.0), RNE, f)),
        (d(f64::INFINITY), DZ)
    );
    assert_eq!(
        run(|f| div_d(d(-1.0), d(0.0), RTZ, f)),
        (d(f64::NEG_INFINITY), DZ)
    );
    assert_eq!(
        run(|f| div_s(s(1.0), s(-0.0), RNE, f)),
        (s(f32::NEG_INFINITY), DZ)
    );
    // Infinity over zero is exact, not a division by zero.
    assert_eq!(
        run(|f| div_d(d(f64::INFINITY), d(0.0), RNE, f)),
        (d(f64::INFINITY), 0)
    );
}

#[test]
fn nan_boxing() {
    let unboxed_one = 0x0000_0000_3f80_0000;
    let half_boxed = 0xffff_fffe_3f80_0000;
    // Improperly boxed operands read as the (quiet) canonical NaN.
    assert_eq!(run(|f| add_s(unboxed_one, s(1.0), RNE, f)), (CANON_S, 0));
    assert_eq!(run(|f| mul_s(s(1.0), half_boxed, RNE, f)), (CANON_S, 0));
    assert_eq!(run(|f| lt_s(unboxed_one, s(1.0), f)), (0, NV));
    assert_eq!(run(|f| eq_s(unboxed_one, unboxed_one, f)), (0, 0));
    assert_eq!(run(|f| min_s(unboxed_one, s(2.0), f)), (s(2.0), 0));
    assert_eq!(class_s(unboxed_one), 1 << 9);
    assert_eq!(sgnj_s(unboxed_one, s(-1.0)), 0xffff_ffff_ffc0_0000);
    assert_eq!(sgnjn_s(s(1.0), unboxed_one), s(-1.0));
    assert_eq!(run(|f| cvt_d_s(unboxed_one, f)), (CANON_D, 0));
    assert_eq!(run(|f| cvt_w_s(unboxed_one, RNE, f)), (i32::MAX as u64, NV));
    // Results are boxed.
    assert_eq!(run(|f| add_s(s(1.0), s(2.0), RNE, f)), (s(3.0), 0));
    assert_eq!(mv_w_x(0x1234_5678_bf80_0000), s(-1.0));
    assert_eq!(mv_x_w(s(-1.0)), 0xffff_ffff_bf80_0000);
    assert_eq!(mv_x_w(0xffff_ffff_3f80_0000), 0x3f80_0000);
    assert_eq!(run(|f| cvt_s_w(7, RNE, f)), (s(7.0), 0));
}

#[test]
fn float_to_int_saturation_table() {
    let nan = CANON_D;
    let inf = d(f64::INFINITY);
    let ninf = d(f64::NEG_INFINITY);
    let sx = |v: i32| v as i64 as u64;
    // (input, w, wu, l, lu) with NV expected for every listed saturation.
    let table: [(u64, u64, u64, u64, u64); 5] = [
        (nan, sx(i32::MAX), u64::MAX, i64::MAX as u64, u64::MAX),
        (inf, sx(i32::MAX), u64::MAX, i64::MAX as u64, u64::MAX),
        (ninf, sx(i32::MIN), 0, i64::MIN as u64, 0),
        (d(1e30), sx(i32::MAX), u64::MAX, i64::MAX as u64, u64::MAX),
        (d(-1e30), sx(i32::MIN), 0, i64::MIN as u64, 0),
    ];
    for (x, w, wu, l, lu) in table {
        assert_eq!(run(|f| cvt_w_d(x, RNE, f)), (w, NV), "w {x:#x}");
        assert_eq!(run(|f| cvt_wu_d(x, RNE, f)), (wu, NV), "wu {x:#x}");
        assert_eq!(run(|f| cvt_l_d(x, RNE, f)), (l, NV), "l {x:#x}");
        assert_eq!(run(|f| cvt_lu_d(x, RNE, f)), (lu, NV), "lu {x:#x}");
    }
    // Boundaries of each range.
    assert_eq!(
        run(|f| cvt_w_d(d(2147483647.4), RNE, f)),
        (i32::MAX as u64, NX)
    );
    assert_eq!(
        run(|f| cvt_w_d(d(2147483647.5), RNE, f)),
        (i32::MAX as u64, NV)
    );
    assert_eq!(
        run(|f| cvt_w_d(d(-2147483648.9), RTZ, f)),
        (sx(i32::MIN), NX)
    );
    assert_eq!(
        run(|f| cvt_w_d(d(-2147483648.9), RDN, f)),
        (sx(i32::MIN), NV)
    );
    assert_eq!(
        run(|f| cvt_l_s(s(-9.223372e18), RNE, f)),
        (i64::MIN as u64, 0)
    );
    assert_eq!(
        run(|f| cvt_l_d(d(2f64.powi(63)), RNE, f)),
        (i64::MAX as u64, NV)
    );
    assert_eq!(
        run(|f| cvt_lu_d(d(18446744073709549568.0), RNE, f)),
        (18446744073709549568, 0)
    );
    // Unsigned: negative values that round to zero are valid (NX only).
    assert_eq!(run(|f| cvt_wu_d(d(-0.4), RNE, f)), (0, NX));
    assert_eq!(run(|f| cvt_wu_d(d(-0.9), RTZ, f)), (0, NX));
    assert_eq!(run(|f| cvt_wu_d(d(-0.9), RNE, f)), (0, NV));
    assert_eq!(run(|f| cvt_lu_s(s(-1.0), RTZ, f)), (0, NV));
    assert_eq!(run(|f| cvt_lu_d(d(-0.0), RNE, f)), (0, 0));
    // 32-bit results are sign-extended, including unsigned ones.
    assert_eq!(
        run(|f| cvt_wu_d(d(3e9), RNE, f)),
        (0xffff_ffff_b2d0_5e00, 0)
    );
    assert_eq!(
        run(|f| cvt_wu_s(s(4294967040.0), RNE, f)),
        (0xffff_ffff_ffff_ff00, 0)
    );
    assert_eq!(run(|f| cvt_w_s(s(-5.0), RNE, f)), (-5i64 as u64, 0));
}

#[test]
fn min_max() {
    let one = d(1.0);
    assert_eq!(run(|f| min_d(SNAN_D, one, f)), (one, NV));
    assert_eq!(run(|f| max_d(one, SNAN_D, f)), (one, NV));
    assert_eq!(run(|f| min_d(QNAN_D_PAYLOAD, one, f)), (one, 0));
    assert_eq!(
        run(|f| max_d(QNAN_D_PAYLOAD, QNAN_D_PAYLOAD, f)),
        (CANON_D, 0)
    );
    assert_eq!(run(|f| min_d(SNAN_D, QNAN_D_PAYLOAD, f)), (CANON_D, NV));
    for (a, b) in [(d(0.0), d(-0.0)), (d(-0.0), d(0.0))] {
        assert_eq!(run(|f| min_d(a, b, f)), (d(-0.0), 0));
        assert_eq!(run(|f| max_d(a, b, f)), (d(0.0), 0));
    }
    assert_eq!(run(|f| min_s(s(-0.0), s(0.0), f)), (s(-0.0), 0));
    assert_eq!(run(|f| max_s(s(-0.0), s(0.0), f)), (s(0.0), 0));
    assert_eq!(run(|f| max_s(SNAN_S, s(-3.0), f)), (s(-3.0), NV));
    assert_eq!(run(|f| min_s(CANON_S, CANON_S, f)), (CANON_S, 0));
    assert_eq!(
        run(|f| min_d(d(-1.0), d(f64::NEG_INFINITY), f)),
        (d(f64::NEG_INFINITY), 0)
    );
}

#[test]
fn comparisons() {
    assert_eq!(run(|f| eq_d(QNAN_D_PAYLOAD, d(1.0), f)), (0, 0));
    assert_eq!(run(|f| eq_d(SNAN_D, d(1.0), f)), (0, NV));
    assert_eq!(run(|f| lt_d(QNAN_D_PAYLOAD, d(1.0), f)), (0, NV));
    assert_eq!(run(|f| le_s(s(1.0), QNAN_S_PAYLOAD, f)), (0, NV));
    assert_eq!(run(|f| eq_d(d(-0.0), d(0.0), f)), (1, 0));
    assert_eq!(run(|f| lt_d(d(-0.0), d(0.0), f)), (0, 0));
    assert_eq!(run(|f| le_d(d(-0.0), d(0.0), f)), (1, 0));
    assert_eq!(run(|f| lt_s(s(-1.0), s(1.0), f)), (1, 0));
    assert_eq!(run(|f| eq_s(SNAN_S, SNAN_S, f)), (0, NV));
}

#[test]
fn classification() {
    let cases_d = [
        (d(f64::NEG_INFINITY), 0),
        (d(-1.0), 1),
        (0x800f_ffff_ffff_ffff, 2),
        (d(-0.0), 3),
        (d(0.0), 4),
        (1, 5),
        (d(1.0), 6),
        (d(f64::INFINITY), 7),
        (SNAN_D, 8),
        (CANON_D, 9),
    ];
    for (x, bit) in cases_d {
        assert_eq!(class_d(x), 1 << bit, "{x:#x}");
    }
    let cases_s = [
        (s(f32::NEG_INFINITY), 0),
        (s(-1.0), 1),
        (0xffff_ffff_8000_0001, 2),
        (s(-0.0), 3),
        (s(0.0), 4),
        (0xffff_ffff_007f_ffff, 5),
        (s(1.0), 6),
        (s(f32::INFINITY), 7),
        (SNAN_S, 8),
        (CANON_S, 9),
    ];
    for (x, bit) in cases_s {
        assert_eq!(class_s(x), 1 << bit, "{x:#x}");
    }
}

#[test]
fn sign_injection() {
    assert_eq!(sgnj_d(d(2.0), d(-0.0)), d(-2.0));
    assert_eq!(sgnjn_d(d(2.0), d(-0.0)), d(2.0));
    assert_eq!(sgnjx_d(d(-2.0), d(-1.0)), d(2.0));
    assert_eq!(sgnjx_d(SNAN_D, d(-1.0)), SNAN_D | 1 << 63);
    assert_eq!(sgnj_s(s(2.0), s(-1.0)), s(-2.0));
    assert_eq!(sgnjn_s(s(-2.0), s(-1.0)), s(2.0));
    assert_eq!(sgnjx_s(s(-2.0), s(-1.0)), s(2.0));
}

#[test]
fn fused_multiply_add_rounds_once() {
    // (1 + 2^-52)(1 - 2^-52) - 1 = -2^-104 exactly; unfused it would be 0.
    let a = d(1.0 + f64::EPSILON);
    let b = d(1.0 - f64::EPSILON);
    assert_eq!(
        run(|f| msub_d(a, b, d(1.0), RNE, f)),
        (d(-(2f64.powi(-104))), 0)
    );
    assert_eq!(
        run(|f| nmsub_d(a, b, d(1.0), RNE, f)),
        (d(2f64.powi(-104)), 0)
    );
    assert_eq!(run(|f| mul_d(a, b, RNE, f)), (d(1.0), NX));
    let a = s(1.0 + f32::EPSILON);
    let b = s(1.0 - f32::EPSILON);
    assert_eq!(
        run(|f| msub_s(a, b, s(1.0), RNE, f)),
        (s(-(2f32.powi(-46))), 0)
    );
    assert_eq!(
        run(|f| nmadd_s(a, b, s(-1.0), RNE, f)),
        (s(2f32.powi(-46)), 0)
    );
    // Sign of exact zero results.
    assert_eq!(
        run(|f| madd_d(d(1.0), d(1.0), d(-1.0), RNE, f)),
        (d(0.0), 0)
    );
    assert_eq!(
        run(|f| madd_d(d(1.0), d(1.0), d(-1.0), RDN, f)),
        (d(-0.0), 0)
    );
    assert_eq!(
        run(|f| nmadd_d(d(0.0), d(1.0), d(0.0), RNE, f)),
        (d(-0.0), 0)
    );
    assert_eq!(
        run(|f| madd_s(s(-0.0), s(1.0), s(0.0), RNE, f)),
        (s(0.0), 0)
    );
    assert_eq!(
        run(|f| madd_s(s(-0.0), s(1.0), s(0.0), RDN, f)),
        (s(-0.0), 0)
    );
}

#[test]
fn single_fma_is_not_double_rounded() {
    // r + (ulp/2)(1 - 2^-46) lies just below the midpoint between r and its
    // successor; in binary64 it rounds onto the midpoint, and a second
    // rounding to single would then tie to the (odd -> even) successor.
    let r = f32::from_bits(0x3f80_0001); // 1 + 2^-23, odd significand
    let x = s((1.0 + f32::EPSILON) * 2f32.powi(-24));
    let y = s(1.0 - f32::EPSILON);
    assert_eq!(run(|f| madd_s(x, y, s(r), RNE, f)), (s(r), NX));
    assert_eq!(
        run(|f| madd_s(x, y, s(r), RUP, f)),
        (s(f32::from_bits(0x3f80_0002)), NX)
    );
    // Just above the midpoint of an even significand: must round up.
    let r = f32::from_bits(0x3f80_0002);
    let x = s((1.0 + f32::EPSILON) * 2f32.powi(-23));
    let y = s(1.0 + f32::EPSILON);
    // (2^-23)(1 + 2^-22 + 2^-46) / 2... product is ulp/2 * (1 + 2^-22 + 2^-46)
    let x = f32::from_bits(x as u32) / 2.0;
    assert_eq!(
        run(|f| madd_s(s(x), y, s(r), RNE, f)),
        (s(f32::from_bits(0x3f80_0003)), NX)
    );
}

#[test]
fn rounding_modes_differ() {
    // 1 + 2^-53 is a tie between 1 (even) and 1 + 2^-52.
    let tie = d(2f64.powi(-53));
    let up = d(1.0 + f64::EPSILON);
    let expect = [
        (RNE, d(1.0)),
        (RTZ, d(1.0)),
        (RDN, d(1.0)),
        (RUP, up),
        (RMM, up),
    ];
    for (rm, want) in expect {
        assert_eq!(run(|f| add_d(d(1.0), tie, rm, f)), (want, NX), "rm {rm}");
    }
    let down = d(-1.0 - f64::EPSILON);
    let expect = [
        (RNE, d(-1.0)),
        (RTZ, d(-1.0)),
        (RDN, down),
        (RUP, d(-1.0)),
        (RMM, down),
    ];
    for (rm, want) in expect {
        assert_eq!(run(|f| sub_d(d(-1.0), tie, rm, f)), (want, NX), "rm {rm}");
    }
    // Single: 1 + 2^-24 ties the same way.
    let expect = [
        (RNE, 1.0),
        (RTZ, 1.0),
        (RDN, 1.0),
        (RUP, 1.0 + f32::EPSILON),
        (RMM, 1.0 + f32::EPSILON),
    ];
    for (rm, want) in expect {
        assert_eq!(
            run(|f| add_s(s(1.0), s(2f32.powi(-24)), rm, f)),
            (s(want), NX),
            "rm {rm}"
        );
    }
    // Conversions to integer: 2.5 and -2.5.
    let expect = [
        (RNE, 2, -2),
        (RTZ, 2, -2),
        (RDN, 2, -3),
        (RUP, 3, -2),
        (RMM, 3, -3),
    ];
    for (rm, pos, neg) in expect {
        assert_eq!(run(|f| cvt_w_d(d(2.5), rm, f)), (pos as u64, NX), "rm {rm}");
        assert_eq!(
            run(|f| cvt_l_s(s(-2.5), rm, f)),
            (neg as i64 as u64, NX),
            "rm {rm}"
        );
    }
    // Integer to float: 2^24 + 1 is a tie in single precision.
    let t = (1 << 24) + 1;
    let expect = [
        (RNE, 16777216.0),
        (RTZ, 16777216.0),
        (RDN, 16777216.0),
        (RUP, 16777218.0),
        (RMM, 16777218.0),
    ];
    for (rm, want) in expect {
        assert_eq!(run(|f| cvt_s_l(t, rm, f)), (s(want), NX), "rm {rm}");
        assert_eq!(
            run(|f| cvt_s_w((-(t as i64)) as u64, rm, f)).0,
            s(-[16777216.0, 16777216.0, 16777218.0, 16777216.0, 16777218.0][rm as usize]),
            "rm {rm}"
        );
    }
    // Division and square root with each directed mode.
    let third = [
        (RNE, 0x3fd5_5555_5555_5555),
        (RTZ, 0x3fd5_5555_5555_5555),
        (RDN, 0x3fd5_5555_5555_5555),
        (RUP, 0x3fd5_5555_5555_5556),
        (RMM, 0x3fd5_5555_5555_5555),
    ];
    for (rm, want) in third {
        assert_eq!(run(|f| div_d(d(1.0), d(3.0), rm, f)), (want, NX), "rm {rm}");
    }
    assert_eq!(run(|f| sqrt_d(d(2.0), RUP, f)), (0x3ff6_a09e_667f_3bcd, NX));
    assert_eq!(run(|f| sqrt_d(d(2.0), RDN, f)), (0x3ff6_a09e_667f_3bcc, NX));
    assert_eq!(run(|f| sqrt_d(d(4.0), RUP, f)), (d(2.0), 0));
    // x - x is -0 only when rounding down.
    assert_eq!(run(|f| sub_d(d(3.0), d(3.0), RDN, f)), (d(-0.0), 0));
    assert_eq!(run(|f| sub_s(s(3.0), s(3.0), RUP, f)), (s(0.0), 0));
    assert_eq!(run(|f| add_d(d(-0.0), d(-0.0), RNE, f)), (d(-0.0), 0));
}

#[test]
fn overflow_by_rounding_mode() {
    let max = MAX_D;
    let inf = d(f64::INFINITY);
    let expect = [(RNE, inf), (RTZ, max), (RDN, max), (RUP, inf), (RMM, inf)];
    for (rm, want) in expect {
        assert_eq!(
            run(|f| mul_d(max, d(2.0), rm, f)),
            (want, OF | NX),
            "rm {rm}"
        );
        let neg = want | 1 << 63;
        let neg = if rm == RDN {
            inf | 1 << 63
        } else if rm == RUP {
            max | 1 << 63
        } else {
            neg
        };
        assert_eq!(
            run(|f| mul_d(max, d(-2.0), rm, f)),
            (neg, OF | NX),
            "rm {rm}"
        );
    }
    assert_eq!(
        run(|f| add_s(s(f32::MAX), s(f32::MAX), RNE, f)),
        (s(f32::INFINITY), OF | NX)
    );
    assert_eq!(run(|f| cvt_s_d(d(1e300), RTZ, f)), (s(f32::MAX), OF | NX));
    // Rounding up into overflow from just below the threshold.
    assert_eq!(
        run(|f| add_d(max, d(2f64.powi(970)), RNE, f)),
        (inf, OF | NX)
    );
    assert_eq!(run(|f| add_d(max, d(2f64.powi(969)), RNE, f)), (max, NX));
}

#[test]
fn underflow_is_tininess_after_rounding() {
    // Exact subnormal results raise nothing.
    assert_eq!(
        run(|f| mul_d(MIN_NORMAL_D, d(0.5), RNE, f)),
        (0x0008_0000_0000_0000, 0)
    );
    // 2^-1022 (1 - 2^-53): rounds to the smallest normal, but with an
    // unbounded exponent it would stay 2^-1022 (1 - 2^-53): tiny.
    let just_below = d(1.0 - f64::EPSILON / 2.0);
    assert_eq!(
        run(|f| mul_d(just_below, MIN_NORMAL_D, RNE, f)),
        (MIN_NORMAL_D, UF | NX)
    );
    assert_eq!(
        run(|f| mul_d(just_below, MIN_NORMAL_D, RTZ, f)),
        (MAX_SUBNORMAL_D, UF | NX)
    );
    // 2^-1022 (1 - 2^-104): the unbounded rounding reaches 2^-1022: not tiny.
    let r = run(|f| mul_d(d(1.0 + f64::EPSILON), MAX_SUBNORMAL_D, RNE, f));
    assert_eq!(r, (MIN_NORMAL_D, NX));
    // The same boundary for single precision through FCVT.S.D.
    let tiny = d(f32::MIN_POSITIVE as f64 * (1.0 - 3.0 * 2f64.powi(-26)));
    assert_eq!(
        run(|f| cvt_s_d(tiny, RNE, f)),
        (s(f32::MIN_POSITIVE), UF | NX)
    );
    let tie = d(f32::MIN_POSITIVE as f64 * (1.0 - 2f64.powi(-25)));
    assert_eq!(run(|f| cvt_s_d(tie, RNE, f)), (s(f32::MIN_POSITIVE), NX));
    assert_eq!(
        run(|f| cvt_s_d(tie, RTZ, f)),
        (0xffff_ffff_007f_ffff, UF | NX)
    );
    // Underflow to zero.
    assert_eq!(
        run(|f| mul_s(s(1e-30), s(1e-30), RNE, f)),
        (s(0.0), UF | NX)
    );
    assert_eq!(
        run(|f| mul_s(s(1e-30), s(-1e-30), RDN, f)),
        (0xffff_ffff_8000_0001, UF | NX)
    );
    assert_eq!(run(|f| div_d(1, d(3.0), RNE, f)), (0, UF | NX));
}

#[test]
fn inexact_flags() {
    assert_eq!(run(|f| add_d(d(0.1), d(0.2), RNE, f)), (d(0.1 + 0.2), NX));
    assert_eq!(run(|f| add_d(d(0.5), d(0.25), RNE, f)), (d(0.75), 0));
    assert_eq!(run(|f| mul_d(d(3.0), d(0.5), RNE, f)), (d(1.5), 0));
    assert_eq!(run(|f| div_d(d(1.0), d(4.0), RNE, f)), (d(0.25), 0));
    assert_eq!(run(|f| sqrt_d(d(9.0), RNE, f)), (d(3.0), 0));
    assert_eq!(run(|f| sqrt_s(s(2.0), RNE, f)), (s(2f32.sqrt()), NX));
    assert_eq!(run(|f| div_s(s(1.0), s(3.0), RNE, f)), (s(1.0 / 3.0), NX));
    assert_eq!(
        run(|f| cvt_d_lu(u64::MAX, RNE, f)),
        (d(18446744073709551616.0), NX)
    );
    assert_eq!(
        run(|f| cvt_d_l(i64::MAX as u64, RTZ, f)),
        (d(9223372036854774784.0), NX)
    );
    assert_eq!(run(|f| cvt_d_w(-7i64 as u64, RNE, f)), (d(-7.0), 0));
    assert_eq!(
        run(|f| cvt_d_wu(u32::MAX as u64, RNE, f)),
        (d(4294967295.0), 0)
    );
    assert_eq!(
        run(|f| cvt_s_wu(u32::MAX as u64, RNE, f)),
        (s(4294967296.0), NX)
    );
    assert_eq!(run(|f| cvt_s_d(d(0.1), RNE, f)), (s(0.1), NX));
    assert_eq!(run(|f| cvt_d_s(s(0.1), f)), (d(0.1f32 as f64), 0));
}
