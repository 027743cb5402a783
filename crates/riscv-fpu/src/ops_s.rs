//! Single-precision arithmetic (FADD.S ... FNMADD.S).
//!
//! Operands are NaN-unboxed from 64-bit registers and results NaN-boxed.
//! The nearest single result comes from binary64 arithmetic: products of
//! two singles are exact there, and `+ - / sqrt` stay correctly rounded
//! after a second rounding (53 >= 2 * 24 + 2). Exact error terms give the
//! flags and the side of the exact value for RTZ/RDN/RUP; RMM and the rare
//! cases go to [`soft`].

use crate::directed::{from_nearest, sign, steppable};
use crate::exact::sum_error;
use crate::flags::NX;
use crate::format::{F32, nan_box, unbox};
use crate::rm::{RMM, RNE};
use crate::soft::{self, FmaOp};
use std::cmp::Ordering;

/// Smallest normal single, as a double.
const MIN_NORMAL: f64 = f32::MIN_POSITIVE as f64;

#[inline]
fn operand(reg: u64) -> (u64, f64) {
    let bits = unbox(reg);
    (bits, f32::from_bits(bits as u32) as f64)
}

/// Side of the exact value `s + err` relative to the single `r` nearest to
/// it. `s - r` is exact (Sterbenz), and when nonzero it outweighs `err`,
/// which is at most half an ulp of `s`.
#[inline]
fn side_of(s: f64, err: f64, r: f32) -> Ordering {
    let d = s - r as f64;
    if d != 0.0 { sign(d) } else { sign(err) }
}

/// Delivers the nearest single `r` (RNE, when `rne_safe` says no tininess
/// question arises) or its directed rounding, given `side` = exact value
/// compared with `r`; `None` sends the caller to the exact path.
#[inline]
fn finish(r: f32, side: Ordering, rne_safe: bool, rm: u8, flags: &mut u8) -> Option<u64> {
    let bits = r.to_bits() as u64;
    if rm == RNE {
        if !rne_safe || !r.is_finite() {
            return None;
        }
        if side != Ordering::Equal {
            *flags |= NX;
        }
        return Some(nan_box(bits));
    }
    if rm != RMM && steppable(bits, F32) {
        return Some(nan_box(from_nearest(bits, side, rm, F32, flags)));
    }
    None
}

/// FADD.S
#[inline]
pub fn add_s(a: u64, b: u64, rm: u8, flags: &mut u8) -> u64 {
    let ((a, x), (b, y)) = (operand(a), operand(b));
    let s = x + y;
    let r = s as f32;
    // Tiny sums of singles are exact, so only overflow needs care.
    if let Some(result) = finish(r, side_of(s, sum_error(x, y, s), r), true, rm, flags) {
        return result;
    }
    nan_box(soft::add(a, b, rm, F32, flags))
}

/// FSUB.S
#[inline]
pub fn sub_s(a: u64, b: u64, rm: u8, flags: &mut u8) -> u64 {
    let ((a, x), (b, y)) = (operand(a), operand(b));
    let s = x - y;
    let r = s as f32;
    if let Some(result) = finish(r, side_of(s, sum_error(x, -y, s), r), true, rm, flags) {
        return result;
    }
    nan_box(soft::sub(a, b, rm, F32, flags))
}

/// FMUL.S
#[inline]
pub fn mul_s(a: u64, b: u64, rm: u8, flags: &mut u8) -> u64 {
    let ((a, x), (b, y)) = (operand(a), operand(b));
    // Exact: 24 x 24 bits fit in 53, and the range cannot be exceeded.
    let p = x * y;
    let r = p as f32;
    // Below the normal range the tininess rule needs the exact path.
    let rne_safe = p.abs() >= MIN_NORMAL || p == 0.0;
    if let Some(result) = finish(r, sign(p - r as f64), rne_safe, rm, flags) {
        return result;
    }
    nan_box(soft::mul(a, b, rm, F32, flags))
}

/// FDIV.S
#[inline]
pub fn div_s(a: u64, b: u64, rm: u8, flags: &mut u8) -> u64 {
    let ((a, x), (b, y)) = (operand(a), operand(b));
    let q = x / y;
    let r = q as f32;
    // x / y against r is x - r * y (exact: the product has 48 bits and
    // nearly cancels x) with the sign of y.
    let residual = sign(x - r as f64 * y);
    let side = if y < 0.0 {
        residual.reverse()
    } else {
        residual
    };
    let exact_zero = x == 0.0 && y != 0.0 && y.is_finite();
    let rne_safe = q.abs() >= MIN_NORMAL || exact_zero;
    if let Some(result) = finish(r, side, rne_safe, rm, flags) {
        return result;
    }
    nan_box(soft::div(a, b, rm, F32, flags))
}

/// FSQRT.S
#[inline]
pub fn sqrt_s(a: u64, rm: u8, flags: &mut u8) -> u64 {
    let (a, x) = operand(a);
    if x > 0.0 && x < f64::INFINITY {
        let r = x.sqrt() as f32;
        let w = r as f64;
        // sqrt(x) against r is x against r * r (exact in binary64).
        if let Some(result) = finish(r, sign(x - w * w), true, rm, flags) {
            return result;
        }
    }
    nan_box(soft::sqrt(a, rm, F32, flags))
}

/// Shared body of the four fused multiply-adds.
#[inline]
fn fused(a: u64, b: u64, c: u64, op: FmaOp, rm: u8, flags: &mut u8) -> u64 {
    let ((a, x), (b, y), (c, z)) = (operand(a), operand(b), operand(c));
    let (negate_product, negate_addend) = op.negations();
    let p = x * y;
    let p = if negate_product { -p } else { p };
    let z = if negate_addend { -z } else { z };
    let s = p + z;
    let err = sum_error(p, z, s);
    // Round to odd: an inexact sum landing on an even double could be a
    // single-precision tie that the second rounding would break the wrong
    // way; nudging it toward the exact value cannot.
    let mut bits = s.to_bits();
    if err != 0.0 && bits & 1 == 0 {
        if (err > 0.0) == (s > 0.0) {
            bits += 1;
        } else {
            bits -= 1;
        }
    }
    let r = f64::from_bits(bits) as f32;
    let rne_safe = s.abs() >= MIN_NORMAL || s == 0.0;
    if let Some(result) = finish(r, side_of(s, err, r), rne_safe, rm, flags) {
        return result;
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
