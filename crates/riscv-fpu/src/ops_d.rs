//! Double-precision arithmetic (FADD.D ... FNMADD.D).
//!
//! Round-to-nearest-even runs on the host's native arithmetic with cheap
//! exact flag detection; everything else (directed rounding, NaN, infinity,
//! overflow, results near the subnormal range) goes to [`crate::soft`].

use crate::exact::{fma_inexact, product_inexact, quotient_exact, sum_inexact};
use crate::flags::NX;
use crate::format::F64;
use crate::rm::RNE;
use crate::soft::{self, FmaOp};

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

/// FADD.D
#[inline]
pub fn add_d(a: u64, b: u64, rm: u8, flags: &mut u8) -> u64 {
    if rm == RNE {
        let (x, y) = (f64::from_bits(a), f64::from_bits(b));
        let r = x + y;
        // Sums of finite values that stay finite cannot underflow inexactly.
        if r.is_finite() {
            raise_if(sum_inexact(x, y, r), flags);
            return r.to_bits();
        }
    }
    soft::add(a, b, rm, F64, flags)
}

/// FSUB.D
#[inline]
pub fn sub_d(a: u64, b: u64, rm: u8, flags: &mut u8) -> u64 {
    if rm == RNE {
        let (x, y) = (f64::from_bits(a), f64::from_bits(b));
        let r = x - y;
        if r.is_finite() {
            raise_if(sum_inexact(x, -y, r), flags);
            return r.to_bits();
        }
    }
    soft::sub(a, b, rm, F64, flags)
}

/// FMUL.D
#[inline]
pub fn mul_d(a: u64, b: u64, rm: u8, flags: &mut u8) -> u64 {
    if rm == RNE {
        let (x, y) = (f64::from_bits(a), f64::from_bits(b));
        let r = x * y;
        if safely_normal(r) {
            raise_if(product_inexact(x, y), flags);
            return r.to_bits();
        }
        if r == 0.0 && (x == 0.0 || y == 0.0) {
            return r.to_bits();
        }
    }
    soft::mul(a, b, rm, F64, flags)
}

/// FDIV.D
#[inline]
pub fn div_d(a: u64, b: u64, rm: u8, flags: &mut u8) -> u64 {
    if rm == RNE {
        let (x, y) = (f64::from_bits(a), f64::from_bits(b));
        let q = x / y;
        // A normal quotient implies finite nonzero operands.
        if safely_normal(q) {
            raise_if(!quotient_exact(x, y, q), flags);
            return q.to_bits();
        }
        if x == 0.0 && y != 0.0 && y.is_finite() {
            return q.to_bits();
        }
    }
    soft::div(a, b, rm, F64, flags)
}

/// FSQRT.D
#[inline]
pub fn sqrt_d(a: u64, rm: u8, flags: &mut u8) -> u64 {
    if rm == RNE {
        let x = f64::from_bits(a);
        // The root of any positive finite double is normal.
        if x > 0.0 && x < f64::INFINITY {
            let r = x.sqrt();
            raise_if(!quotient_exact(x, r, r), flags);
            return r.to_bits();
        }
    }
    soft::sqrt(a, rm, F64, flags)
}

/// Shared body of the four fused multiply-adds.
#[inline]
fn fused(a: u64, b: u64, c: u64, op: FmaOp, rm: u8, flags: &mut u8) -> u64 {
    if rm == RNE {
        let (negate_product, negate_addend) = op.negations();
        let x = f64::from_bits(a);
        let x = if negate_product { -x } else { x };
        let y = f64::from_bits(b);
        let z = f64::from_bits(c);
        let z = if negate_addend { -z } else { z };
        let r = x.mul_add(y, z);
        if safely_normal(r) {
            let ph = (x * y).abs();
            if (SAFE_PRODUCT..f64::INFINITY).contains(&ph) {
                raise_if(fma_inexact(x, y, z, r), flags);
                return r.to_bits();
            }
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
