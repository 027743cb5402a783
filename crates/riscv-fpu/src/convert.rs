//! Conversions: float <-> integer (FCVT.{W,WU,L,LU}.{S,D} and back),
//! single <-> double (FCVT.S.D, FCVT.D.S) and raw moves (FMV.X.W, FMV.W.X).
//!
//! Float-to-integer rounding is exact on the host for every rounding mode
//! (trunc/floor/ceil/round are exact operations), so it needs no slow path.

use crate::directed::{from_nearest, steppable};
use crate::flags::{NV, NX};
use crate::format::{F32, F64, Format, nan_box, unbox};
use crate::rm::{RDN, RMM, RNE, RTZ, RUP};
use crate::soft;
use std::cmp::Ordering;

/// Magnitude from which every double is an integer.
const INTEGRAL: f64 = 4503599627370496.0; // 2^52

/// `x` rounded toward zero, for `|x| < 2^52` (sign of zero not kept: only
/// the value matters to the conversions).
#[inline]
fn trunc_small(x: f64) -> f64 {
    x as i64 as f64
}

/// Rounds `x` to an integral value with RISC-V rounding mode `rm`. Values
/// of magnitude 2^52 or more (and NaN, infinities) are already integral.
#[inline]
fn round_to_integral(x: f64, rm: u8) -> f64 {
    // NaN fails this test too and passes through unchanged.
    if x.abs() >= INTEGRAL || x.is_nan() {
        return x;
    }
    match rm {
        RTZ => trunc_small(x),
        RDN => {
            let t = trunc_small(x);
            if t > x { t - 1.0 } else { t }
        }
        RUP => {
            let t = trunc_small(x);
            if t < x { t + 1.0 } else { t }
        }
        RMM => {
            let t = trunc_small(x);
            // The fraction x - t is exact below 2^52.
            if (x - t).abs() >= 0.5 {
                t + x.signum()
            } else {
                t
            }
        }
        // Adding 2^52 pushes the fraction out under the host's
        // round-to-nearest-even; subtracting it back is exact.
        _ => ((x.abs() + INTEGRAL) - INTEGRAL).copysign(x),
    }
}

/// Destination integer type of a float-to-integer conversion.
struct IntTarget {
    /// Smallest valid rounded value.
    lo: f64,
    /// Rounded values must be strictly below this.
    hi: f64,
    /// Register value for too-small inputs and negative infinity.
    min: u64,
    /// Register value for too-large inputs, positive infinity and NaN.
    max: u64,
    /// Register value for a valid rounded value.
    cast: fn(f64) -> u64,
}

const W: IntTarget = IntTarget {
    lo: -2147483648.0,
    hi: 2147483648.0,
    min: i32::MIN as i64 as u64,
    max: i32::MAX as u64,
    cast: |r| r as i32 as i64 as u64,
};

// Unsigned 32-bit results are sign-extended into the 64-bit register too.
const WU: IntTarget = IntTarget {
    lo: 0.0,
    hi: 4294967296.0,
    min: 0,
    max: u64::MAX,
    cast: |r| r as u32 as i32 as i64 as u64,
};

const L: IntTarget = IntTarget {
    lo: -9223372036854775808.0,
    hi: 9223372036854775808.0,
    min: i64::MIN as u64,
    max: i64::MAX as u64,
    cast: |r| r as i64 as u64,
};

const LU: IntTarget = IntTarget {
    lo: 0.0,
    hi: 18446744073709551616.0,
    min: 0,
    max: u64::MAX,
    cast: |r| r as u64,
};

/// Saturating conversion per the RISC-V FCVT table: NV (and no NX) when the
/// rounded value is out of range or the input is NaN.
#[inline]
fn to_int(x: f64, rm: u8, t: &IntTarget, flags: &mut u8) -> u64 {
    let r = round_to_integral(x, rm);
    // `-0.0 >= 0.0`, so a negative input rounding to zero is valid.
    if r >= t.lo && r < t.hi {
        if r != x {
            *flags |= NX;
        }
        return (t.cast)(r);
    }
    *flags |= NV;
    if r < t.lo { t.min } else { t.max }
}

#[inline]
fn single(reg: u64) -> f64 {
    f32::from_bits(unbox(reg) as u32) as f64
}

/// FCVT.W.S
#[inline]
pub fn cvt_w_s(a: u64, rm: u8, flags: &mut u8) -> u64 {
    to_int(single(a), rm, &W, flags)
}

/// FCVT.WU.S (result sign-extended from 32 bits)
#[inline]
pub fn cvt_wu_s(a: u64, rm: u8, flags: &mut u8) -> u64 {
    to_int(single(a), rm, &WU, flags)
}

/// FCVT.L.S
#[inline]
pub fn cvt_l_s(a: u64, rm: u8, flags: &mut u8) -> u64 {
    to_int(single(a), rm, &L, flags)
}

/// FCVT.LU.S
#[inline]
pub fn cvt_lu_s(a: u64, rm: u8, flags: &mut u8) -> u64 {
    to_int(single(a), rm, &LU, flags)
}

/// FCVT.W.D
#[inline]
pub fn cvt_w_d(a: u64, rm: u8, flags: &mut u8) -> u64 {
    to_int(f64::from_bits(a), rm, &W, flags)
}

/// FCVT.WU.D (result sign-extended from 32 bits)
#[inline]
pub fn cvt_wu_d(a: u64, rm: u8, flags: &mut u8) -> u64 {
    to_int(f64::from_bits(a), rm, &WU, flags)
}

/// FCVT.L.D
#[inline]
pub fn cvt_l_d(a: u64, rm: u8, flags: &mut u8) -> u64 {
    to_int(f64::from_bits(a), rm, &L, flags)
}

