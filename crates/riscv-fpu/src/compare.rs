//! Comparisons (FEQ, FLT, FLE) and FMIN/FMAX.
//!
//! Single-precision operands are widened to double, which is exact and keeps
//! the order; signalling-ness is read from the original bits because the
//! host quiets NaNs when widening.

use crate::flags::NV;
use crate::format::{F32, F64, Format, nan_box, unbox};

#[inline]
fn single(bits: u64) -> f64 {
    f32::from_bits(bits as u32) as f64
}

/// FEQ: quiet, NV only for signalling NaNs.
#[inline]
fn eq(x: f64, y: f64, a: u64, b: u64, f: Format, flags: &mut u8) -> u64 {
    if x.is_nan() || y.is_nan() {
        if f.is_snan(a) || f.is_snan(b) {
            *flags |= NV;
        }
        return 0;
    }
    (x == y) as u64
}

/// FLT / FLE: signalling, NV for any NaN.
#[inline]
fn ordered(x: f64, y: f64, holds: bool, flags: &mut u8) -> u64 {
    if x.is_nan() || y.is_nan() {
        *flags |= NV;
        return 0;
    }
    holds as u64
}

/// IEEE 754-2019 minimumNumber / maximumNumber with -0 < +0; the result
/// is one of the operand bit patterns (or the canonical NaN).
#[inline]
fn min_max(x: f64, y: f64, a: u64, b: u64, want_max: bool, f: Format, flags: &mut u8) -> u64 {
    if x.is_nan() || y.is_nan() {
        if f.is_snan(a) || f.is_snan(b) {
            *flags |= NV;
        }
        return match (x.is_nan(), y.is_nan()) {
            (true, true) => f.canonical_nan(),
            (true, false) => b,
            _ => a,
        };
    }
    if x == y {
        // Equal values differ at most in the sign of zero: OR keeps -0 for
        // min, AND keeps +0 for max.
        return if want_max { a & b } else { a | b };
    }
    if (x < y) != want_max { a } else { b }
}

/// FEQ.S
#[inline]
pub fn eq_s(a: u64, b: u64, flags: &mut u8) -> u64 {
    let (a, b) = (unbox(a), unbox(b));
    eq(single(a), single(b), a, b, F32, flags)
}

/// FLT.S
#[inline]
pub fn lt_s(a: u64, b: u64, flags: &mut u8) -> u64 {
    let (x, y) = (single(unbox(a)), single(unbox(b)));
    ordered(x, y, x < y, flags)
}

/// FLE.S
#[inline]
pub fn le_s(a: u64, b: u64, flags: &mut u8) -> u64 {
    let (x, y) = (single(unbox(a)), single(unbox(b)));
    ordered(x, y, x <= y, flags)
}

/// FMIN.S
#[inline]
pub fn min_s(a: u64, b: u64, flags: &mut u8) -> u64 {
    let (a, b) = (unbox(a), unbox(b));
    nan_box(min_max(single(a), single(b), a, b, false, F32, flags))
}

/// FMAX.S
#[inline]
pub fn max_s(a: u64, b: u64, flags: &mut u8) -> u64 {
    let (a, b) = (unbox(a), unbox(b));
    nan_box(min_max(single(a), single(b), a, b, true, F32, flags))
}

/// FEQ.D
#[inline]
pub fn eq_d(a: u64, b: u64, flags: &mut u8) -> u64 {
    eq(f64::from_bits(a), f64::from_bits(b), a, b, F64, flags)
}

/// FLT.D
#[inline]
pub fn lt_d(a: u64, b: u64, flags: &mut u8) -> u64 {
    let (x, y) = (f64::from_bits(a), f64::from_bits(b));
    ordered(x, y, x < y, flags)
}

/// FLE.D
#[inline]
pub fn le_d(a: u64, b: u64, flags: &mut u8) -> u64 {
    let (x, y) = (f64::from_bits(a), f64::from_bits(b));
    ordered(x, y, x <= y, flags)
}

/// FMIN.D
#[inline]
pub fn min_d(a: u64, b: u64, flags: &mut u8) -> u64 {
    min_max(
        f64::from_bits(a),
        f64::from_bits(b),
        a,
        b,
        false,
        F64,
        flags,
    )
}

/// FMAX.D
#[inline]
pub fn max_d(a: u64, b: u64, flags: &mut u8) -> u64 {
    min_max(f64::from_bits(a), f64::from_bits(b), a, b, true, F64, flags)
}
