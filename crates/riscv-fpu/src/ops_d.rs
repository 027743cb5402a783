//! Double-precision arithmetic (FADD.D ... FNMADD.D).
//!
//! Results come from the host's native round-to-nearest-even arithmetic;
//! exact error terms give the flags and, for RTZ/RDN/RUP, the side of the
//! nearest result on which the exact value lies. Anything else (RMM, NaN,
//! infinity, overflow, results near the subnormal range) goes to the exact
//! integer implementation in [`soft`].

use crate::directed::{cmp_scaled, from_nearest, sign, steppable};
use crate::exact::{
    fma_side, lsb_exponent64, product_inexact, quotient_exact, significand64, sum_error,
};
use crate::flags::NX;
use crate::format::F64;
use crate::rm::{RMM, RNE};
use crate::soft::{self, FmaOp};
use std::cmp::Ordering;

/// Products at least this large have an error term that binary64 can hold
/// exactly (no bits fall below the subnormal range).
const SAFE_PRODUCT: f64 = f64::from_bits(((1023 - 969) as u64) << 52);

/// True for finite values strictly above the smallest normal: rounding such
/// a result can never have involved tininess.
#[inline]
fn safely_normal(r: f64) -> bool {
    let m = r.abs();
    m > f64::MIN_POSITIVE && m < f64::INFINITY
}

#[inline]
fn raise_if(inexact: bool, flags: &mut u8) {
    if inexact {
        *flags |= NX;
    }
}

/// Whether a directed mode can be derived from the nearest result `r`.
#[inline]
fn directed_ok(r: f64, rm: u8) -> bool {
    rm != RMM && steppable(r.to_bits(), F64)
}

/// `side` is the ordering of the exact magnitude against `|r|`; returns the
/// ordering of the signed exact value against `r`.
#[inline]
fn signed_side(r: f64, magnitude_side: Ordering) -> Ordering {
    if r < 0.0 {
        magnitude_side.reverse()
    } else {
        magnitude_side
    }
}

/// Sum or difference: `y` already negated for subtraction.
#[inline]
fn sum(a: u64, b: u64, x: f64, y: f64, subtract: bool, rm: u8, flags: &mut u8) -> u64 {
    let r = x + y;
    // Sums of finite values that stay finite cannot underflow inexactly.
    if r.is_finite() {
        let err = sum_error(x, y, r);
        if rm == RNE {
            raise_if(err != 0.0, flags);
            return r.to_bits();
        }
        if directed_ok(r, rm) {
            return from_nearest(r.to_bits(), sign(err), rm, F64, flags);
        }
    }
    if subtract {
        soft::sub(a, b, rm, F64, flags)
    } else {
        soft::add(a, b, rm, F64, flags)
    }
}

/// FADD.D
#[inline]
pub fn add_d(a: u64, b: u64, rm: u8, flags: &mut u8) -> u64 {
    sum(a, b, f64::from_bits(a), f64::from_bits(b), false, rm, flags)
}

/// FSUB.D
#[inline]
pub fn sub_d(a: u64, b: u64, rm: u8, flags: &mut u8) -> u64 {
    sum(a, b, f64::from_bits(a), -f64::from_bits(b), true, rm, flags)
}

/// FMUL.D
#[inline]
pub fn mul_d(a: u64, b: u64, rm: u8, flags: &mut u8) -> u64 {
    let (x, y) = (f64::from_bits(a), f64::from_bits(b));
    let r = x * y;
    if rm == RNE {
        if safely_normal(r) {
            raise_if(product_inexact(x, y), flags);
            return r.to_bits();
        }
        if r == 0.0 && (x == 0.0 || y == 0.0) {
            return r.to_bits();
        }
    } else if directed_ok(r, rm) {
        let exact = significand64(x) as u128 * significand64(y) as u128;
        let side = cmp_scaled(
            exact,
            lsb_exponent64(x) + lsb_exponent64(y),
            significand64(r) as u128,
            lsb_exponent64(r),
        );
        return from_nearest(r.to_bits(), signed_side(r, side), rm, F64, flags);
    }
    soft::mul(a, b, rm, F64, flags)
}