/// FCVT.LU.D
#[inline]
pub fn cvt_lu_d(a: u64, rm: u8, flags: &mut u8) -> u64 {
    to_int(f64::from_bits(a), rm, &LU, flags)
}

/// Delivers the nearest conversion `r` of an integer (raw bits of format
/// `f`) or its directed rounding, given `side` = the integer compared with
/// `r`; `None` leaves RMM and zero to the exact path.
#[inline]
fn int_result(r: u64, side: Ordering, rm: u8, f: Format, flags: &mut u8) -> Option<u64> {
    if rm == RNE {
        if side != Ordering::Equal {
            *flags |= NX;
        }
        return Some(r);
    }
    // Nonzero integers are far from the subnormal range and from overflow.
    if rm != RMM && steppable(r, f) {
        return Some(from_nearest(r, side, rm, f, flags));
    }
    None
}

/// Signed integer to single.
#[inline]
fn signed_to_single(v: i64, rm: u8, flags: &mut u8) -> u64 {
    let r = v as f32;
    let side = (v as i128).cmp(&(r as i128));
    let bits = int_result(r.to_bits() as u64, side, rm, F32, flags)
        .unwrap_or_else(|| soft::from_int(v < 0, v.unsigned_abs(), rm, F32, flags));
    nan_box(bits)
}

/// Unsigned integer to single.
#[inline]
fn unsigned_to_single(v: u64, rm: u8, flags: &mut u8) -> u64 {
    let r = v as f32;
    let side = (v as u128).cmp(&(r as u128));
    let bits = int_result(r.to_bits() as u64, side, rm, F32, flags)
        .unwrap_or_else(|| soft::from_int(false, v, rm, F32, flags));
    nan_box(bits)
}

/// FCVT.S.W (reads the low 32 bits of `x` as signed)
#[inline]
pub fn cvt_s_w(x: u64, rm: u8, flags: &mut u8) -> u64 {
    signed_to_single(x as i32 as i64, rm, flags)
}

/// FCVT.S.WU (reads the low 32 bits of `x` as unsigned)
#[inline]
pub fn cvt_s_wu(x: u64, rm: u8, flags: &mut u8) -> u64 {
    unsigned_to_single(x as u32 as u64, rm, flags)
}

/// FCVT.S.L
#[inline]
pub fn cvt_s_l(x: u64, rm: u8, flags: &mut u8) -> u64 {
    signed_to_single(x as i64, rm, flags)
}

/// FCVT.S.LU
#[inline]
pub fn cvt_s_lu(x: u64, rm: u8, flags: &mut u8) -> u64 {
    unsigned_to_single(x, rm, flags)
}

/// FCVT.D.W (always exact)
#[inline]
pub fn cvt_d_w(x: u64, _rm: u8, _flags: &mut u8) -> u64 {
    (x as i32 as f64).to_bits()
}

/// FCVT.D.WU (always exact)
#[inline]
pub fn cvt_d_wu(x: u64, _rm: u8, _flags: &mut u8) -> u64 {
    (x as u32 as f64).to_bits()
}

/// FCVT.D.L
#[inline]
pub fn cvt_d_l(x: u64, rm: u8, flags: &mut u8) -> u64 {
    let v = x as i64;
    let r = v as f64;
    let side = (v as i128).cmp(&(r as i128));
    int_result(r.to_bits(), side, rm, F64, flags)
        .unwrap_or_else(|| soft::from_int(v < 0, v.unsigned_abs(), rm, F64, flags))
}

/// FCVT.D.LU
#[inline]
pub fn cvt_d_lu(x: u64, rm: u8, flags: &mut u8) -> u64 {
    let r = x as f64;
    let side = (x as u128).cmp(&(r as u128));
    int_result(r.to_bits(), side, rm, F64, flags)
        .unwrap_or_else(|| soft::from_int(false, x, rm, F64, flags))
}

/// FCVT.S.D: rounds a double to single; NaNs become the canonical NaN.
#[inline]
pub fn cvt_s_d(a: u64, rm: u8, flags: &mut u8) -> u64 {
    let x = f64::from_bits(a);
    let r = x as f32;
    if rm == RNE {
        // Results below the normal range need the tininess rule.
        if (x.abs() >= f32::MIN_POSITIVE as f64 || x == 0.0) && r.is_finite() {
            if r as f64 != x {
                *flags |= NX;
            }
            return nan_box(r.to_bits() as u64);
        }
    } else if rm != RMM && steppable(r.to_bits() as u64, F32) {
        // The exact value is x itself.
        let side = x.partial_cmp(&(r as f64)).unwrap_or(Ordering::Equal);
        return nan_box(from_nearest(r.to_bits() as u64, side, rm, F32, flags));
    }
    nan_box(soft::convert(a, F64, F32, rm, flags))
}

/// FCVT.D.S: exact widening; NaNs become the canonical NaN.
#[inline]
pub fn cvt_d_s(a: u64, flags: &mut u8) -> u64 {
    let bits = unbox(a);
    let x = f32::from_bits(bits as u32);
    if x.is_nan() {
        return soft::convert(bits, F32, F64, RNE, flags);
    }
    (x as f64).to_bits()
}

/// FMV.X.W: the low 32 bits, sign-extended.
#[inline]
pub fn mv_x_w(a: u64) -> u64 {
    a as u32 as i32 as i64 as u64
}

/// FMV.W.X: the low 32 bits of `x`, NaN-boxed.
#[inline]
pub fn mv_w_x(x: u64) -> u64 {
    nan_box(x & 0xffff_ffff)
}
