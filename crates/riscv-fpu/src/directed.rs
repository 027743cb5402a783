//! Directed rounding (RTZ, RDN, RUP) derived from a round-to-nearest
//! result: the exact value lies within half an ulp of the nearest result
//! `r`, so knowing on which side of `r` it lies is enough to pick `r` or
//! its neighbour. This keeps directed modes on the native fast path.

use crate::flags::NX;
use crate::format::Format;
use crate::rm::{RDN, RTZ, RUP};
use std::cmp::Ordering;

/// True if `r` (raw bits of format `f`) lies strictly between the smallest
/// normal and the largest finite number: a one-ulp step either way stays
/// normal and finite, and the exact value can be neither tiny nor
/// overflowing.
#[inline]
pub fn steppable(r: u64, f: Format) -> bool {
    let mag = r & !f.sign_bit();
    mag > 1 << f.man_bits && mag < f.max_finite()
}

/// Rounds the exact value `v` with directed mode `rm`, given the nearest
/// result `r` (raw bits, [`steppable`]) and `side = v.cmp(r)`.
#[inline]
pub fn from_nearest(r: u64, side: Ordering, rm: u8, f: Format, flags: &mut u8) -> u64 {
    if side == Ordering::Equal {
        return r;
    }
    *flags |= NX;
    let negative = r & f.sign_bit() != 0;
    // Adding one to the magnitude bits moves away from zero.
    let away = |away: bool| if away { r + 1 } else { r - 1 };
    match (rm, side) {
        // |v| < |r| exactly when v is on the zero side of r.
        (RTZ, _) if (side == Ordering::Less) != negative => away(false),
        (RDN, Ordering::Less) => away(negative),
        (RUP, Ordering::Greater) => away(!negative),
        _ => r,
    }
}

/// Sign of an exact error term as an ordering against zero.
#[inline]
pub fn sign(x: f64) -> Ordering {
    if x > 0.0 {
        Ordering::Greater
    } else if x < 0.0 {
        Ordering::Less
    } else {
        Ordering::Equal
    }
}

/// Compares `a * 2^ea` with `b * 2^eb`, values known to be within a factor
/// of four of each other (so the aligning shift cannot overflow 128 bits).
#[inline]
pub fn cmp_scaled(a: u128, ea: i32, b: u128, eb: i32) -> Ordering {
    if ea >= eb {
        (a << (ea - eb) as u32).cmp(&b)
    } else {
        a.cmp(&(b << (eb - ea) as u32))
    }
}