/// FDIV.D
#[inline]
pub fn div_d(a: u64, b: u64, rm: u8, flags: &mut u8) -> u64 {
    let (x, y) = (f64::from_bits(a), f64::from_bits(b));
    let q = x / y;
    if rm == RNE {
        // A normal quotient implies finite nonzero operands.
        if safely_normal(q) {
            raise_if(!quotient_exact(x, y, q), flags);
            return q.to_bits();
        }
        if x == 0.0 && y != 0.0 && y.is_finite() {
            return q.to_bits();
        }
    } else if directed_ok(q, rm) {
        // |x / y| against |q| is |x| against |q * y|, all exact integers.
        let qy = significand64(q) as u128 * significand64(y) as u128;
        let side = cmp_scaled(
            significand64(x) as u128,
            lsb_exponent64(x),
            qy,
            lsb_exponent64(q) + lsb_exponent64(y),
        );
        return from_nearest(q.to_bits(), signed_side(q, side), rm, F64, flags);
    }
    soft::div(a, b, rm, F64, flags)
}

/// FSQRT.D
#[inline]
pub fn sqrt_d(a: u64, rm: u8, flags: &mut u8) -> u64 {
    let x = f64::from_bits(a);
    // The root of any positive finite double is normal.
    if x > 0.0 && x < f64::INFINITY && rm != RMM {
        let r = x.sqrt();
        if rm == RNE {
            raise_if(!quotient_exact(x, r, r), flags);
            return r.to_bits();
        }
        // sqrt(x) against r is x against r * r.
        let m = significand64(r) as u128;
        let side = cmp_scaled(
            significand64(x) as u128,
            lsb_exponent64(x),
            m * m,
            2 * lsb_exponent64(r),
        );
        return from_nearest(r.to_bits(), side, rm, F64, flags);
    }
    soft::sqrt(a, rm, F64, flags)
}

/// Shared body of the four fused multiply-adds.
#[inline]
fn fused(a: u64, b: u64, c: u64, op: FmaOp, rm: u8, flags: &mut u8) -> u64 {
    let (negate_product, negate_addend) = op.negations();
    let x = f64::from_bits(a);
    let x = if negate_product { -x } else { x };
    let y = f64::from_bits(b);
    let z = f64::from_bits(c);
    let z = if negate_addend { -z } else { z };
    let r = x.mul_add(y, z);
    if safely_normal(r) && (SAFE_PRODUCT..f64::INFINITY).contains(&(x * y).abs()) {
        if rm == RNE {
            raise_if(fma_side(x, y, z, r) != Ordering::Equal, flags);
            return r.to_bits();
        }
        if directed_ok(r, rm) {
            return from_nearest(r.to_bits(), fma_side(x, y, z, r), rm, F64, flags);
        }
    }
    soft::fma(a, b, c, op, rm, F64, flags)
}

/// FMADD.D: `a * b + c`, rounded once.
#[inline]
pub fn madd_d(a: u64, b: u64, c: u64, rm: u8, flags: &mut u8) -> u64 {
    fused(a, b, c, FmaOp::Madd, rm, flags)
}

/// FMSUB.D: `a * b - c`, rounded once.
#[inline]
pub fn msub_d(a: u64, b: u64, c: u64, rm: u8, flags: &mut u8) -> u64 {
    fused(a, b, c, FmaOp::Msub, rm, flags)
}

/// FNMSUB.D: `-(a * b) + c`, rounded once.
#[inline]
pub fn nmsub_d(a: u64, b: u64, c: u64, rm: u8, flags: &mut u8) -> u64 {
    fused(a, b, c, FmaOp::Nmsub, rm, flags)
}

/// FNMADD.D: `-(a * b) - c`, rounded once.
#[inline]
pub fn nmadd_d(a: u64, b: u64, c: u64, rm: u8, flags: &mut u8) -> u64 {
    fused(a, b, c, FmaOp::Nmadd, rm, flags)
}
