//! Single-precision arithmetic (FADD.S ... FNMADD.S).
//!
//! Operands are NaN-unboxed from 64-bit registers and results NaN-boxed.
//! Round-to-nearest-even computes in binary64, which is exact for products
//! of two singles and correctly rounded after a second rounding for
//! `+ - / sqrt` (53 >= 2 * 24 + 2); flags come from cheap exact checks.

use crate::exact::sum_inexact;
use crate::flags::NX;
use crate::format::{F32, nan_box, unbox};
use crate::rm::RNE;
use crate::soft::{self, FmaOp};

/// Smallest normal single, as a double.
const MIN_NORMAL: f64 = f32::MIN_POSITIVE as f64;

#[inline]
fn operand(reg: u64) -> (u64, f64) {
    let bits = unbox(reg);
    (bits, f32::from_bits(bits as u32) as f64)
}

/// Rounds an exactly known (or innocuously pre-rounded) double to single;
/// `None` if it overflows, so the caller takes the exact path.
#[inline]
fn narrow(wide: f64, inexact_before: bool, flags: &mut u8) -> Option<u64> {
    let r = wide as f32;
    if !r.is_finite() {
        return None;
    }
    if inexact_before || r as f64 != wide {
        *flags |= NX;
    }
    Some(nan_box(r.to_bits() as u64))
}

/// FADD.S
#[inline]
pub fn add_s(a: u64, b: u64, rm: u8, flags: &mut u8) -> u64 {
    let ((a, x), (b, y)) = (operand(a), operand(b));
    if rm == RNE {
        let s = x + y;
        // Tiny sums of singles are exact, so only overflow needs care.
        if let Some(r) = narrow(s, sum_inexact(x, y, s), flags) {
            return r;
        }
    }
    nan_box(soft::add(a, b, rm, F32, flags))
}

/// FSUB.S
#[inline]
pub fn sub_s(a: u64, b: u64, rm: u8, flags: &mut u8) -> u64 {
    let ((a, x), (b, y)) = (operand(a), operand(b));
    if rm == RNE {
        let s = x - y;
        if let Some(r) = narrow(s, sum_inexact(x, -y, s), flags) {
            return r;
        }
    }
    nan_box(soft::sub(a, b, rm, F32, flags))
}

/// FMUL.S
#[inline]
pub fn mul_s(a: u64, b: u64, rm: u8, flags: &mut u8) -> u64 {
    let ((a, x), (b, y)) = (operand(a), operand(b));
    if rm == RNE {
        // Exact: 24 x 24 bits fit in 53, and the range cannot be exceeded.
        let p = x * y;
        // Below the normal range the tininess rule needs the exact path.
        if (p.abs() >= MIN_NORMAL || p == 0.0)
            && let Some(r) = narrow(p, false, flags)
        {
            return r;
        }
    }
    nan_box(soft::mul(a, b, rm, F32, flags))
}

/// FDIV.S
#[inline]
pub fn div_s(a: u64, b: u64, rm: u8, flags: &mut u8) -> u64 {
    let ((a, x), (b, y)) = (operand(a), operand(b));
    if rm == RNE {
        let q = x / y;
        let normal_quotient = q.abs() >= MIN_NORMAL;
        let exact_zero = x == 0.0 && y != 0.0 && y.is_finite();
        if normal_quotient || exact_zero {
            let r = q as f32;
            if r.is_finite() {
                // r * y is exact in binary64, so it equals x iff x / y == r.
                if r as f64 * y != x {
                    *flags |= NX;
                }
                return nan_box(r.to_bits() as u64);
            }
        }
    }
    nan_box(soft::div(a, b, rm, F32, flags))
}

/// FSQRT.S
#[inline]
pub fn sqrt_s(a: u64, rm: u8, flags: &mut u8) -> u64 {
    let (a, x) = operand(a);
    if rm == RNE && x > 0.0 && x < f64::INFINITY {
        let r = x.sqrt() as f32;
        let w = r as f64;
        if w * w != x {
            *flags |= NX;
        }
        return nan_box(r.to_bits() as u64);
    }
    nan_box(soft::sqrt(a, rm, F32, flags))
}

/// Shared body of the four fused multiply-adds.
#[inline]
fn fused(a: u64, b: u64, c: u64, op: FmaOp, rm: u8, flags: &mut u8) -> u64 {
    let ((a, x), (b, y), (c, z)) = (operand(a), operand(b), operand(c));
    if rm == RNE {
        let (negate_product, negate_addend) = op.negations();
        let p = x * y;
        let p = if negate_product { -p } else { p };
        let z = if negate_addend { -z } else { z };
        let s = p + z;
        if s.abs() >= MIN_NORMAL || s == 0.0 {
            let (big, small) = if p.abs() >= z.abs() { (p, z) } else { (z, p) };
            let err = small - (s - big);
            // Round to odd: an inexact sum landing on an even double could
            // be a single-precision tie that the second rounding would break
            // the wrong way; nudging it toward the true value cannot.
            let mut bits = s.to_bits();
            if err != 0.0 && bits & 1 == 0 {
                if (err > 0.0) == (s > 0.0) {
                    bits += 1;
                } else {
                    bits -= 1;
                }
            }
            if let Some(r) = narrow(f64::from_bits(bits), err != 0.0, flags) {
                return r;
            }
        }
    }
    nan_box(soft::fma(a, b, c, op, rm, F32, flags))
}

/// FMADD.S: `a * b + c`, rounded once.
#[inline]
pub fn madd_s(a: u64, b: u64, c: u64, rm: u8, flags: &mut u8) -> u64 {
    fused(a, b, c, FmaOp::Madd, rm, flags)
}

/// FMSUB.S: `a * b - c`, rounded once.
#[inline]
pub fn msub_s(a: u64, b: u64, c: u64, rm: u8, flags: &mut u8) -> u64 {
    fused(a, b, c, FmaOp::Msub, rm, flags)
}

/// FNMSUB.S: `-(a * b) + c`, rounded once.
#[inline]
pub fn nmsub_s(a: u64, b: u64, c: u64, rm: u8, flags: &mut u8) -> u64 {
    fused(a, b, c, FmaOp::Nmsub, rm, flags)
}

/// FNMADD.S: `-(a * b) - c`, rounded once.
#[inline]
pub fn nmadd_s(a: u64, b: u64, c: u64, rm: u8, flags: &mut u8) -> u64 {
    fused(a, b, c, FmaOp::Nmadd, rm, flags)
}
