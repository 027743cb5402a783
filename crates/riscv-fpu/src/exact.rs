//! Cheap exactness tests on host floating-point results (error-free
//! transformations and integer significand checks).

use crate::directed::sign;
use std::cmp::Ordering;

/// Significand of a finite binary64 value as an integer (hidden bit added
/// for normal numbers).
#[inline]
pub fn significand64(x: f64) -> u64 {
    let bits = x.to_bits();
    let man = bits & ((1 << 52) - 1);
    if bits & (0x7ff << 52) == 0 {
        man
    } else {
        man | 1 << 52
    }
}

/// Binary exponent of the last significand bit of a finite binary64 value:
/// `|x| == significand64(x) * 2^lsb_exponent64(x)`.
#[inline]
pub fn lsb_exponent64(x: f64) -> i32 {
    let field = ((x.to_bits() >> 52) & 0x7ff) as i32;
    field.max(1) - 1075
}

/// Exact error `x + y - r` of `r = fl(x + y)` (finite): Fast2Sum with the
/// larger operand first, where `r - big` is exact.
#[inline]
pub fn sum_error(x: f64, y: f64, r: f64) -> f64 {
    let (big, small) = if x.abs() >= y.abs() { (x, y) } else { (y, x) };
    small - (r - big)
}

/// Odd part of a nonzero integer.
#[inline]
fn odd_part(x: u128) -> u128 {
    x >> x.trailing_zeros()
}

/// For nonzero finite `x`, `y` and `r = fl(x * y)` normal: is `r` inexact?
/// The exact product is representable iff its significand fits 53 bits.
#[inline]
pub fn product_inexact(x: f64, y: f64) -> bool {
    let p = significand64(x) as u128 * significand64(y) as u128;
    128 - p.leading_zeros() - p.trailing_zeros() > 53
}

/// Whether the nonzero finite values satisfy `q * y == x` exactly, given that
/// `q` is a correctly rounded `x / y` (so binary exponents cannot disagree
/// when the odd parts of the significands agree).
#[inline]
pub fn quotient_exact(x: f64, y: f64, q: f64) -> bool {
    let p = significand64(q) as u128 * significand64(y) as u128;
    odd_part(p) == odd_part(significand64(x) as u128)
}

/// For `r = fl(x * y + z)` with every input, the product and `r` safely in
/// the normal range: the exact `x * y + z` compared with `r`.
///
/// `x * y = ph + pl` (TwoProd) and `r - z = d + dl` (Fast2Sum) are exact,
/// and the sign wanted is that of `(ph + pl) - (d + dl)`. Rounding to
/// nearest is monotonic and `ph`, `d` are the nearest doubles to the two
/// sums, so unequal heads already decide it (sparing the second fused
/// multiply-add); equal heads leave it to the tails, whose rounded
/// difference keeps the exact difference's sign.
#[inline]
pub fn fma_side(x: f64, y: f64, z: f64, r: f64) -> Ordering {
    let ph = x * y;
    let d = r - z;
    if ph != d {
        return if ph > d {
            Ordering::Greater
        } else {
            Ordering::Less
        };
    }
    let pl = x.mul_add(y, -ph);
    let (big, small) = if r.abs() >= z.abs() { (r, -z) } else { (-z, r) };
    let dl = small - (d - big);
    sign(pl - dl)
}
